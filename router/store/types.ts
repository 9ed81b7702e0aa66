/**
 * The router's shared state, behind one interface so that several router
 * instances can share it (Redis) or one instance can keep it in process
 * (memory, the embedded default). Both implementations pass the same contract
 * suite (test/unit/router/store-contract.ts); see README.md in this folder for
 * the key layout and the Lua scripts.
 *
 * Every method is atomic on its own: a read-modify-write is one Lua script in
 * Redis and one synchronous step in memory, so two instances racing on the
 * same KW, interaction or deadline cannot both win.
 *
 * Fencing tokens: reservations and interaction ownership draw their tokens
 * from ONE shared counter, so a token is a strictly increasing integer across
 * all of them. A write that carries a token is accepted only while that token
 * is the current one: an instance that was paused, partitioned or slow and
 * still holds an old token cannot undo or overwrite what a newer holder did.
 *
 * Errors: when the store cannot be reached (connection lost, command timed
 * out, server loading or read-only), a call rejects with
 * `StoreUnavailableError`. The outcome of that call is then UNKNOWN (the
 * command may have run before the connection dropped); every method is safe to
 * retry: `reserve` and `claimInteraction` are idempotent for the same caller,
 * the others are conditional on a token or overwrite with the same value.
 * Invalid arguments (an empty KW, a capacity that is not an integer ≥ 0…) throw
 * a `TypeError`/`RangeError` before anything is sent.
 */
import type { RoutingState } from '../routing-state.js';

export type { RoutingState } from '../routing-state.js';

/** A JSON value as it comes back from the store (what `JSON.parse` gives). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** An interaction record: any JSON object; the caller validates what it loads. */
export type JsonObject = { [key: string]: JsonValue };

/** A fencing token: a positive integer, strictly increasing over the whole store. */
export type FencingToken = number;

export type ReserveResult =
  /** Reserved (or already held by this interaction: the same token again). */
  | { readonly ok: true; readonly token: FencingToken }
  /** The KW already holds `capacity` reservations; `load` is how many. */
  | { readonly ok: false; readonly load: number };

export type ClaimResult =
  /** This instance owns the interaction; `token` fences its writes. */
  | { readonly owner: true; readonly token: FencingToken }
  /** Another instance owns it (its lease may have expired: see `takeOver`). */
  | { readonly owner: false; readonly holder: string };

export type TakeOverResult =
  /** Taken over: a new, higher token; `previous` is the instance whose lease expired. */
  | { readonly owner: true; readonly token: FencingToken; readonly previous: string }
  /** Refused: `holder` still has a live lease, or `null` when nobody ever claimed the interaction. */
  | { readonly owner: false; readonly holder: string | null };

export interface KwStateRecord {
  readonly state: RoutingState;
  /** Since when (epoch ms, the caller's clock) the KW has been in `state`. */
  readonly sinceMs: number;
}

export interface RouterStore {
  /** `memory` or `redis`, for logs and health output. */
  readonly kind: 'memory' | 'redis';

  // --- Reservations (load per KW, with capacity) ---

  /**
   * Reserves one slot of `kw` for `interactionId`, atomically: refused when the
   * KW already holds `capacity` reservations. Reserving the same
   * (kw, interactionId) again returns the same token (whatever the capacity).
   */
  reserve(kw: string, interactionId: string, capacity: number): Promise<ReserveResult>;
  /**
   * Removes the reservation of (kw, interactionId) only if `token` is the one it
   * was made with; false when there is none or it is another (newer) one.
   */
  release(kw: string, interactionId: string, token: FencingToken): Promise<boolean>;
  /** How many reservations `kw` holds now. */
  load(kw: string): Promise<number>;
  /**
   * Removes every reservation `interactionId` holds, whatever its token, and
   * returns the KWs freed. For an interaction that is over: it holds none
   * legitimately, so this also frees one an instance made and died before it
   * could record it.
   */
  releaseAllOf(interactionId: string): Promise<string[]>;

  // --- Interaction ownership (lease + fencing token) and records ---

