/**
 * The routing engine of one routing point: the per-interaction state machine
 * (requested → offering ⇄ waiting → routed → ended, or → not-routed). It does
 * no I/O: time comes from an injected Clock, everything it wants sent goes to
 * injected effects, and the SIP side feeds it requests, answers, ends and the
 * outcome of the previews it sent. See README.md for the rules it implements.
 */
import type { Logger } from '../main/core/log.js';
import type { ControlInput, NotRouted, PreviewCancel } from '../wire/control.js';
import { startTimer, type CancelTimer, type Clock } from './clock.js';
import type { MemberConfig, RoutingPointConfig } from './config.js';
import type { RouterEventInput } from './event-log.js';
import type { MemberChange, MemberDirectory } from './members.js';
import { chooseOffer, notOfferableBecause, type MemberFacts } from './selection.js';
import { limitsFor, type ProtectionLedger } from './protection.js';
import type { Strategy } from './strategies/index.js';
import type { InteractionRecord, InteractionRequest, OfferOutcome } from './interaction-record.js';

export type CancelReason = PreviewCancel['reason'];
export type NotRoutedReason = NotRouted['reason'];
/** A KW's decline, with the reason they gave, as `not-routed` carries it. */
export type Decline = NonNullable<NotRouted['declines']>[number];

export type { InteractionRequest, OfferOutcome } from './interaction-record.js';

export interface EngineEffects {
  /** Sends the preview; rejects (with a `status` when there is one) when the KW's side refused it. */
  sendPreview(kw: string, preview: ControlInput<'preview'>): Promise<void>;
  sendCancel(kw: string, interactionId: string, reason: CancelReason): void;
  /** Rejects when the agent cannot be reached. */
  sendRouted(agent: string, routed: ControlInput<'routed'>): Promise<void>;
  sendNotRouted(
    agent: string,
    interactionId: string,
    reason: NotRoutedReason,
    declines: readonly Decline[],
  ): void;
  sendEnd(to: string, interactionId: string, reason: string): void;
  event(event: RouterEventInput): void;
  /**
   * A reservation this interaction held on `kw` is given back; `token` is the
   * shared store's fencing token when the reservation was made there (shared
   * mode); `ended`: the KW's interaction ended (their idle time starts now).
   */
  released?(kw: string, interactionId: string, token: number | undefined, ended: boolean): void;
}

export interface Reply {
  readonly status: number;
  readonly reason: string;
}

interface Offer {
  readonly kw: string;
  /** When the preview was sent (answer time = decision − this). */
  readonly offeredAt: number;
  outcome: OfferOutcome;
  /** What the KW said when declining. */
  declineReason?: string;
  /** The shared store's fencing token of this offer's reservation (shared mode). */
  token?: number;
  cancelTimer: CancelTimer | undefined;
}

interface Active {
  readonly key: string;
  readonly request: InteractionRequest;
  phase: 'routing' | 'routed';
  readonly offers: Map<string, Offer>;
  attempts: number;
  /** Set the first time nobody could be offered; never moved (see README: the wait budget). */
  waitDeadline: number | undefined;
  cancelWait: CancelTimer | undefined;
  /** Ends a routed interaction nobody ended (config inactivityTimeoutMs). */
  cancelInactivity: CancelTimer | undefined;
  /** When the inactivity timeout ends it (routed only). */
  inactiveAt: number | undefined;
  kw: string | undefined;
  /** When it was routed (chat duration = end − this). */
  routedAt: number | undefined;
}

type FinishedPhase = 'not-routed' | 'ended' | 'released';

interface Finished {
  readonly phase: FinishedPhase;
  readonly agent: string;
  /** Changes when an escalated call goes to another KW (reassign). */
  kw: string | undefined;
  readonly request: InteractionRequest;
  readonly offers: ReadonlyMap<string, OfferOutcome>;
  readonly until: number;
}

export interface InteractionSnapshot {
  readonly interactionId: string;
  readonly phase: 'routing' | 'routed' | FinishedPhase;
  readonly kw: string | undefined;
  readonly offers: Readonly<Record<string, OfferOutcome>>;
  readonly attempts: number;
}

