/**
 * One routing point in shared mode: every input of an interaction (the agent's
 * request, a preview-answer, an end, a deadline, a KW who frees up or logs
 * out, an escalated call) is one step, on whichever instance it reached:
 *
 *   lock (store lease) → load the record → engine adopts it → the engine's
 *   synchronous step, its effects held → reserve the previewed KWs in the
 *   store (a refusal takes the offer back and the engine moves on) → save
 *   the record, schedule its next deadline → send what was held → unlock.
 *
 * So the store holds the whole truth between steps, an instance can die
 * between any two of them, and any other instance carries on: the deadlines
 * it had set fire on whoever claims them (router/deadline-poller.ts), and a
 * message that reaches another instance finds the same record there.
 * See docs/decisions.md "Router store".
 */
import type { Logger } from '../main/core/log.js';
import type { Clock } from './clock.js';
import type { MemberConfig, RoutingPointConfig } from './config.js';
import {
  statusOf,
  type EngineEffects,
  type InteractionRequest,
  type Reply,
  type RoutingEngine,
} from './engine.js';
import { EffectBuffer, type HeldEffect } from './effect-buffer.js';
import { parseInteractionRecord, recordToJson, type InteractionRecord } from './interaction-record.js';
import { InteractionBusyError, type Held, type InteractionLocks } from './interaction-lock.js';
import type { MemberDirectory } from './members.js';
import { SharedIndex } from './shared-index.js';
import { StoreError, StoreUnavailableError, type RouterStore } from './store/types.js';

const RECORD_VERSION = 1;
/** A waiting interaction is looked at again at least this often (a KW freed on another instance). */
const DEFAULT_RECHECK_MS = 2000;
/**
 * A KW who frees up here is offered to this many of the interactions waiting
 * longest (one usually takes them; ticking every waiting one per freed slot
 * would be a storm under load).
 */
const KICK_BATCH = 3;
const RELEASE_RETRIES = 30;

export interface SharedRoutingOptions {
  readonly config: RoutingPointConfig;
  /**
   * An engine for one step (`timers: 'external'`), with the step's held effects.
   * One per step: steps of different interactions interleave at their awaits,
   * and each must see only its own interaction and send only its own effects.
   */
  readonly createEngine: (effects: EngineEffects) => RoutingEngine;
  /** What actually sends (router.ts). */
  readonly effects: EngineEffects;
  readonly store: RouterStore;
  readonly locks: InteractionLocks;
  readonly directory: MemberDirectory;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recheckMs?: number;
  /** Counts store failures (metrics). */
  readonly onStoreError?: (error: unknown) => void;
}

/** The reply to a message the store could not serve: 503, try again in a moment. */
export function unavailableReply(error: unknown): Reply & { headers: string[] } {
  const seconds = error instanceof StoreUnavailableError ? error.retryAfterSeconds : 1;
  const reason =
    error instanceof InteractionBusyError ? 'Interaction Busy, Try Again' : 'Router Store Unavailable';
  return { status: 503, reason, headers: [`Retry-After: ${seconds}`] };
}

/** The last SIP request of each kind a step handled for the interaction: its Call-ID. */
type Seen = { request?: string; invite?: string };

export interface StepOptions<T> {
  /** Handle a forked SIP request once: its copies get `onDuplicate()`. */
  readonly dedupe?: { readonly kind: keyof Seen; readonly callId: string } | undefined;
  readonly onDuplicate?: () => T;
  /** When the input reached this instance: `offered` events of the step carry the time since (the routing decision). */
  readonly arrivedAt?: number;
}

export class SharedRouting {
  readonly index: SharedIndex;
  private readonly prefix: string;
  private readonly members: ReadonlyMap<string, MemberConfig>;
  private readonly sharedCursor: boolean;
  private readonly ticking = new Set<string>();
  private readonly failedTicks = new Set<string>();
  private running: RoutingEngine | undefined;
  private stopping = false;

  constructor(private readonly options: SharedRoutingOptions) {
    this.prefix = `${options.config.uri}|`;
    this.index = new SharedIndex(() => options.clock.now());
    this.members = new Map(options.config.members.map((m) => [m.uri, m]));
    const { strategy, fallback } = options.config;
    this.sharedCursor = strategy === 'round-robin' || fallback === 'round-robin';
  }