  /**
   * Becomes the owner of a new interaction (SET NX semantics) with a lease of
   * `leaseMs`. The instance that already owns it gets its current token again
   * and its lease re-armed (so a retry after an unknown outcome is safe); any
   * other instance gets `{ owner: false, holder }`, even when the holder's lease
   * has expired (taking over is `takeOver`'s job).
   */
  claimInteraction(interactionId: string, instance: string, leaseMs: number): Promise<ClaimResult>;
  /**
   * Re-arms the lease for `leaseMs` if `instance` still owns the interaction
   * with `token` (also after the lease lapsed, as long as nobody took over).
   * False when the token is not the current one.
   */
  renewLease(interactionId: string, instance: string, token: FencingToken, leaseMs: number): Promise<boolean>;
  /**
   * Takes the interaction over when the owner's lease has expired: a new,
   * higher token, after which the old owner's token is refused everywhere.
   * Refused while the lease is live.
   */
  takeOver(interactionId: string, instance: string, leaseMs: number): Promise<TakeOverResult>;
  /** Writes the record only if `token` is the current owner token (stale writers are refused). */
  saveInteraction(interactionId: string, token: FencingToken, record: JsonObject): Promise<boolean>;
  /** The last record saved, or undefined (never saved, released, or unknown). */
  loadInteraction(interactionId: string): Promise<JsonObject | undefined>;
  /**
   * Forgets the interaction (owner, lease, record) if `token` is current, so its
   * id may be claimed again (a finished interaction may be asked for again).
   */
  releaseInteraction(interactionId: string, token: FencingToken): Promise<boolean>;

  // --- Deadlines that fire once across instances ---

  /** Schedules (or moves) the deadline `key` to `atMs` (epoch ms). */
  schedule(key: string, atMs: number): Promise<void>;
  /** Removes the deadline; false when there was none (already claimed or never scheduled). */
  cancel(key: string): Promise<boolean>;
  /**
   * Removes and returns up to `limit` deadlines due at `nowMs` (at ≤ nowMs),
   * earliest first. Each key is returned to exactly one caller, however many
   * instances call at once: the caller that gets it must act on it.
   */
  claimDue(nowMs: number, limit: number): Promise<string[]>;

  // --- KW routing state, idle-since, round-robin cursor ---

  setKwState(kw: string, state: RoutingState, sinceMs: number): Promise<void>;
  kwState(kw: string): Promise<KwStateRecord | undefined>;
  /** When the KW's last routed interaction ended; keeps the later of the stored and the given time. */
  setLastEnded(kw: string, ms: number): Promise<void>;
  lastEnded(kw: string): Promise<number | undefined>;
  /** The last member offered on routing point `rp` (round robin), or undefined. */
  getCursor(rp: string): Promise<string | undefined>;
  setCursor(rp: string, kw: string): Promise<void>;

  // --- Events for reporting (a bounded stream) ---

  /**
   * Appends one router event (the event log's JSON object) to the bounded
   * stream `events` (Redis: XADD … MAXLEN ~ `EVENT_STREAM_MAX`, field `json`;
   * memory: the last `EVENT_STREAM_MAX`). Reporting reads it with XREAD.
   */
  appendEvent(event: JsonObject): Promise<void>;
  /** The last `limit` events appended, oldest first. */
  recentEvents(limit: number): Promise<JsonObject[]>;
  /**
   * Reads the stream on from `after` (a cursor this method returned; undefined
   * = from the oldest event kept): at most `limit` events, oldest first, and the
   * cursor to go on from (the same one when there was nothing new). Readers on
   * any instance see the same events in the same order (Redis: XRANGE).
   */
  eventsAfter(after: string | undefined, limit: number): Promise<EventPage>;

  // --- Life cycle ---

  /** Resolves when the store answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  /** Closes the connection (memory: this handle). Later calls reject with StoreUnavailableError. */
  close(): Promise<void>;
}

/** A page of the event stream (`RouterStore.eventsAfter`). */
export interface EventPage {
  readonly events: JsonObject[];
  /** Where the next read goes on from (opaque). */
  readonly cursor: string | undefined;
}

/** How many events the stream keeps (Redis trims approximately, to at least this many). */
export const EVENT_STREAM_MAX = 100_000;

/** Reason names of `StoreUnavailableError`, for logs and metrics. */
export type UnavailableReason = 'closed' | 'disconnected' | 'timeout' | 'server' | 'connect';

/**
 * The store cannot be reached now. The router answers 503 with
 * `Retry-After: retryAfterSeconds`; the outcome of the failed call is unknown
 * (see the module comment: every method is safe to retry).
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly retryAfterSeconds: number;
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 1;
  }
}

/** The store answered, but not as expected (a bug or a foreign key in our namespace): not retryable. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
