/**
 * Escalated calls of one routing point while the caller waits: the previews a
 * call needs (the interaction's KW with `previewEscalation`, or another member
 * when that KW is not available), and the final answer — a redirect to the KW
 * who accepted, or a refusal. No I/O: the SIP side gives each call a handle
 * that sends the final answer, and the effects send previews and events. The
 * state of one call lives only while the caller rings; the interaction's KW
 * lives in the engine (reassign).
 */
import type { Logger } from '../main/core/log.js';
import type { ControlInput } from '../wire/control.js';
import { startTimer, type CancelTimer, type Clock } from './clock.js';
import {
  NO_EXPERT_AVAILABLE,
  callPreview,
  decideCall,
  type EscalationKind,
  type Refusal,
} from './call-routing.js';
import type { MemberConfig, RoutingPointConfig } from './config.js';
import type { CancelReason, InteractionRequest, InteractionSnapshot, OfferOutcome, Reply } from './engine.js';
import { offerOutcomeText, statusOf } from './engine.js';
import type { RouterEventInput } from './event-log.js';
import type { MemberChange, MemberDirectory } from './members.js';
import type { Strategy } from './strategies/index.js';
import { unmaskedKeys } from './mask.js';

/** The whole escalation must end before JsSIP's own 60 s no-answer timer answers 408. */
export const CALL_DEADLINE_MS = 55_000;
/** An INVITE whose user data holds a value the routing point masks (README: Masked customer data). */
export const UNMASKED_USER_DATA: Refusal = { status: 403, reason: 'Customer Data Not Masked' };
/** Less time than this left: not worth another preview. */
const MIN_PREVIEW_MS = 1000;
const RECENT_TTL_MS = 10 * 60_000;
const MAX_RECENT = 1000;

export interface IncomingCall {
  readonly interactionId: string | undefined;
  readonly caller: { readonly uri: string; readonly displayName: string | undefined };
  readonly escalation: EscalationKind;
  /** The INVITE's user data headers. */
  readonly userData: Readonly<Record<string, string>>;
}

/** Sends the final answer of a call that was taken. */
export interface CallHandle {
  redirect(contact: string): void;
  refuse(status: number, reason: string): void;
}

export type CallStart =
  | { readonly kind: 'redirect'; readonly contact: string }
  | { readonly kind: 'refuse'; readonly status: number; readonly reason: string }
  /** Previews are out: take the session; call `abandon` if the caller goes away. */
  | { readonly kind: 'pending'; readonly abandon: (why: string) => void };

export interface EscalationEffects {
  /** Rejects (with a `status` when there is one) when the KW's side refused the preview. */
  sendPreview(kw: string, preview: ControlInput<'preview'>): Promise<void>;
  sendCancel(kw: string, interactionId: string, reason: CancelReason): void;
  event(event: RouterEventInput): void;
}

/** What call routing needs from the routing point's engine. */
export interface InteractionAccess {
  snapshot(interactionId: string): InteractionSnapshot | undefined;
  requestOf(interactionId: string): InteractionRequest | undefined;
  reassign(interactionId: string, kw: string): 'active' | 'finished' | undefined;
  readonly lastOffered: string | undefined;
}

export interface EscalationOptions {
  readonly config: RoutingPointConfig;
  readonly strategy: Strategy;
  readonly directory: MemberDirectory;
  readonly interactions: InteractionAccess;
  readonly clock: Clock;
  readonly effects: EscalationEffects;
  readonly logger: Logger;
}

interface CallOffer {
  readonly kw: string;
  /** A member new to the interaction holds a slot while previewed. */
  readonly reserved: boolean;
  outcome: OfferOutcome;
  cancelTimer: CancelTimer | undefined;
}

interface PendingCall {
  readonly key: string;
  readonly interactionId: string;
  readonly call: IncomingCall;
  readonly handle: CallHandle;
  /** The interaction's KW when the INVITE arrived. */
  readonly kw: string;
  readonly offers: Map<string, CallOffer>;
  /** What the caller hears when nobody was offered: why the interaction's KW cannot take it. */
  readonly unavailable: Refusal | undefined;
  readonly deadline: number;
  done: boolean;
  /** Set while `invite` runs: an answer found at once is returned, not sent through the handle. */
  immediate: CallStart | undefined | null;
}

export class CallEscalations {
  private readonly pending = new Map<string, PendingCall>();
  /** Offers of calls that are over, so a late answer gets 409 instead of reaching the chat's engine. */
  private readonly recent = new Map<string, { offers: Map<string, OfferOutcome>; until: number }>();
  private readonly members: ReadonlyMap<string, MemberConfig>;
  private readonly off: () => void;
  private closed = false;

