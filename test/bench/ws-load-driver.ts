/**
 * Drives MESSAGEs between pairs of load clients, bounded in time and count:
 * open loop (sends at a fixed rate whatever the answers; latency counted from
 * each message's scheduled time, so a server that falls behind shows as
 * latency, not as a lower rate) or closed loop (each pair keeps `window`
 * MESSAGEs in flight: the server's maximum throughput). Messages alternate
 * direction within a pair.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LoadClient, LoadOutcome } from './ws-load-client.js';
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

const BODY =
  'Load test message: the text of an agent asking an expert about a customer case, about 100 bytes.';

class Tally {
  sent = 0;
  ok = 0;
  non2xx = 0;
  timeouts = 0;
  closed = 0;
  readonly statuses: Record<string, number> = {};
  readonly latenciesMs: number[] = [];
  readonly wireLatenciesMs: number[] = [];
  readonly sendLagMs: number[] = [];
  firstSendAt = 0;
  lastDoneAt = 0;
  /** This process's event-loop delay (ms) and CPU (ms) during the load: is the generator keeping up? */
  loopDelayP99Ms = 0;
  loopDelayMaxMs = 0;
  cpuMs = 0;

  /** `since`: the scheduled time (open loop) or the send; `sentAt`: when it went to the socket. */
  record(outcome: LoadOutcome, since: number, sentAt: number): void {
    const now = absNow();
    this.lastDoneAt = Math.max(this.lastDoneAt, now);
    if ('failure' in outcome) {
      if (outcome.failure === 'timeout') this.timeouts += 1;
      else this.closed += 1;
    } else if (outcome.status >= 200 && outcome.status < 300) {
      this.ok += 1;
      this.latenciesMs.push(now - since);
      this.wireLatenciesMs.push(now - sentAt);
    } else {
      this.non2xx += 1;
      this.statuses[outcome.status] = (this.statuses[outcome.status] ?? 0) + 1;
    }
  }

  report(): WorkerReport {
    const { sent, ok, non2xx, timeouts, closed, statuses, latenciesMs, firstSendAt, lastDoneAt } = this;
    const { wireLatenciesMs, sendLagMs, loopDelayP99Ms, loopDelayMaxMs, cpuMs } = this;
    return {
      sent,
      ok,
      non2xx,
      timeouts,
      closed,
      statuses,
      latenciesMs,
      wireLatenciesMs,
      sendLagMs,
      loopDelayP99Ms,
      loopDelayMaxMs,
      cpuMs,
      firstSendAt,
      lastDoneAt,
    };
  }
}

const sleepUntil = (at: number): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.max(0, at - absNow())));

export async function drive(pairs: readonly Pair[], options: DriveOptions): Promise<WorkerReport> {
  const tally = new Tally();
  if (pairs.length === 0 || options.maxMessages <= 0) return tally.report();
  await sleepUntil(options.startAt);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  tally.firstSendAt = absNow();
  const endAt = options.startAt + options.seconds * 1000;
  let inFlight = 0;
  let drained: () => void = () => undefined;
  const sendOne = (i: number, since: number, after: () => void): void => {
    const pair = pairs[i % pairs.length] as Pair;
    const forward = Math.floor(i / pairs.length) % 2 === 0;
    const [from, to] = forward ? pair : [pair[1], pair[0]];
    tally.sent += 1;
    inFlight += 1;
    const sentAt = absNow();
    tally.sendLagMs.push(sentAt - since);
    from.message(to.aor, BODY, options.timeoutMs, (outcome) => {
      inFlight -= 1;
      tally.record(outcome, since, sentAt);
      after();
      if (inFlight === 0) drained();
    });
  };
  const sentAll =
    options.mode.kind === 'open'
      ? openLoop(options.mode.rate, options, endAt, sendOne)
      : closedLoop(pairs.length, options.mode.window, options, endAt, sendOne);
  await sentAll;
  // Only answers are awaited from here on: inFlight only falls.
  if (inFlight > 0) await new Promise<void>((r) => (drained = r));
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  tally.cpuMs = (cpu.user + cpu.system) / 1000;
  // The histogram is in ns, and counts the 1 ms resolution itself.
  tally.loopDelayP99Ms = loop.percentile(99) / 1e6;
  tally.loopDelayMaxMs = loop.max / 1e6;
  return tally.report();
}

type SendOne = (i: number, since: number, after: () => void) => void;

/** Sends message i at startAt + i / rate, checking the clock every millisecond. */
function openLoop(rate: number, o: DriveOptions, endAt: number, sendOne: SendOne): Promise<void> {
  const intervalMs = 1000 / rate;
  let i = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const now = absNow();
      while (i < o.maxMessages) {
        const due = o.startAt + i * intervalMs;
        if (due > now || due >= endAt) break;
        sendOne(i, due, () => undefined);
        i += 1;
      }
      if (i >= o.maxMessages || o.startAt + i * intervalMs >= endAt) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
}

/** Each pair keeps `window` MESSAGEs in flight until the time or the count runs out. */
function closedLoop(
  pairCount: number,
  window: number,
  o: DriveOptions,
  endAt: number,
  sendOne: SendOne,
): Promise<void> {
  let next = 0;
  let open = pairCount * window;
  return new Promise((resolve) => {
    const stream = (): void => {
      if (next >= o.maxMessages || absNow() >= endAt) {
        open -= 1;
        if (open === 0) resolve();
        return;
      }
      // Spread over pairs: message i goes on pair i % pairCount.
      sendOne(next++, absNow(), stream);
    };
    for (let s = 0; s < pairCount * window; s += 1) stream();
  });
}