export interface EngineOptions {
  readonly config: RoutingPointConfig;
  readonly strategy: Strategy;
  readonly directory: MemberDirectory;
  readonly clock: Clock;
  readonly effects: EngineEffects;
  readonly logger: Logger;
  /** How long a finished interaction is remembered (late answers → 409, repeated end → 200). */
  readonly finishedTtlMs?: number;
  /**
   * `local` (default): the engine keeps its interactions and arms its own timers.
   * `external` (shared mode, router/shared-routing.ts): an engine per step, which
   * adopts the one interaction from the store; no timers are armed (the
   * coordinator schedules `nextDeadline()` in the store and calls `tick()`), and
   * no member events are followed (the coordinator turns them into steps).
   */
  readonly timers?: 'local' | 'external';
  /** Protecting the experts (issue 16): what each KW did lately; absent = no limits applied. */
  readonly protection?: ProtectionLedger;
}

/** Member lookups of a routing point, built once per config (an engine is built per step in shared mode). */
const memberTables = new WeakMap<
  RoutingPointConfig,
  { byUri: ReadonlyMap<string, MemberConfig>; uris: readonly string[] }
>();
function membersOf(config: RoutingPointConfig): {
  byUri: ReadonlyMap<string, MemberConfig>;
  uris: readonly string[];
} {
  let table = memberTables.get(config);
  if (!table) {
    table = { byUri: new Map(config.members.map((m) => [m.uri, m])), uris: config.members.map((m) => m.uri) };
    memberTables.set(config, table);
  }
  return table;
}

const FINISHED_TTL_MS = 10 * 60_000;
const MAX_FINISHED = 10_000;

/**
 * The not-routed reason, from the outcomes of the previews of one interaction
 * (previews cancelled because another KW took the interaction do not count):
 * none offered → `no-kw-available`; every one timed out → `timeout`;
 * otherwise (at least one decline, refused preview, or withdrawal because the
 * KW logged out) → `declined`.
 */
export function notRoutedReason(outcomes: Iterable<OfferOutcome>): NotRoutedReason {
  const relevant = [...outcomes].filter(
    (o) => o === 'declined' || o === 'failed' || o === 'timed-out' || o === 'withdrawn',
  );
  if (relevant.length === 0) return 'no-kw-available';
  if (relevant.every((o) => o === 'timed-out')) return 'timeout';
  return 'declined';
}