  constructor(private readonly options: EscalationOptions) {
    this.members = new Map(options.config.members.map((m) => [m.uri, m]));
    this.off = options.directory.on('state', (change) => this.onMemberState(change));
  }

  /** An INVITE to the routing point. Synchronous: the answer, or `pending` while previews are out. */
  invite(call: IncomingCall, handle: CallHandle): CallStart {
    const { config, interactions, directory } = this.options;
    const interactionId = call.interactionId ?? '';
    const interaction = call.interactionId ? interactions.snapshot(call.interactionId) : undefined;
    const kw = interaction?.kw;
    const decision = decideCall({
      interactionId: call.interactionId,
      interaction,
      kwState: kw ? directory.state(kw) : undefined,
      voiceUri: kw ? this.members.get(kw)?.voiceUri : undefined,
      previewEscalation: config.previewEscalation,
    });
    const base = { interactionId, escalation: call.escalation, agent: call.caller.uri };
    this.event({ ...base, event: 'call-requested', ...(kw ? { kw } : {}) });
    const refuseNow = ({ status, reason }: Refusal): CallStart => {
      this.event({ ...base, event: 'call-refused', ...(kw ? { kw } : {}), reason: `${status} ${reason}` });
      return { kind: 'refuse', status, reason };
    };
    if (this.closed) return refuseNow({ status: 503, reason: 'Router Stopping' });
    if (decision.kind === 'refuse') return refuseNow(decision);
    // The redirected INVITE reaches the KW with the caller's own headers: the router cannot mask them.
    const unmasked = unmaskedKeys(call.userData, config.mask);
    if (unmasked.length > 0) {
      this.options.logger.warn('escalated call refused: its user data is not masked', {
        interactionId,
        keys: unmasked,
      });
      return refuseNow(UNMASKED_USER_DATA);
    }
    if (decision.kind === 'redirect') {
      this.event({ ...base, event: 'call-redirected', kw: decision.kw, reason: decision.contact });
      return { kind: 'redirect', contact: decision.contact };
    }
    const key = interactionId.toLowerCase();
    if (this.pending.has(key)) return refuseNow({ status: 486, reason: 'Call Escalation In Progress' });
    const pc: PendingCall = {
      key,
      interactionId,
      call,
      handle,
      kw: decision.kw,
      offers: new Map(),
      unavailable: decision.kind === 'reroute' ? decision.refusal : undefined,
      deadline: this.options.clock.now() + CALL_DEADLINE_MS,
      done: false,
      immediate: null,
    };
    this.pending.set(key, pc);
    if (decision.kind === 'preview') this.offer(pc, decision.kw, false);
    else {
      this.options.logger.info('escalated call: the interaction’s KW is not available', {
        interactionId,
        kw: decision.kw,
        why: decision.refusal.reason,
      });
      this.next(pc);
    }
    const immediate = pc.immediate;
    pc.immediate = undefined;
    return immediate ?? { kind: 'pending', abandon: (why) => this.abandon(pc, why) };
  }

  /**
   * A `preview-answer`: the call's when this KW has a call preview for that
   * interaction (or had one for a call now over); undefined → the chat's engine.
   */
  answer(
    interactionId: string,
    from: string,
    decision: 'accept' | 'decline',
    reason?: string,
  ): Reply | undefined {
    const key = interactionId.toLowerCase();
    const pc = this.pending.get(key);
    const offer = pc?.offers.get(from);
    if (!pc || !offer) {
      const past = this.recentOutcome(key, from);
      return past === undefined
        ? undefined
        : { status: 409, reason: `Call Preview Already ${offerOutcomeText(past)}` };
    }
    if (offer.outcome !== 'pending')
      return { status: 409, reason: `Call Preview Already ${offerOutcomeText(offer.outcome)}` };
    if (decision === 'decline') {
      this.settle(offer, 'declined');
      this.event({ ...this.base(pc), event: 'call-declined', kw: from, ...(reason ? { reason } : {}) });
      this.next(pc);
    } else {
      this.accept(pc, offer);
    }
    return { status: 200, reason: 'OK' };
  }

  /** The routing point stops: previews are withdrawn, callers still ringing are refused. */
  close(): void {
    this.closed = true;
    this.off();
    for (const pc of [...this.pending.values()]) {
      this.withdraw(pc, 'router-stopping');
      this.conclude(pc, { kind: 'refuse', status: 503, reason: 'Router Stopping' });
    }
  }

  // -------------------------------------------------------------------------

