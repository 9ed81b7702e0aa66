/**
 * Drives MESSAGEs between pairs of load clients, bounded in time and count:
 * open loop (sends at a fixed rate whatever the answers; latency counted from
 * each message's scheduled time, so a server that falls behind shows as
 * latency, not as a lower rate) or closed loop (each pair keeps `window`
 * MESSAGEs in flight: the server's maximum throughput). Messages alternate
 * direction within a pair.
 *
 * Cheap per message, so that the generator does not cap what the server can
 * show: MESSAGE i is known by its number; its times live in preallocated typed
 * arrays (grown by doubling), answers come to one handler, timeouts are found
 * by one sweep over the oldest messages, with no closure or timer per message.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LoadClient, OutcomeSink } from './ws-load-client.js';
import type { WorkerReport } from './ws-load-result.js';

export type LoadMode =
  { readonly kind: 'open'; readonly rate: number } | { readonly kind: 'closed'; readonly window: number };

export interface DriveOptions {
  readonly mode: LoadMode;
  readonly seconds: number;
  readonly maxMessages: number;
  readonly timeoutMs: number;
  /** Absolute start time (ms since the epoch), so that workers start together. */
  readonly startAt: number;
}

export type Pair = readonly [LoadClient, LoadClient];

/** ms since the epoch with sub-ms precision, comparable across processes. */
export const absNow = (): number => performance.timeOrigin + performance.now();

const INITIAL_CAPACITY = 4096;

/** A growable Float64Array: values appended, or set by message number. */
class Samples {
  private values = new Float64Array(INITIAL_CAPACITY);
  length = 0;

  push(v: number): void {
    this.set(this.length, v);
  }

  set(i: number, v: number): void {
    if (i >= this.values.length) this.values = grown(this.values, i);
    this.values[i] = v;
    if (i >= this.length) this.length = i + 1;
  }

  get(i: number): number {
    return this.values[i] ?? 0;
  }

  toArray(): number[] {
    return Array.from(this.values.subarray(0, this.length));
  }
}

function grown<T extends Float64Array | Uint8Array>(a: T, index: number): T {
  let size = a.length * 2;
  while (size <= index) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

const sleepUntil = (at: number): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.max(0, at - absNow())));

export async function drive(pairs: readonly Pair[], options: DriveOptions): Promise<WorkerReport> {
  return new Run(pairs, options).drive();
}

/** One run of the driver: the tallies and every message in flight. */
class Run implements OutcomeSink {
  private sent = 0;
  private ok = 0;
  private non2xx = 0;
  private timeouts = 0;
  private closedCount = 0;
  private readonly statuses: Record<string, number> = {};
  private readonly latencies = new Samples();
  private readonly wireLatencies = new Samples();
  private readonly sendLag = new Samples();
  /** By message number: its scheduled time (open loop) or send, when it went to the socket, 1 while unanswered. */
  private readonly since = new Samples();
  private readonly sentAt = new Samples();
  private pending = new Uint8Array(INITIAL_CAPACITY);
  private inFlight = 0;
  /** Messages below this number are all answered (or failed). */
  private oldest = 0;
  private next = 0;
  private firstSendAt = 0;
  private lastDoneAt = 0;
  private sending = true;
  /** Closed loop: streams still sending. */
  private streams = 0;
  private readonly endAt: number;
  private finished: () => void = () => undefined;

  constructor(
    private readonly pairs: readonly Pair[],
    private readonly o: DriveOptions,
  ) {
    this.endAt = o.startAt + o.seconds * 1000;
  }

  async drive(): Promise<WorkerReport> {
    if (this.pairs.length === 0 || this.o.maxMessages <= 0) return this.report(0, 0, 0);
    for (const [a, b] of this.pairs) a.sink = b.sink = this;
    await sleepUntil(this.o.startAt);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const cpuBefore = process.cpuUsage();
    const sweep = setInterval(() => this.sweep(), Math.max(10, Math.min(100, this.o.timeoutMs / 10)));
    this.firstSendAt = absNow();
    const done = new Promise<void>((r) => (this.finished = r));
    if (this.o.mode.kind === 'open') this.openLoop(this.o.mode.rate);
    else this.closedLoop(this.o.mode.window);
    await done;
    clearInterval(sweep);
    loop.disable();
    const cpu = process.cpuUsage(cpuBefore);
    // The histogram is in ns, and counts the 1 ms resolution itself.
    return this.report((cpu.user + cpu.system) / 1000, loop.percentile(99) / 1e6, loop.max / 1e6);
  }

  outcome(id: number, status: number): void {
    if (id < 0 || this.pending[id] !== 1) return; // unknown, or already counted (a timeout)
    const now = this.answered(id);
    if (status >= 200 && status < 300) {
      this.ok += 1;
      this.latencies.push(now - this.since.get(id));
      this.wireLatencies.push(now - this.sentAt.get(id));
    } else {
      this.non2xx += 1;
      this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    }
    this.after();
  }