  /** The store key of an interaction of this routing point (its record, lock and deadline). */
  keyOf(interactionId: string): string {
    return this.prefix + interactionId.toLowerCase();
  }

  /** The interaction id of a deadline key of this routing point, or undefined. */
  idOfKey(key: string): string | undefined {
    return key.startsWith(this.prefix) ? key.slice(this.prefix.length) : undefined;
  }

  /** The engine of the step whose synchronous part runs now (call routing reads the chat through it). */
  get current(): RoutingEngine | undefined {
    return this.running;
  }

  /**
   * The agent's request. `callId`: its MESSAGE's Call-ID. A proxy that forks
   * delivers the same MESSAGE to every instance; the copy that finds its
   * Call-ID already handled gets 409 and changes nothing, even when the
   * interaction has ended meanwhile (else it would start it afresh).
   */
  request(request: InteractionRequest, callId?: string): Promise<Reply> {
    return this.reply(request.interactionId, (engine) => engine.request(request), {
      arrivedAt: this.options.clock.now(),
      dedupe: callId === undefined ? undefined : { kind: 'request', callId },
      onDuplicate: () => ({ status: 409, reason: 'Request Already Handled' }),
    });
  }

  /** A preview-answer; `first` (call previews) may answer it before the chat's engine does. */
  answer(
    interactionId: string,
    from: string,
    decision: 'accept' | 'decline',
    reason: string | undefined,
    first?: () => Reply | undefined,
  ): Promise<Reply> {
    return this.reply(
      interactionId,
      (engine) => first?.() ?? engine.answer(interactionId, from, decision, reason),
    );
  }

  end(interactionId: string, from: string): Promise<Reply> {
    return this.reply(interactionId, (engine) => engine.end(interactionId, from));
  }

  /** Fires what is due on the interaction (its deadline was claimed, or a KW freed up). */
  async tick(interactionId: string): Promise<void> {
    const key = this.keyOf(interactionId);
    if (this.ticking.has(key)) return;
    this.ticking.add(key);
    try {
      await this.step(interactionId, (engine) => engine.tick(interactionId));
      this.failedTicks.delete(interactionId);
    } catch (error) {
      // The claimed deadline is gone from the store: keep it here until a tick succeeds.
      this.failedTicks.add(interactionId);
      this.storeFailed('deadline not handled yet (will retry)', interactionId, error);
    } finally {
      this.ticking.delete(key);
    }
  }

  /** Ticks that failed (store down), tried again. */
  retryFailed(): void {
    for (const id of [...this.failedTicks]) void this.tick(id);
  }

  /** A KW may have freed up here: the interactions waiting longest (as seen here) are looked at again. */
  kick(): void {
    for (const id of this.index.waiting(KICK_BATCH)) void this.tick(id);
  }

  loggedOut(kw: string): void {
    for (const id of this.index.involving(kw)) {
      this.step(id, (engine) => engine.memberLoggedOut(id, kw)).catch((error: unknown) =>
        this.storeFailed('logout not applied', id, error),
      );
    }
  }

  /**
   * Runs `fn` as a step of the interaction (call routing reads and changes it
   * through the engine). With `dedupe`, a SIP request (by kind and Call-ID)
   * that a step already handled gets `onDuplicate()` and changes nothing.
   */
  step<T>(interactionId: string, fn: (engine: RoutingEngine) => T, options?: StepOptions<T>): Promise<T> {
    const key = this.keyOf(interactionId);
    return this.options.locks.withLock(key, (held) => this.stepLocked(interactionId, key, held, fn, options));
  }

  /**
   * Refuses new messages from now on (503). `withdraw` (memory store: the state
   * dies with the process): agents still waiting hear `not-routed` first. With
   * a shared store the interactions are left to the other instances.
   */
  async stop(withdraw: boolean): Promise<void> {
    this.stopping = true;
    if (!withdraw) return;
    await Promise.allSettled(
      this.index.routing().map((id) => this.step(id, (engine) => engine.stopRouting(id))),
    );
  }

  // -------------------------------------------------------------------------

