/**
 * The in-process store: the embedded default when the router runs alone. It
 * behaves like the Redis store call for call (the same contract suite runs
 * against both): each method does its whole read-modify-write in one
 * synchronous step, so concurrent callers in this process cannot interleave.
 *
 * Several handles may share one `MemoryStoreState` (as several router
 * instances share one Redis); closing a handle does not clear the state.
 * Records and states are stored as JSON text, so a caller never shares an
 * object with the store (what Redis would give back is what this gives back).
 * Leases expire on `now()` (default `Date.now`), as Redis expires them on its
 * own clock.
 */
import {
  EVENT_STREAM_MAX,
  StoreUnavailableError,
  type ClaimResult,
  type EventPage,
  type FencingToken,
  type JsonObject,
  type KwStateRecord,
  type ReserveResult,
  type RouterStore,
  type RoutingState,
  type TakeOverResult,
} from './types.js';
import {
  MAX_CLAIM_LIMIT,
  checkInt,
  checkLease,
  checkName,
  checkRecord,
  checkRoutingState,
  checkTime,
  checkToken,
} from './validate.js';

interface Ownership {
  owner: string;
  token: FencingToken;
  leaseUntil: number;
  record: string | undefined;
}

interface KwRecord {
  state: string | undefined;
  sinceMs: number | undefined;
  lastEndedMs: number | undefined;
}

/** The shared state of memory stores: what a Redis database is to Redis stores. */
export class MemoryStoreState {
  fence = 0;
  readonly reservations = new Map<string, Map<string, FencingToken>>();
  /** interaction id → the KWs it holds reservations on */
  readonly reservedBy = new Map<string, Set<string>>();
  readonly interactions = new Map<string, Ownership>();
  readonly deadlines = new Map<string, number>();
  readonly kws = new Map<string, KwRecord>();
  readonly cursors = new Map<string, string>();
  readonly events: string[] = [];
  /** How many events were trimmed off the front of `events` (cursors count from the first ever). */
  eventsTrimmed = 0;
}

export interface MemoryStoreOptions {
  /** Share state with other handles (tests: two "instances"); default: a state of its own. */
  readonly state?: MemoryStoreState;
  /** The clock leases expire on (epoch ms). */
  readonly now?: () => number;
}