  closed(client: LoadClient): void {
    for (let id = this.oldest; id < this.next; id += 1)
      if (this.pending[id] === 1 && this.sender(id) === client) {
        this.answered(id);
        this.closedCount += 1;
        this.after();
      }
  }

  /** Sends message `id`, due at `since`. */
  private send(id: number, since: number): void {
    const from = this.sender(id);
    const to = this.receiver(id);
    this.sent += 1;
    const sentAt = absNow();
    this.sendLag.push(sentAt - since);
    if (!from.message(to.aor, id)) {
      this.closedCount += 1;
      this.lastDoneAt = Math.max(this.lastDoneAt, sentAt);
      return;
    }
    if (id >= this.pending.length) this.pending = grown(this.pending, id);
    this.pending[id] = 1;
    this.since.set(id, since);
    this.sentAt.set(id, sentAt);
    this.inFlight += 1;
  }

  /** Message i goes on pair i % pairs; directions alternate on each round over the pairs. */
  private sender(id: number): LoadClient {
    return this.side(id, 0);
  }

  private receiver(id: number): LoadClient {
    return this.side(id, 1);
  }

  private side(id: number, which: 0 | 1): LoadClient {
    const pair = this.pairs[id % this.pairs.length] as Pair;
    const forward = Math.floor(id / this.pairs.length) % 2 === 0;
    return pair[forward ? which : 1 - which] as LoadClient;
  }

  /** Marks `id` answered (or failed); returns now. */
  private answered(id: number): number {
    this.pending[id] = 0;
    this.inFlight -= 1;
    const now = absNow();
    if (now > this.lastDoneAt) this.lastDoneAt = now;
    return now;
  }

  /** After an answer: the closed loop sends the next; the run ends when sending is over and nothing is in flight. */
  private after(): void {
    if (this.o.mode.kind === 'closed' && this.sending) this.stream();
    if (!this.sending && this.inFlight === 0) this.finished();
  }

  /** Fails, as timeouts, the oldest messages unanswered for longer than the timeout. */
  private sweep(): void {
    const limit = absNow() - this.o.timeoutMs;
    for (; this.oldest < this.next; this.oldest += 1) {
      if (this.pending[this.oldest] !== 1) continue;
      if (this.sentAt.get(this.oldest) > limit) break;
      this.answered(this.oldest);
      this.timeouts += 1;
      this.after();
    }
  }

  /** Sends message i at startAt + i / rate, checking the clock every millisecond. */
  private openLoop(rate: number): void {
    const intervalMs = 1000 / rate;
    const { startAt, maxMessages } = this.o;
    const tick = (): void => {
      const now = absNow();
      while (this.next < maxMessages) {
        const due = startAt + this.next * intervalMs;
        if (due > now || due >= this.endAt) break;
        this.send(this.next, due);
        this.next += 1;
      }
      if (this.next >= maxMessages || startAt + this.next * intervalMs >= this.endAt) this.stopSending();
      else setTimeout(tick, 1);
    };
    tick();
  }

  /** Each pair keeps `window` MESSAGEs in flight until the time or the count runs out. */
  private closedLoop(window: number): void {
    this.streams = this.pairs.length * window;
    for (let s = this.pairs.length * window; s > 0 && this.sending; s -= 1) this.stream();
  }

  /** One stream of the closed loop sends its next message, or ends. */
  private stream(): void {
    const now = absNow();
    if (this.next < this.o.maxMessages && now < this.endAt) {
      // Spread over pairs: message i goes on pair i % pairCount.
      this.send(this.next, now);
      this.next += 1;
      if (this.pending[this.next - 1] === 1) return;
    }
    // Over, or its connection is gone: this stream ends.
    this.streams -= 1;
    if (this.streams === 0) this.stopSending();
  }

  private stopSending(): void {
    this.sending = false;
    if (this.inFlight === 0) this.finished();
  }

  private report(cpuMs: number, loopDelayP99Ms: number, loopDelayMaxMs: number): WorkerReport {
    return {
      sent: this.sent,
      ok: this.ok,
      non2xx: this.non2xx,
      timeouts: this.timeouts,
      closed: this.closedCount,
      statuses: this.statuses,
      latenciesMs: this.latencies.toArray(),
      wireLatenciesMs: this.wireLatencies.toArray(),
      sendLagMs: this.sendLag.toArray(),
      loopDelayP99Ms,
      loopDelayMaxMs,
      cpuMs,
      firstSendAt: this.firstSendAt,
      lastDoneAt: this.lastDoneAt,
    };
  }
}