  private next(pc: PendingCall): void {
    if (pc.done || [...pc.offers.values()].some((o) => o.outcome === 'pending')) return;
    const { config, directory, strategy, interactions, clock } = this.options;
    const refusal = pc.offers.size === 0 && pc.unavailable ? pc.unavailable : NO_EXPERT_AVAILABLE;
    const limit = config.maxAttempts - pc.offers.size;
    if (limit <= 0 || pc.deadline - clock.now() < MIN_PREVIEW_MS) return this.refuse(pc, refusal);
    const offered = new Set([pc.kw, ...pc.offers.keys()]);
    const eligible = config.members
      .map((m) => m.uri)
      .filter((m) => !offered.has(m) && this.offerable(m))
      .map((uri) => ({ uri, idleSince: directory.idleSince(uri) }));
    const selection = strategy.select({
      members: config.members.map((m) => m.uri),
      eligible,
      offered,
      userData: { ...interactions.requestOf(pc.interactionId)?.userData, ...pc.call.userData },
      cursor: interactions.lastOffered,
      limit,
    });
    // The caller is ringing: nobody now means nobody (no waiting for availability).
    const allowed = new Set(eligible.map((e) => e.uri));
    const kws = selection.kind === 'offer' ? selection.kws.filter((k) => allowed.has(k)).slice(0, limit) : [];
    if (kws.length === 0) {
      this.options.logger.info('escalated call: nobody to offer', {
        interactionId: pc.interactionId,
        why: selection.kind === 'offer' ? 'the strategy named nobody eligible' : selection.why,
      });
      return this.refuse(pc, refusal);
    }
    for (const kw of new Set(kws)) this.offer(pc, kw, true);
  }

  private offer(pc: PendingCall, kw: string, newKw: boolean): void {
    const { config, clock, directory, effects, interactions } = this.options;
    const timeoutMs = Math.min(config.escalationTimeoutMs, pc.deadline - clock.now());
    const offer: CallOffer = { kw, reserved: newKw, outcome: 'pending', cancelTimer: undefined };
    offer.cancelTimer = startTimer(clock, timeoutMs, () => {
      offer.cancelTimer = undefined;
      this.timedOut(pc, offer);
    });
    pc.offers.set(kw, offer);
    if (newKw) directory.reserve(kw);
    this.event({ ...this.base(pc), event: 'call-offered', kw });
    const original = interactions.requestOf(pc.interactionId);
    const preview = callPreview({
      interactionId: pc.interactionId,
      escalation: pc.call.escalation,
      caller: {
        uri: pc.call.caller.uri,
        displayName: pc.call.caller.displayName ?? original?.agent.displayName ?? pc.call.caller.uri,
      },
      routingPoint: config.uri,
      original,
      newKw,
      userData: [pc.call.userData, original?.userData ?? {}],
      expiresAt: new Date(clock.now() + timeoutMs).toISOString(),
    });
    effects.sendPreview(kw, preview).catch((error: unknown) => this.failed(pc, offer, statusOf(error)));
  }

  private accept(pc: PendingCall, offer: CallOffer): void {
    offer.cancelTimer?.();
    offer.cancelTimer = undefined;
    offer.outcome = 'accepted';
    this.event({ ...this.base(pc), event: 'call-accepted', kw: offer.kw });
    for (const other of pc.offers.values()) {
      if (other.outcome !== 'pending') continue;
      this.settle(other, 'taken');
      this.options.effects.sendCancel(other.kw, pc.interactionId, 'taken');
      this.event({ ...this.base(pc), event: 'call-cancelled', kw: other.kw, reason: 'taken' });
    }
    if (offer.kw !== pc.kw) {
      // The call goes to someone new: they are the interaction's KW from now on.
      const moved = this.options.interactions.reassign(pc.interactionId, offer.kw);
      // A routed chat keeps the new KW's slot; otherwise the slot was only for the preview.
      if (offer.reserved && moved !== 'active') this.options.directory.release(offer.kw, true);
      this.event({ ...this.base(pc), event: 'call-kw-changed', kw: offer.kw, previousKw: pc.kw });
    }
    const contact = this.members.get(offer.kw)?.voiceUri ?? offer.kw;
    this.event({ ...this.base(pc), event: 'call-redirected', kw: offer.kw, reason: contact });
    this.conclude(pc, { kind: 'redirect', contact });
  }