export class MemoryStore implements RouterStore {
  readonly kind = 'memory';
  private readonly state: MemoryStoreState;
  private readonly now: () => number;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.state = options.state ?? new MemoryStoreState();
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `fn` as one step, as a promise (like the Redis store: a bad argument
   * or a closed handle is a rejection, never a synchronous throw).
   */
  private step<T>(fn: () => T): Promise<T> {
    try {
      if (this.closed) throw new StoreUnavailableError('closed', 'the store is closed');
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private nextToken(): FencingToken {
    this.state.fence += 1;
    return this.state.fence;
  }

  private kwRecord(kw: string): KwRecord {
    let r = this.state.kws.get(kw);
    if (!r) {
      r = { state: undefined, sinceMs: undefined, lastEndedMs: undefined };
      this.state.kws.set(kw, r);
    }
    return r;
  }

  reserve(kw: string, interactionId: string, capacity: number): Promise<ReserveResult> {
    return this.step(() => {
      checkName('kw', kw);
      checkName('interactionId', interactionId);
      checkInt('capacity', capacity, 0);
      let held = this.state.reservations.get(kw);
      const existing = held?.get(interactionId);
      if (existing !== undefined) return { ok: true, token: existing };
      const load = held?.size ?? 0;
      if (load >= capacity) return { ok: false, load };
      if (!held) {
        held = new Map();
        this.state.reservations.set(kw, held);
      }
      const token = this.nextToken();
      held.set(interactionId, token);
      const kws = this.state.reservedBy.get(interactionId) ?? new Set<string>();
      kws.add(kw);
      this.state.reservedBy.set(interactionId, kws);
      return { ok: true, token };
    });
  }

  release(kw: string, interactionId: string, token: FencingToken): Promise<boolean> {
    return this.step(() => {
      checkName('kw', kw);
      checkName('interactionId', interactionId);
      checkToken(token);
      const held = this.state.reservations.get(kw);
      if (held?.get(interactionId) !== token) return false;
      this.drop(kw, interactionId);
      return true;
    });
  }

  releaseAllOf(interactionId: string): Promise<string[]> {
    return this.step(() => {
      checkName('interactionId', interactionId);
      const kws = [...(this.state.reservedBy.get(interactionId) ?? [])];
      for (const kw of kws) this.drop(kw, interactionId);
      return kws;
    });
  }

  private drop(kw: string, interactionId: string): void {
    const held = this.state.reservations.get(kw);
    held?.delete(interactionId);
    if (held?.size === 0) this.state.reservations.delete(kw);
    const kws = this.state.reservedBy.get(interactionId);
    kws?.delete(kw);
    if (kws?.size === 0) this.state.reservedBy.delete(interactionId);
  }

  load(kw: string): Promise<number> {
    return this.step(() => {
      checkName('kw', kw);
      return this.state.reservations.get(kw)?.size ?? 0;
    });
  }

  claimInteraction(interactionId: string, instance: string, leaseMs: number): Promise<ClaimResult> {
    return this.step(() => {
      checkName('interactionId', interactionId);
      checkName('instance', instance);
      checkLease(leaseMs);
      const o = this.state.interactions.get(interactionId);
      if (o) {
        if (o.owner !== instance) return { owner: false, holder: o.owner };
        o.leaseUntil = this.now() + leaseMs;
        return { owner: true, token: o.token };
      }
      const token = this.nextToken();
      this.state.interactions.set(interactionId, {
        owner: instance,
        token,
        leaseUntil: this.now() + leaseMs,
        record: undefined,
      });
      return { owner: true, token };
    });
  }

  renewLease(
    interactionId: string,
    instance: string,
    token: FencingToken,
    leaseMs: number,
  ): Promise<boolean> {
    return this.step(() => {
      checkName('interactionId', interactionId);
      checkName('instance', instance);
      checkToken(token);
      checkLease(leaseMs);
      const o = this.state.interactions.get(interactionId);
      if (!o || o.owner !== instance || o.token !== token) return false;
      o.leaseUntil = this.now() + leaseMs;
      return true;
    });
  }

  takeOver(interactionId: string, instance: string, leaseMs: number): Promise<TakeOverResult> {
    return this.step(() => {
      checkName('interactionId', interactionId);
      checkName('instance', instance);
      checkLease(leaseMs);
      const o = this.state.interactions.get(interactionId);
      if (!o) return { owner: false, holder: null };
      const now = this.now();
      if (o.leaseUntil > now) return { owner: false, holder: o.owner };
      const previous = o.owner;
      o.owner = instance;
      o.token = this.nextToken();
      o.leaseUntil = now + leaseMs;
      return { owner: true, token: o.token, previous };
    });
  }

  saveInteraction(interactionId: string, token: FencingToken, record: JsonObject): Promise<boolean> {
    return this.step(() => {
      checkName('interactionId', interactionId);
      checkToken(token);
      const json = checkRecord(record);
      const o = this.state.interactions.get(interactionId);
      if (!o || o.token !== token) return false;
      o.record = json;
      return true;
    });
  }

  loadInteraction(interactionId: string): Promise<JsonObject | undefined> {
    return this.step(() => {
      checkName('interactionId', interactionId);
      const json = this.state.interactions.get(interactionId)?.record;
      return json === undefined ? undefined : (JSON.parse(json) as JsonObject);
    });
  }

  releaseInteraction(interactionId: string, token: FencingToken): Promise<boolean> {
    return this.step(() => {
      checkName('interactionId', interactionId);
      checkToken(token);
      const o = this.state.interactions.get(interactionId);
      if (!o || o.token !== token) return false;
      this.state.interactions.delete(interactionId);
      return true;
    });
  }

  schedule(key: string, atMs: number): Promise<void> {
    return this.step(() => {
      checkName('key', key);
      checkTime('atMs', atMs);
      this.state.deadlines.set(key, atMs);
    });
  }

  cancel(key: string): Promise<boolean> {
    return this.step(() => {
      checkName('key', key);
      return this.state.deadlines.delete(key);
    });
  }

  claimDue(nowMs: number, limit: number): Promise<string[]> {
    return this.step(() => {
      checkTime('nowMs', nowMs);
      checkInt('limit', limit, 1, MAX_CLAIM_LIMIT);
      const due: Array<[string, number]> = [];
      for (const [key, at] of this.state.deadlines) if (at <= nowMs) due.push([key, at]);
      // Redis's order: by score, then by member (byte order; ours is code-unit order).
      due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const claimed = due.slice(0, limit).map(([key]) => key);
      for (const key of claimed) this.state.deadlines.delete(key);
      return claimed;
    });
  }

  setKwState(kw: string, state: RoutingState, sinceMs: number): Promise<void> {
    return this.step(() => {
      checkName('kw', kw);
      const json = checkRoutingState(state);
      checkTime('sinceMs', sinceMs);
      const r = this.kwRecord(kw);
      r.state = json;
      r.sinceMs = sinceMs;
    });
  }

  kwState(kw: string): Promise<KwStateRecord | undefined> {
    return this.step(() => {
      checkName('kw', kw);
      const r = this.state.kws.get(kw);
      if (r?.state === undefined || r.sinceMs === undefined) return undefined;
      return { state: JSON.parse(r.state) as RoutingState, sinceMs: r.sinceMs };
    });
  }

  setLastEnded(kw: string, ms: number): Promise<void> {
    return this.step(() => {
      checkName('kw', kw);
      checkTime('ms', ms);
      const r = this.kwRecord(kw);
      if (r.lastEndedMs === undefined || ms > r.lastEndedMs) r.lastEndedMs = ms;
    });
  }

  lastEnded(kw: string): Promise<number | undefined> {
    return this.step(() => {
      checkName('kw', kw);
      return this.state.kws.get(kw)?.lastEndedMs;
    });
  }

  appendEvent(event: JsonObject): Promise<void> {
    return this.step(() => {
      const events = this.state.events;
      events.push(checkRecord(event));
      if (events.length > EVENT_STREAM_MAX) {
        this.state.eventsTrimmed += events.length - EVENT_STREAM_MAX;
        events.splice(0, events.length - EVENT_STREAM_MAX);
      }
    });
  }

  recentEvents(limit: number): Promise<JsonObject[]> {
    return this.step(() => {
      checkInt('limit', limit, 1, EVENT_STREAM_MAX);
      return this.state.events.slice(-limit).map((json) => JSON.parse(json) as JsonObject);
    });
  }

  eventsAfter(after: string | undefined, limit: number): Promise<EventPage> {
    return this.step(() => {
      checkInt('limit', limit, 1, EVENT_STREAM_MAX);
      // The cursor is how many events were ever appended up to the last one read.
      const seen = after === undefined ? 0 : Number(after);
      if (!Number.isSafeInteger(seen) || seen < 0) throw new TypeError(`eventsAfter: not a cursor: ${after}`);
      const from = Math.max(0, seen - this.state.eventsTrimmed);
      const page = this.state.events.slice(from, from + limit);
      const cursor = page.length === 0 ? after : String(this.state.eventsTrimmed + from + page.length);
      return { events: page.map((json) => JSON.parse(json) as JsonObject), cursor };
    });
  }

  getCursor(rp: string): Promise<string | undefined> {
    return this.step(() => {
      checkName('rp', rp);
      return this.state.cursors.get(rp);
    });
  }

  setCursor(rp: string, kw: string): Promise<void> {
    return this.step(() => {
      checkName('rp', rp);
      checkName('kw', kw);
      this.state.cursors.set(rp, kw);
    });
  }

  ping(): Promise<void> {
    return this.step(() => undefined);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