export class RoutingEngine {
  private readonly active = new Map<string, Active>();
  private readonly finished = new Map<string, Finished>();
  private readonly membersByUri: ReadonlyMap<string, MemberConfig>;
  private readonly memberUris: readonly string[];
  private cursor: string | undefined;
  private depth = 0;
  private kickPending = false;
  private closed = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly options: EngineOptions) {
    const members = membersOf(options.config);
    this.membersByUri = members.byUri;
    this.memberUris = members.uris;
    // External mode: the coordinator follows the members and builds an engine per step.
    if (options.timers === 'external') return;
    this.unsubscribe.push(
      options.directory.on('freed', (uri) => {
        if (this.membersByUri.has(uri)) this.kick();
      }),
      options.directory.on('state', (change) => this.onMemberState(change)),
    );
  }

  get routingPoint(): string {
    return this.options.config.uri;
  }

  /** A new request from an agent. Routing starts at once; the reply is for the agent's MESSAGE. */
  request(request: InteractionRequest): Reply {
    if (this.closed) return { status: 503, reason: 'Router Stopping' };
    const key = request.interactionId.toLowerCase();
    this.prune();
    if (this.active.has(key)) return { status: 409, reason: 'Interaction Already In Progress' };
    // A finished interaction may be asked for again (e.g. after not-routed): a fresh start.
    this.finished.delete(key);
    const ix: Active = {
      key,
      request,
      phase: 'routing',
      offers: new Map(),
      attempts: 0,
      waitDeadline: undefined,
      cancelWait: undefined,
      cancelInactivity: undefined,
      inactiveAt: undefined,
      kw: undefined,
      routedAt: undefined,
    };
    this.active.set(key, ix);
    this.event(ix, 'requested', { agent: request.agent.uri });
    this.run(() => this.advance(ix));
    return { status: 200, reason: 'OK' };
  }

  /** A `preview-answer` from `from` (an address of record). */
  answer(interactionId: string, from: string, decision: 'accept' | 'decline', reason?: string): Reply {
    const key = interactionId.toLowerCase();
    const ix = this.active.get(key);
    if (!ix) {
      const done = this.lookupFinished(key);
      if (!done) return { status: 481, reason: 'Interaction Does Not Exist' };
      return done.offers.has(from)
        ? { status: 409, reason: 'Interaction Already Answered' }
        : { status: 403, reason: 'Not Offered To You' };
    }
    const offer = ix.offers.get(from);
    if (!offer) return { status: 403, reason: 'Not Offered To You' };
    if (offer.outcome !== 'pending')
      return { status: 409, reason: `Preview Already ${offerOutcomeText(offer.outcome)}` };
    return this.run(() => {
      if (decision === 'decline') {
        this.settle(ix, offer, 'declined');
        if (reason) offer.declineReason = reason;
        this.event(ix, 'declined', { kw: from, ...(reason ? { reason } : {}), ...this.answerTime(offer) });
        this.advance(ix);
        return { status: 200, reason: 'OK' };
      }
      this.accept(ix, offer);
      return { status: 200, reason: 'OK' };
    });
  }

  /**
   * An `end` from `from`: the agent or the KW of the interaction. While routing,
   * the agent's `end` withdraws the request (previews cancelled `withdrawn`).
   * The event's reason says who ended it: `agent`, `kw`, `withdrawn`.
   */
  end(interactionId: string, from: string): Reply {
    const key = interactionId.toLowerCase();
    const ix = this.active.get(key);
    if (!ix) {
      const done = this.lookupFinished(key);
      if (done && done.phase !== 'not-routed' && (from === done.agent || from === done.kw)) {
        return { status: 200, reason: 'Already Ended' };
      }
      if (done && done.phase !== 'not-routed')
        return { status: 403, reason: 'Not A Party Of This Interaction' };
      return { status: 481, reason: 'Interaction Does Not Exist' };
    }
    const agent = ix.request.agent.uri;
    if (ix.phase === 'routing') {
      if (from !== agent) return { status: 403, reason: 'Not A Party Of This Interaction' };
      return this.run(() => {
        for (const offer of ix.offers.values()) {
          if (offer.outcome !== 'pending') continue;
          this.settle(ix, offer, 'withdrawn');
          this.options.effects.sendCancel(offer.kw, ix.request.interactionId, 'withdrawn');
          this.event(ix, 'cancelled', { kw: offer.kw, reason: 'withdrawn' });
        }
        this.finish(ix, 'ended');
        this.event(ix, 'ended', { agent, reason: 'withdrawn' });
        return { status: 200, reason: 'OK' };
      });
    }
    const kw = ix.kw;
    if (from !== agent && from !== kw) return { status: 403, reason: 'Not A Party Of This Interaction' };
    return this.run(() => {
      this.finish(ix, 'ended');
      if (kw !== undefined) this.releaseKw(ix, kw);
      this.event(ix, 'ended', { ...(kw ? { kw } : {}), agent, reason: from === agent ? 'agent' : 'kw' });
      return { status: 200, reason: 'OK' };
    });
  }

  /** A preview could not be delivered (the KW's client refused it, or nobody is there). */
  previewFailed(interactionId: string, kw: string, status: number | undefined): void {
    const ix = this.active.get(interactionId.toLowerCase());
    const offer = ix?.offers.get(kw);
    if (!ix || !offer || offer.outcome !== 'pending') return;
    this.run(() => {
      this.settle(ix, offer, 'failed');
      this.event(ix, 'declined', {
        kw,
        reason: `preview refused${status === undefined ? '' : ` (${status})`}`,
      });
      this.advance(ix);
    });
  }

  /** Re-evaluates waiting interactions, oldest first (presence or capacity changed). */
  kick(): void {
    if (this.closed) return;
    if (this.depth > 0) {
      this.kickPending = true;
      return;
    }
    this.run(() => {
      for (const ix of [...this.active.values()]) if (ix.phase === 'routing') this.advance(ix);
    });
  }

  snapshot(interactionId: string): InteractionSnapshot | undefined {
    const key = interactionId.toLowerCase();
    const ix = this.active.get(key);
    if (ix) {
      return {
        interactionId: ix.request.interactionId,
        phase: ix.phase,
        kw: ix.kw,
        offers: Object.fromEntries([...ix.offers.values()].map((o) => [o.kw, o.outcome])),
        attempts: ix.attempts,
      };
    }
    const done = this.lookupFinished(key);
    return done
      ? {
          interactionId,
          phase: done.phase,
          kw: done.kw,
          offers: Object.fromEntries(done.offers),
          attempts: done.offers.size,
        }
      : undefined;
  }

  /** The agent's request of an interaction (active, or finished within the TTL). */
  requestOf(interactionId: string): InteractionRequest | undefined {
    const key = interactionId.toLowerCase();
    return this.active.get(key)?.request ?? this.lookupFinished(key)?.request;
  }

  /** The member last offered an interaction here (round robin's cursor). */
  get lastOffered(): string | undefined {
    return this.cursor;
  }

  /**
   * An escalated call went to `kw` instead of the interaction's KW, who is now
   * `kw`. A routed interaction moves its load: the old KW is released, and
   * `kw` keeps the reservation its call preview made (`'active'`). A finished
   * one only remembers the new KW, for the next call (`'finished'`).
   */
  reassign(interactionId: string, kw: string): 'active' | 'finished' | undefined {
    const key = interactionId.toLowerCase();
    const ix = this.active.get(key);
    if (ix?.phase === 'routed') {
      const previous = ix.kw;
      ix.kw = kw;
      if (previous !== undefined && previous !== kw) this.run(() => this.releaseKw(ix, previous));
      this.startInactivity(ix);
      return 'active';
    }
    const done = ix ? undefined : this.lookupFinished(key);
    if (done && done.phase !== 'not-routed') {
      done.kw = kw;
      return 'finished';
    }
    return undefined;
  }

  /** Interactions being routed or routed (not finished) on this routing point. */
  activeInteractions(): InteractionSnapshot[] {
    return [...this.active.keys()].flatMap((k) => this.snapshot(k) ?? []);
  }

  /**
   * Stops: previews still out are withdrawn, agents still waiting get
   * `not-routed` (`no-kw-available`), timers are cleared. Routed interactions are
   * left to their parties.
   */
  close(): void {
    if (this.closed) return;
    this.run(() => {
      for (const ix of [...this.active.values()]) if (ix.phase === 'routing') this.withdrawForStop(ix);
    });
    this.closed = true;
    for (const ix of this.active.values()) {
      ix.cancelWait?.();
      ix.cancelInactivity?.();
    }
    for (const off of this.unsubscribe.splice(0)) off();
  }

  // --- Shared mode (timers: 'external'): one interaction adopted per step ---

  /** The interaction (active or finished) as a record for the store. */
  exportRecord(interactionId: string): InteractionRecord | undefined {
    const key = interactionId.toLowerCase();
    const ix = this.active.get(key);
    if (ix) {
      return {
        phase: ix.phase,
        request: ix.request,
        offers: [...ix.offers.values()].map((o) => ({
          kw: o.kw,
          offeredAt: o.offeredAt,
          outcome: o.outcome,
          ...(o.declineReason !== undefined ? { declineReason: o.declineReason } : {}),
          ...(o.token !== undefined ? { token: o.token } : {}),
        })),
        attempts: ix.attempts,
        ...optionalFields({
          kw: ix.kw,
          waitDeadline: ix.waitDeadline,
          inactiveAt: ix.inactiveAt,
          routedAt: ix.routedAt,
        }),
      };
    }
    const done = this.finished.get(key);
    if (!done) return undefined;
    return {
      phase: done.phase,
      request: done.request,
      offers: [...done.offers].map(([kw, outcome]) => ({ kw, offeredAt: 0, outcome })),
      attempts: done.offers.size,
      ...optionalFields({ kw: done.kw, until: done.until }),
    };
  }

  /** Takes the record in as this engine's state of the interaction (replacing what it had). */
  adopt(record: InteractionRecord): void {
    const key = record.request.interactionId.toLowerCase();
    this.evict(key);
    if (record.phase === 'routing' || record.phase === 'routed') {
      const offers = new Map<string, Offer>(
        record.offers.map((o) => [o.kw, { ...o, cancelTimer: undefined }]),
      );
      this.active.set(key, {
        key,
        request: record.request,
        phase: record.phase,
        offers,
        attempts: record.attempts,
        waitDeadline: record.waitDeadline,
        cancelWait: undefined,
        cancelInactivity: undefined,
        inactiveAt: record.inactiveAt,
        kw: record.kw,
        routedAt: record.routedAt,
      });
      return;
    }
    this.finished.set(key, {
      phase: record.phase,
      agent: record.request.agent.uri,
      kw: record.kw,
      request: record.request,
      offers: new Map(record.offers.map((o) => [o.kw, o.outcome])),
      until: record.until ?? this.options.clock.now(),
    });
  }

  /** Forgets the interaction here (the store keeps it). */
  evict(interactionId: string): void {
    const key = interactionId.toLowerCase();
    const ix = this.active.get(key);
    if (ix) {
      ix.cancelWait?.();
      ix.cancelInactivity?.();
      for (const o of ix.offers.values()) o.cancelTimer?.();
      this.active.delete(key);
    }
    this.finished.delete(key);
  }

  /** Fires what is due now: previews past their timeout, the wait, inactivity. */
  tick(interactionId: string): void {
    const ix = this.active.get(interactionId.toLowerCase());
    if (!ix || this.closed) return;
    const now = this.options.clock.now();
    this.run(() => {
      if (ix.phase === 'routing') {
        for (const offer of [...ix.offers.values()]) {
          if (offer.outcome === 'pending' && offer.offeredAt + this.options.config.previewTimeoutMs <= now)
            this.timedOut(ix, offer);
        }
        this.advance(ix);
      } else if (ix.inactiveAt !== undefined && ix.inactiveAt <= now) {
        this.inactive(ix);
      }
    });
  }

  /** When `tick` has something to do next (finished: when it may be forgotten). */
  nextDeadline(interactionId: string): number | undefined {
    const key = interactionId.toLowerCase();
    const ix = this.active.get(key);
    if (!ix) return this.finished.get(key)?.until;
    if (ix.phase === 'routed') return ix.inactiveAt;
    const expiries = [...ix.offers.values()]
      .filter((o) => o.outcome === 'pending')
      .map((o) => o.offeredAt + this.options.config.previewTimeoutMs);
    return expiries.length > 0 ? Math.min(...expiries) : ix.waitDeadline;
  }

  /** Whether the interaction waits for a member (routing, no preview out). */
  isWaiting(interactionId: string): boolean {
    const ix = this.active.get(interactionId.toLowerCase());
    return ix?.phase === 'routing' && ![...ix.offers.values()].some((o) => o.outcome === 'pending');
  }

  /** The store reserved `kw` for this offer with `token` (released with it later). */
  setOfferToken(interactionId: string, kw: string, token: number): void {
    const offer = this.active.get(interactionId.toLowerCase())?.offers.get(kw);
    if (offer) offer.token = token;
  }

  /**
   * The store refused to reserve `kw` (at capacity through another instance):
   * the offer is taken back as if never made (no preview went out) and the
   * interaction moves on.
   */
  reservationRefused(interactionId: string, kw: string): void {
    const ix = this.active.get(interactionId.toLowerCase());
    const offer = ix?.offers.get(kw);
    if (!ix || offer?.outcome !== 'pending') return;
    offer.cancelTimer?.();
    ix.offers.delete(kw);
    ix.attempts -= 1;
    // No `release` here: the local load was just set to the store's (setLoad), and a
    // release would announce a KW who is not free at all (a kick storm).
    this.run(() => this.advance(ix));
  }

  /** A member logged out: their pending preview is withdrawn, their routed interaction released. */
  memberLoggedOut(interactionId: string, kw: string): void {
    const ix = this.active.get(interactionId.toLowerCase());
    if (ix && !this.closed) this.run(() => this.loggedOut(ix, kw));
  }

  /** `routed` could not reach the agent (shared mode: the coordinator saw the send fail). */
  routedUndelivered(interactionId: string, error: unknown): void {
    const ix = this.active.get(interactionId.toLowerCase());
    if (ix) this.run(() => this.agentUnreachable(ix, error));
  }

  /** The routing point's round-robin cursor, as the store has it. */
  restoreCursor(kw: string | undefined): void {
    this.cursor = kw;
  }

  /** Withdraws one interaction still routing (the router is stopping; memory store only). */
  stopRouting(interactionId: string): void {
    const ix = this.active.get(interactionId.toLowerCase());
    if (ix?.phase === 'routing') this.run(() => this.withdrawForStop(ix));
  }

  // -------------------------------------------------------------------------

  private withdrawForStop(ix: Active): void {
    for (const offer of ix.offers.values()) {
      if (offer.outcome !== 'pending') continue;
      this.settle(ix, offer, 'withdrawn');
      this.options.effects.sendCancel(offer.kw, ix.request.interactionId, 'withdrawn');
      this.event(ix, 'cancelled', { kw: offer.kw, reason: 'router-stopping' });
    }
    this.notRouted(ix, 'the router is stopping', 'no-kw-available');
  }

  private advance(ix: Active): void {
    if (ix.phase !== 'routing' || this.active.get(ix.key) !== ix) return;
    if ([...ix.offers.values()].some((o) => o.outcome === 'pending')) return;
    const { config } = this.options;
    if (ix.attempts >= config.maxAttempts)
      return this.notRouted(ix, `attempts limit (${config.maxAttempts}) reached`);
    if (this.memberUris.every((m) => ix.offers.has(m))) return this.notRouted(ix, 'every member was offered');

    const eligible = this.memberUris
      .filter((m) => !ix.offers.has(m) && this.offerable(m))
      .map((uri) => ({ uri, idleSince: this.options.directory.idleSince(uri) }));
    const limit = config.maxAttempts - ix.attempts;
    const choice = chooseOffer(this.options.strategy, {
      members: this.memberUris,
      eligible,
      offered: new Set(ix.offers.keys()),
      userData: ix.request.userData,
      cursor: this.cursor,
      limit,
    });
    if (choice.kind === 'give-up') return this.notRouted(ix, choice.why);
    if (choice.kind === 'wait') return this.wait(ix, choice.why);
    ix.cancelWait?.();
    ix.cancelWait = undefined;
    for (const kw of choice.kws) this.offer(ix, kw);
  }

  private wait(ix: Active, why: string): void {
    const now = this.options.clock.now();
    if (ix.waitDeadline === undefined) {
      ix.waitDeadline = now + this.options.config.waitForAvailableMs;
      this.options.logger.debug('waiting for an available member', {
        interactionId: ix.request.interactionId,
        why,
        waitMs: this.options.config.waitForAvailableMs,
      });
      this.sayWhoComesBack(ix, ix.waitDeadline);
    }
    if (now >= ix.waitDeadline) return this.notRouted(ix, `nobody available within the wait (${why})`);
    ix.cancelWait ??= this.arm(ix.waitDeadline - now, () => {
      ix.cancelWait = undefined;
      this.run(() => this.advance(ix));
    });
  }

  /**
   * `waitForDndEnding`: the members in Do not disturb who said it ends within
   * the wait count as coming back; the event log says whom the wait is for
   * (the wait itself is the same: it lasts the whole budget anyway).
   */
  private sayWhoComesBack(ix: Active, deadline: number): void {
    if (this.options.config.waitForDndEnding !== true) return;
    const now = this.options.clock.now();
    for (const kw of this.memberUris) {
      const until = this.options.directory.dndUntil(kw);
      if (until === undefined || until <= now || until > deadline || ix.offers.has(kw)) continue;
      const at = new Date(until).toISOString();
      this.event(ix, 'waiting', {
        kw,
        agent: ix.request.agent.uri,
        reason: `back from Do not disturb at ${at}`,
      });
    }
  }

  private offer(ix: Active, kw: string): void {
    const { config, clock, directory, effects } = this.options;
    const offer: Offer = { kw, offeredAt: clock.now(), outcome: 'pending', cancelTimer: undefined };
    offer.cancelTimer = this.arm(config.previewTimeoutMs, () => {
      offer.cancelTimer = undefined;
      this.run(() => this.timedOut(ix, offer));
    });
    ix.offers.set(kw, offer);
    ix.attempts += 1;
    this.cursor = kw;
    directory.reserve(kw);
    this.event(ix, 'offered', { kw, agent: ix.request.agent.uri });
    const { request } = ix;
    effects
      .sendPreview(kw, {
        interactionId: request.interactionId,
        agent: request.agent,
        routingPoint: config.uri,
        subject: request.subject,
        text: request.text,
        userData: request.userData,
        expiresAt: new Date(clock.now() + config.previewTimeoutMs).toISOString(),
      })
      .catch((error: unknown) => this.previewFailed(request.interactionId, kw, statusOf(error)));
  }

  private timedOut(ix: Active, offer: Offer): void {
    if (offer.outcome !== 'pending' || this.active.get(ix.key) !== ix) return;
    this.settle(ix, offer, 'timed-out');
    this.options.effects.sendCancel(offer.kw, ix.request.interactionId, 'timeout');
    this.event(ix, 'timed-out', { kw: offer.kw, ...this.answerTime(offer) });
    this.advance(ix);
  }

  private accept(ix: Active, offer: Offer): void {
    const { effects } = this.options;
    offer.cancelTimer?.();
    offer.cancelTimer = undefined;
    offer.outcome = 'accepted'; // its reservation stays: it is now the interaction's
    this.event(ix, 'accepted', { kw: offer.kw, ...this.answerTime(offer) });
    for (const other of ix.offers.values()) {
      if (other.outcome !== 'pending') continue;
      this.settle(ix, other, 'taken');
      effects.sendCancel(other.kw, ix.request.interactionId, 'taken');
      this.event(ix, 'cancelled', { kw: other.kw, reason: 'taken' });
    }
    ix.cancelWait?.();
    ix.cancelWait = undefined;
    ix.phase = 'routed';
    ix.kw = offer.kw;
    ix.routedAt = this.options.clock.now();
    this.startInactivity(ix);
    const member = this.membersByUri.get(offer.kw);
    const agent = ix.request.agent.uri;
    this.event(ix, 'routed', { kw: offer.kw, agent });
    effects
      .sendRouted(agent, {
        interactionId: ix.request.interactionId,
        kw: {
          uri: offer.kw,
          displayName: member?.displayName ?? offer.kw,
          voiceUri: member?.voiceUri ?? offer.kw,
        },
      })
      .catch((error: unknown) => this.run(() => this.agentUnreachable(ix, error)));
  }

  /** `routed` could not be delivered: nobody will chat with the KW, so free them. */
  private agentUnreachable(ix: Active, error: unknown): void {
    if (this.active.get(ix.key) !== ix || ix.phase !== 'routed' || ix.kw === undefined) return;
    const kw = ix.kw;
    this.options.logger.warn('routed could not reach the agent: ending the interaction', {
      interactionId: ix.request.interactionId,
      agent: ix.request.agent.uri,
      status: statusOf(error),
    });
    this.options.effects.sendEnd(kw, ix.request.interactionId, 'agent-unreachable');
    this.finish(ix, 'ended');
    this.releaseKw(ix, kw);
    this.event(ix, 'ended', { kw, agent: ix.request.agent.uri, reason: 'agent-unreachable' });
  }

  private onMemberState(change: MemberChange): void {
    if (!this.membersByUri.has(change.uri) || this.closed) return;
    if (change.current.kind === 'LoggedOut') {
      this.run(() => {
        for (const ix of [...this.active.values()]) this.loggedOut(ix, change.uri);
      });
    } else if (change.current.kind === 'Ready') {
      this.kick();
    }
  }

  private loggedOut(ix: Active, kw: string): void {
    const offer = ix.offers.get(kw);
    if (ix.phase === 'routing' && offer?.outcome === 'pending') {
      this.settle(ix, offer, 'withdrawn');
      this.options.effects.sendCancel(kw, ix.request.interactionId, 'withdrawn');
      this.event(ix, 'cancelled', { kw, reason: 'kw-logged-out' });
      this.advance(ix);
    } else if (ix.phase === 'routed' && ix.kw === kw) {
      this.finish(ix, 'released');
      this.releaseKw(ix, kw);
      this.event(ix, 'ended', { kw, agent: ix.request.agent.uri, reason: 'kw-logged-out' });
    }
  }

  private notRouted(ix: Active, why: string, forced?: NotRoutedReason): void {
    const reason = forced ?? notRoutedReason([...ix.offers.values()].map((o) => o.outcome));
    this.finish(ix, 'not-routed');
    this.options.logger.info('not routed', { interactionId: ix.request.interactionId, reason, why });
    this.event(ix, 'not-routed', { agent: ix.request.agent.uri, reason });
    const declines = [...ix.offers.values()]
      .filter((o) => o.outcome === 'declined')
      .map((o) => ({ kw: o.kw, ...(o.declineReason ? { reason: o.declineReason } : {}) }));
    this.options.effects.sendNotRouted(ix.request.agent.uri, ix.request.interactionId, reason, declines);
  }

  /** A routed interaction ended: its KW is free again, after the wrap-up. */
  private releaseKw(ix: Active, kw: string): void {
    this.options.directory.release(kw, true, this.options.config.wrapUpMs);
    const offer = ix.offers.get(kw);
    // A KW who got the interaction through a call preview holds no stored reservation.
    const token = offer?.outcome === 'accepted' ? offer.token : undefined;
    this.options.effects.released?.(kw, ix.request.interactionId, token, true);
  }

  private startInactivity(ix: Active): void {
    ix.cancelInactivity?.();
    ix.inactiveAt = this.options.clock.now() + this.options.config.inactivityTimeoutMs;
    ix.cancelInactivity = this.arm(this.options.config.inactivityTimeoutMs, () => {
      ix.cancelInactivity = undefined;
      this.run(() => this.inactive(ix));
    });
  }

  /** Nobody ended it within the inactivity timeout: tell both parties, free the KW. */
  private inactive(ix: Active): void {
    if (this.active.get(ix.key) !== ix || ix.phase !== 'routed' || ix.kw === undefined) return;
    const { kw } = ix;
    const agent = ix.request.agent.uri;
    this.options.effects.sendEnd(kw, ix.request.interactionId, 'inactivity');
    this.options.effects.sendEnd(agent, ix.request.interactionId, 'inactivity');
    this.finish(ix, 'ended');
    this.releaseKw(ix, kw);
    this.event(ix, 'ended', { kw, agent, reason: 'inactivity' });
  }

  private finish(ix: Active, phase: FinishedPhase): void {
    ix.cancelWait?.();
    ix.cancelWait = undefined;
    ix.cancelInactivity?.();
    ix.cancelInactivity = undefined;
    for (const offer of ix.offers.values()) {
      offer.cancelTimer?.();
      offer.cancelTimer = undefined;
    }
    this.active.delete(ix.key);
    this.finished.set(ix.key, {
      phase,
      agent: ix.request.agent.uri,
      kw: ix.kw,
      request: ix.request,
      offers: new Map([...ix.offers.values()].map((o) => [o.kw, o.outcome])),
      until: this.options.clock.now() + (this.options.finishedTtlMs ?? FINISHED_TTL_MS),
    });
    if (this.finished.size > MAX_FINISHED) {
      const oldest = this.finished.keys().next().value;
      if (oldest !== undefined) this.finished.delete(oldest);
    }
  }

  /** Ends a pending offer without an accept: its reservation is returned. */
  private settle(ix: Active, offer: Offer, outcome: Exclude<OfferOutcome, 'pending' | 'accepted'>): void {
    offer.cancelTimer?.();
    offer.cancelTimer = undefined;
    offer.outcome = outcome;
    this.options.directory.release(offer.kw, false);
    this.options.effects.released?.(offer.kw, ix.request.interactionId, offer.token, false);
  }

  private offerable(uri: string): boolean {
    const { directory, config } = this.options;
    const capacity = this.membersByUri.get(uri)?.capacity ?? config.capacity;
    const facts = {
      state: directory.state(uri),
      load: directory.loadHint(uri),
      capacity,
      inWrapUp: directory.inWrapUp(uri),
      ...this.protectionOf(uri),
    };
    return notOfferableBecause(facts) === undefined;
  }

  /** The member's limits and what they did lately, when limits apply. */
  private protectionOf(uri: string): Pick<MemberFacts, 'protection'> {
    const limits = limitsFor(this.options.config, uri);
    const ledger = this.options.protection;
    if (!limits || !ledger) return {};
    return { protection: { limits, facts: ledger.facts(uri), now: this.options.clock.now() } };
  }

  /** A local timer, or none when the coordinator keeps the deadlines (`timers: 'external'`). */
  private arm(ms: number, fn: () => void): CancelTimer | undefined {
    return this.options.timers === 'external' ? undefined : startTimer(this.options.clock, ms, fn);
  }

  private lookupFinished(key: string): Finished | undefined {
    const done = this.finished.get(key);
    if (done && done.until <= this.options.clock.now()) {
      this.finished.delete(key);
      return undefined;
    }
    return done;
  }

  private prune(): void {
    const now = this.options.clock.now();
    // Insertion order is finishing order, and every entry has the same TTL.
    for (const [key, done] of this.finished) {
      if (done.until > now) break;
      this.finished.delete(key);
    }
  }

  /**
   * Runs a step of the machine; a kick that arrives meanwhile (a release
   * notifies every engine synchronously) is replayed once the step is done.
   */
  private run<T>(fn: () => T): T {
    this.depth += 1;
    try {
      return fn();
    } finally {
      this.depth -= 1;
      if (this.depth === 0 && this.kickPending && !this.closed) {
        this.kickPending = false;
        this.kick();
      }
    }
  }

  private event(
    ix: Active,
    event: RouterEventInput['event'],
    fields: Omit<RouterEventInput, 'event' | 'interactionId' | 'routingPoint'>,
  ): void {
    // An ended chat carries its duration (routed → end).
    const duration =
      event === 'ended' && ix.routedAt !== undefined
        ? { durationMs: this.options.clock.now() - ix.routedAt }
        : {};
    this.options.effects.event({
      event,
      interactionId: ix.request.interactionId,
      routingPoint: this.options.config.uri,
      ...fields,
      ...duration,
    });
  }

  /** Offer → decision, for reporting. */
  private answerTime(offer: Offer): { durationMs: number } {
    return { durationMs: this.options.clock.now() - offer.offeredAt };
  }
}

/** The fields whose value is defined (records leave the others out). */
function optionalFields<T extends Record<string, string | number | undefined>>(
  fields: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** The SIP status of a failed request, when it had one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** An offer's outcome as words for a reason phrase. */
export function offerOutcomeText(outcome: OfferOutcome): string {
  switch (outcome) {
    case 'accepted':
      return 'Accepted';
    case 'declined':
      return 'Declined';
    case 'failed':
      return 'Failed';
    case 'timed-out':
      return 'Timed Out';
    case 'taken':
      return 'Taken By Another KW';
    case 'withdrawn':
      return 'Withdrawn';
    case 'pending':
      return 'Pending';
  }
}