  private timedOut(pc: PendingCall, offer: CallOffer): void {
    if (offer.outcome !== 'pending' || pc.done) return;
    this.settle(offer, 'timed-out');
    this.options.effects.sendCancel(offer.kw, pc.interactionId, 'timeout');
    this.event({ ...this.base(pc), event: 'call-timed-out', kw: offer.kw });
    this.next(pc);
  }

  private failed(pc: PendingCall, offer: CallOffer, status: number | undefined): void {
    if (offer.outcome !== 'pending' || pc.done) return;
    this.settle(offer, 'failed');
    const reason = `preview refused${status === undefined ? '' : ` (${status})`}`;
    this.event({ ...this.base(pc), event: 'call-declined', kw: offer.kw, reason });
    this.next(pc);
  }

  private abandon(pc: PendingCall, why: string): void {
    if (pc.done) return;
    this.withdraw(pc, why);
    this.event({ ...this.base(pc), event: 'call-abandoned', kw: pc.kw, reason: why });
    this.conclude(pc, undefined);
  }

  private onMemberState(change: MemberChange): void {
    if (change.current.kind !== 'LoggedOut') return;
    for (const pc of [...this.pending.values()]) {
      const offer = pc.offers.get(change.uri);
      if (offer?.outcome !== 'pending') continue;
      this.settle(offer, 'withdrawn');
      this.options.effects.sendCancel(offer.kw, pc.interactionId, 'withdrawn');
      this.event({ ...this.base(pc), event: 'call-cancelled', kw: offer.kw, reason: 'kw-logged-out' });
      this.next(pc);
    }
  }

  private withdraw(pc: PendingCall, why: string): void {
    for (const offer of pc.offers.values()) {
      if (offer.outcome !== 'pending') continue;
      this.settle(offer, 'withdrawn');
      this.options.effects.sendCancel(offer.kw, pc.interactionId, 'withdrawn');
      this.event({ ...this.base(pc), event: 'call-cancelled', kw: offer.kw, reason: why });
    }
  }

  private refuse(pc: PendingCall, refusal: Refusal): void {
    this.event({ ...this.base(pc), event: 'call-refused', kw: pc.kw, reason: text(refusal) });
    this.conclude(pc, { kind: 'refuse', ...refusal });
  }

  /** The call is over for the router: the caller gets `answer` (none when they left). */
  private conclude(pc: PendingCall, answer: Exclude<CallStart, { kind: 'pending' }> | undefined): void {
    if (pc.done) return;
    pc.done = true;
    for (const offer of pc.offers.values()) {
      offer.cancelTimer?.();
      offer.cancelTimer = undefined;
    }
    this.pending.delete(pc.key);
    this.remember(pc);
    if (!answer) return;
    if (pc.immediate === null) {
      pc.immediate = answer;
      return;
    }
    if (answer.kind === 'redirect') pc.handle.redirect(answer.contact);
    else pc.handle.refuse(answer.status, answer.reason);
  }

  /** Ends a pending offer without an accept: a new member's slot is returned. */
  private settle(offer: CallOffer, outcome: Exclude<OfferOutcome, 'pending' | 'accepted'>): void {
    offer.cancelTimer?.();
    offer.cancelTimer = undefined;
    offer.outcome = outcome;
    if (offer.reserved) this.options.directory.release(offer.kw, false);
  }

  private offerable(uri: string): boolean {
    const { directory, config } = this.options;
    const capacity = this.members.get(uri)?.capacity ?? config.capacity;
    return directory.state(uri).kind === 'Ready' && directory.load(uri) < capacity;
  }

  private remember(pc: PendingCall): void {
    const now = this.options.clock.now();
    for (const [key, entry] of this.recent) {
      if (entry.until > now && this.recent.size < MAX_RECENT) break;
      this.recent.delete(key);
    }
    this.recent.delete(pc.key);
    this.recent.set(pc.key, {
      offers: new Map([...pc.offers.values()].map((o) => [o.kw, o.outcome])),
      until: now + RECENT_TTL_MS,
    });
  }

  private recentOutcome(key: string, kw: string): OfferOutcome | undefined {
    const entry = this.recent.get(key);
    if (!entry || entry.until <= this.options.clock.now()) return undefined;
    return entry.offers.get(kw);
  }

  private base(pc: PendingCall): Omit<RouterEventInput, 'event' | 'routingPoint'> {
    return { interactionId: pc.interactionId, escalation: pc.call.escalation, agent: pc.call.caller.uri };
  }

  private event(e: Omit<RouterEventInput, 'routingPoint'>): void {
    this.options.effects.event({ ...e, routingPoint: this.options.config.uri });
  }
}

function text(refusal: Refusal): string {
  return `${refusal.status} ${refusal.reason}`;
}
