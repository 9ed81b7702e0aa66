/**
 * What this instance knows of the interactions it ran a step for, kept after
 * the engine evicted them: the snapshot tests and call routing read
 * synchronously, which interactions wait for a member (kicked when one frees
 * up here), and which KWs they involve (a KW who logs out). It is a hint: the
 * store's record is the truth, and every use of an entry runs a step that
 * loads it. Bounded: finished entries are dropped after `ttlMs`, the oldest
 * first beyond `max`.
 */
import type { InteractionRequest, InteractionSnapshot } from './engine.js';
import type { InteractionRecord } from './interaction-record.js';

interface Entry {
  readonly snapshot: InteractionSnapshot;
  readonly request: InteractionRequest;
  readonly waiting: boolean;
  readonly kws: ReadonlySet<string>;
  readonly until: number;
}

export class SharedIndex {
  private readonly entries = new Map<string, Entry>();
  private updates = 0;

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 10_000,
  ) {}

  update(interactionId: string, record: InteractionRecord | undefined, waiting: boolean): void {
    const key = interactionId.toLowerCase();
    this.entries.delete(key);
    if (!record) return;
    const live = record.phase === 'routing' || record.phase === 'routed';
    const kws = new Set(record.offers.filter((o) => o.outcome === 'pending').map((o) => o.kw));
    if (record.phase === 'routed' && record.kw !== undefined) kws.add(record.kw);
    this.entries.set(key, {
      snapshot: {
        interactionId: record.request.interactionId,
        phase: record.phase,
        kw: record.kw,
        offers: Object.fromEntries(record.offers.map((o) => [o.kw, o.outcome])),
        attempts: record.attempts,
      },
      request: record.request,
      waiting,
      kws,
      until: live ? Number.POSITIVE_INFINITY : this.now() + this.ttlMs,
    });
    this.prune();
  }

  snapshot(interactionId: string): InteractionSnapshot | undefined {
    return this.live(interactionId)?.snapshot;
  }

  request(interactionId: string): InteractionRequest | undefined {
    return this.live(interactionId)?.request;
  }

  /** Up to `limit` interactions waiting for a member, the least recently stepped first. */
  waiting(limit: number): string[] {
    const found: string[] = [];
    for (const e of this.entries.values()) {
      if (found.length >= limit) break;
      if (e.waiting) found.push(e.snapshot.interactionId);
    }
    return found;
  }

  /** Interactions with a preview out to `kw`, or routed to `kw`. */
  involving(kw: string): string[] {
    return [...this.entries.values()].filter((e) => e.kws.has(kw)).map((e) => e.snapshot.interactionId);
  }

  /** Interactions still routing. */
  routing(): string[] {
    return [...this.entries.values()]
      .filter((e) => e.snapshot.phase === 'routing')
      .map((e) => e.snapshot.interactionId);
  }

  private live(interactionId: string): Entry | undefined {
    const e = this.entries.get(interactionId.toLowerCase());
    return e && e.until > this.now() ? e : undefined;
  }

  /** Every 1,000 updates, or when over `max`: one pass, oldest first. */
  private prune(): void {
    this.updates += 1;
    if (this.updates % 1000 !== 0 && this.entries.size <= this.max) return;
    const now = this.now();
    for (const [key, e] of this.entries) {
      if (e.until <= now || this.entries.size > this.max) this.entries.delete(key);
    }
  }
}