  private async reply(
    interactionId: string,
    fn: (engine: RoutingEngine) => Reply,
    options?: StepOptions<Reply>,
  ): Promise<Reply> {
    if (this.stopping) return { status: 503, reason: 'Router Stopping' };
    try {
      return await this.step(interactionId, fn, options);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError || error instanceof InteractionBusyError)) throw error;
      this.storeFailed('message refused with 503', interactionId, error);
      return unavailableReply(error);
    }
  }

  private async stepLocked<T>(
    interactionId: string,
    key: string,
    held: Held,
    fn: (engine: RoutingEngine) => T,
    options: StepOptions<T> | undefined,
  ): Promise<T> {
    const { store, config } = this.options;
    const buffer = new EffectBuffer();
    const engine = this.options.createEngine(buffer.effects);
    const seen = await this.load(engine, key);
    const dedupe = options?.dedupe;
    if (dedupe && options?.onDuplicate && seen[dedupe.kind] === dedupe.callId) {
      // Known here too, so a KW freed on this instance reaches it if it waits.
      this.index.update(interactionId, engine.exportRecord(interactionId), engine.isWaiting(interactionId));
      return options.onDuplicate();
    }
    if (dedupe) seen[dedupe.kind] = dedupe.callId;
    const cursor = this.sharedCursor ? await store.getCursor(config.uri) : undefined;
    if (this.sharedCursor) engine.restoreCursor(cursor);
    this.running = engine;
    let result: T;
    try {
      result = fn(engine);
    } finally {
      this.running = undefined;
    }
    const reserved: Array<{ kw: string; token: number }> = [];
    let record: InteractionRecord | undefined;
    try {
      await this.reserveOffers(engine, buffer, interactionId, key, reserved);
      record = engine.exportRecord(interactionId);
      await this.save(engine, interactionId, key, held, record, seen);
    } catch (error) {
      // Nothing of this step was recorded or sent: give back what it reserved.
      for (const { kw, token } of reserved) this.release(kw, key, token, RELEASE_RETRIES);
      throw error;
    }
    // The record is saved: the step is done, whatever fails from here on.
    if (this.sharedCursor && engine.lastOffered !== cursor && engine.lastOffered !== undefined)
      await store
        .setCursor(config.uri, engine.lastOffered)
        .catch((error: unknown) => this.storeFailed('round-robin cursor not saved', interactionId, error));
    this.index.update(interactionId, record, engine.isWaiting(interactionId));
    this.flush(interactionId, key, buffer.take(), options?.arrivedAt);
    return result;
  }

  /** Adopts the stored record; returns the SIP requests already handled for it (by kind, their Call-ID). */
  private async load(engine: RoutingEngine, key: string): Promise<Seen> {
    const stored = await this.options.store.loadInteraction(key);
    if (stored === undefined) return {};
    const ix = stored['ix'];
    const parsed =
      stored['v'] === RECORD_VERSION && typeof ix === 'object' && ix !== null && !Array.isArray(ix)
        ? parseInteractionRecord(ix)
        : {
            ok: false as const,
            error:
              stored['v'] === RECORD_VERSION
                ? 'its ix is not an object'
                : `record version ${String(stored['v'])} unknown`,
          };
    if (!parsed.ok) throw new StoreError(`interaction ${key}: stored record refused: ${parsed.error}`);
    engine.adopt(parsed.record);
    const seen = stored['seen'];
    const result: Seen = {};
    if (typeof seen === 'object' && seen !== null && !Array.isArray(seen)) {
      for (const kind of ['request', 'invite'] as const) {
        const callId = seen[kind];
        if (typeof callId === 'string') result[kind] = callId;
      }
    }
    return result;
  }

  /** Reserves every KW previewed in this step; a refusal takes that offer back (the engine may offer others). */
  private async reserveOffers(
    engine: RoutingEngine,
    buffer: EffectBuffer,
    interactionId: string,
    key: string,
    reserved: Array<{ kw: string; token: number }>,
  ): Promise<void> {
    const { store, directory } = this.options;
    const done = new Set<string>();
    for (;;) {
      const kws = buffer.previews().filter((kw) => !done.has(kw));
      if (kws.length === 0) return;
      const results = await Promise.all(kws.map((kw) => store.reserve(kw, key, this.capacityOf(kw))));
      kws.forEach((kw, i) => {
        const r = results[i];
        if (r === undefined) return;
        if (r.ok) {
          done.add(kw);
          reserved.push({ kw, token: r.token });
          engine.setOfferToken(interactionId, kw, r.token);
          return;
        }
        buffer.dropOffer(kw);
        directory.setLoad(kw, r.load);
        engine.reservationRefused(interactionId, kw);
      });
    }
  }

  private async save(
    engine: RoutingEngine,
    interactionId: string,
    key: string,
    held: Held,
    record: InteractionRecord | undefined,
    seen: Seen,
  ): Promise<void> {
    const { store, clock } = this.options;
    const live = record?.phase === 'routing' || record?.phase === 'routed';
    // Over: it holds no reservation, including one an instance made and died before recording.
    if (record && !live) await store.releaseAllOf(key);
    if (!record || (!live && (record.until ?? 0) <= clock.now())) {
      held.forgotten = await store.releaseInteraction(key, held.token);
      // A deadline left behind only ticks an interaction that is gone: harmless.
      if (record) await store.cancel(key).catch((error: unknown) => this.options.onStoreError?.(error));
      return;
    }
    const saved = await store.saveInteraction(key, held.token, {
      v: RECORD_VERSION,
      ix: recordToJson(record),
      seen: { ...seen },
    });
    if (!saved) throw new StoreError(`interaction ${key}: another instance took it over during the step`);
    let next = engine.nextDeadline(interactionId);
    if (engine.isWaiting(interactionId))
      next = Math.min(
        next ?? Number.POSITIVE_INFINITY,
        clock.now() + (this.options.recheckMs ?? DEFAULT_RECHECK_MS),
      );
    try {
      if (next === undefined) await store.cancel(key);
      else await store.schedule(key, next);
    } catch (error) {
      // Saved but not scheduled: tick it from here until a step schedules it.
      this.failedTicks.add(interactionId);
      this.storeFailed('deadline not scheduled yet (will retry)', interactionId, error);
    }
  }

  private flush(
    interactionId: string,
    key: string,
    held: readonly HeldEffect[],
    arrivedAt: number | undefined,
  ): void {
    const { effects } = this.options;
    const later = (what: string, fn: (engine: RoutingEngine) => void): void =>
      void this.step(interactionId, fn).catch((error: unknown) =>
        this.storeFailed(what, interactionId, error),
      );
    for (const e of held) {
      switch (e.kind) {
        case 'preview':
          effects
            .sendPreview(e.kw, e.preview)
            .catch((error: unknown) =>
              later('preview failure not applied', (engine) =>
                engine.previewFailed(interactionId, e.kw, statusOf(error)),
              ),
            );
          break;
        case 'routed':
          effects
            .sendRouted(e.agent, e.routed)
            .catch((error: unknown) =>
              later('undelivered routed not applied', (engine) =>
                engine.routedUndelivered(interactionId, error),
              ),
            );
          break;
        case 'cancel':
          effects.sendCancel(e.kw, e.interactionId, e.reason);
          break;
        case 'not-routed':
          effects.sendNotRouted(e.agent, e.interactionId, e.reason, e.declines);
          break;
        case 'end':
          effects.sendEnd(e.to, e.interactionId, e.reason);
          break;
        case 'event':
          effects.event(
            e.event.event === 'offered' && arrivedAt !== undefined
              ? { ...e.event, durationMs: this.options.clock.now() - arrivedAt }
              : e.event,
          );
          break;
        case 'released':
          if (e.token !== undefined) this.release(e.kw, key, e.token, RELEASE_RETRIES);
          // When their last interaction ended, for reporting and a restarted instance (kw:{kw} lastEnded).
          if (e.ended)
            this.options.store
              .setLastEnded(e.kw, this.options.clock.now())
              .catch((error: unknown) => this.options.onStoreError?.(error));
          break;
      }
    }
  }

  /** Gives a reservation back; while the store is down, tries again every second. */
  private release(kw: string, key: string, token: number, retries: number): void {
    this.options.store.release(kw, key, token).catch((error: unknown) => {
      this.options.onStoreError?.(error);
      if (retries <= 0) {
        this.options.logger.error('reservation not released: the store stayed unreachable', { kw, key });
        return;
      }
      this.options.clock.setTimeout(() => this.release(kw, key, token, retries - 1), 1000);
    });
  }

  private capacityOf(kw: string): number {
    return this.members.get(kw)?.capacity ?? this.options.config.capacity;
  }

  private storeFailed(what: string, interactionId: string, error: unknown): void {
    this.options.onStoreError?.(error);
    this.options.logger.warn(what, { interactionId, error: String(error) });
  }
}
