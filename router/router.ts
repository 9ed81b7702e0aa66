/**
 * The SIP side of the router: one SIP user agent per routing point (each
 * registers its routing point URI), one presence watch per member, and the
 * engines' effects turned into control MESSAGEs. It works with any SIP server
 * that carries MESSAGE and presence over WebSocket (the lab server, Kamailio).
 */
import type { Logger } from '../main/core/log.js';
import type { IncomingInvite, InviteDecision, SipAccount, SipAgent } from '../main/core/sip/agent.js';
import type { RTCSession } from 'jssip/lib/RTCSession';
import { ESCALATION_HEADER } from '../wire/header-names.js';
import { readUserData } from '../wire/user-data.js';
import { toAor } from '../wire/sip/uri.js';
import type { PresenceWatch, WatchUpdate } from '../main/core/sip/presence-watch.js';
import type { TlsOptions } from '../main/core/sip/ws-socket.js';
import type { ConnectionState } from '../main/core/sip/connection-state.js';
import type { Unsubscribe } from '../main/core/events.js';
import { LIMITS, encodeControlMessage } from '../wire/control.js';
import { CONTROL_CONTENT_TYPE, TEXT_PLAIN_UTF8 } from '../wire/content-types.js';
import { INTERACTION_HEADER } from '../wire/header-names.js';
import type { ControlInput, ControlType } from '../wire/control.js';
import { headerLine, sanitizeReasonPhrase } from '../wire/sip/headers.js';
import { parsePidf } from '../wire/presence/pidf.js';
import type { Clock } from './clock.js';
import type { RouterConfig, RoutingPointConfig } from './config.js';
import { RoutingEngine, type EngineEffects, type InteractionSnapshot, type Reply } from './engine.js';
import type { EventLog } from './event-log.js';
import { handleInbound } from './inbound.js';
import { MemberDirectory } from './members.js';
import { mapPresence, routingStateText, type PresenceView, type RoutingState } from './routing-state.js';
import { strategyFor } from './strategies/index.js';
import { escalationKind } from './call-routing.js';
import {
  CallEscalations,
  type CallHandle,
  type CallStart,
  type InteractionAccess,
} from './call-escalation.js';
import { InteractionLocks } from './interaction-lock.js';
import { SharedRouting } from './shared-routing.js';
import { DeadlinePoller } from './deadline-poller.js';
import { ProtectionKeeper } from './protection-keeper.js';
import { maskPreview } from './mask.js';
import { TextOffers } from './text-offers.js';
import type { RouterStore } from './store/types.js';

export type AgentFactory = (account: SipAccount, logger: Logger) => SipAgent;

export interface RouterOptions {
  readonly config: RouterConfig;
  readonly servers: readonly string[];
  readonly logger: Logger;
  readonly eventLog: EventLog;
  readonly clock: Clock;
  readonly createAgent: AgentFactory;
  readonly tls?: TlsOptions;
  /** Where interactions, reservations and deadlines live (memory, or Redis shared by instances). */
  readonly store: RouterStore;
  /** This instance's name in the store (ownership of an interaction during a step). */
  readonly instance: string;
  /** Counts store failures (metrics). */
  readonly onStoreError?: (error: unknown) => void;
}

interface RoutingPointRuntime {
  readonly config: RoutingPointConfig;
  readonly agent: SipAgent;
  readonly shared: SharedRouting;
  readonly calls: CallEscalations;
}

/** A step may hold an interaction this long; an instance killed in a step blocks it no longer. */
const STEP_LEASE_MS = 2000;
/**
 * The local load only remembers a refusal for the step that got it: another
 * instance may give the KW back at any moment, and a stale "busy" would keep
 * a free KW from being offered (seen: decisions 2–5 s late with two instances).
 * The store's reservation decides; a busy KW costs one refused reserve.
 */
const LOAD_HINT_TTL_MS = 50;

export class Router {
  readonly directory: MemberDirectory;
  private readonly points: RoutingPointRuntime[] = [];
  private readonly watches: Array<{ agent: SipAgent; watch: PresenceWatch; off: Unsubscribe }> = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly log: Logger;
  private readonly poller: DeadlinePoller;
  /** Protecting the experts (issue 16): limits, pauses and the ledger they read. */
  private readonly protection: ProtectionKeeper;

  constructor(private readonly options: RouterOptions) {
    this.log = options.logger;
    this.directory = new MemberDirectory(options.clock, LOAD_HINT_TTL_MS);
    this.protection = this.protectionKeeper();
    const locks = new InteractionLocks({
      store: options.store,
      instance: options.instance,
      leaseMs: STEP_LEASE_MS,
      waitMs: STEP_LEASE_MS + 500,
    });
    this.directory.on('state', (c) =>
      this.log.info('routing state', {
        kw: c.uri,
        from: routingStateText(c.previous),
        to: routingStateText(c.current),
      }),
    );
    for (const rp of options.config.routingPoints) {
      const logger = this.log.child(rp.uri.replace(/^sips?:/, ''));
      const agent = options.createAgent(
        {
          uri: rp.uri,
          displayName: rp.displayName,
          ...(rp.authUser !== undefined ? { authUser: rp.authUser } : {}),
          ...(rp.password !== undefined ? { password: rp.password } : {}),
          servers: options.servers,
          ...(options.tls ? { tls: options.tls } : {}),
        },
        logger,
      );
      // Plain SIP phones (issue 16): previews refused with 415 go as text, answered by text.
      const texts = new TextOffers({
        sendText: (to, body, interactionId) => this.sendText(agent, to, body, interactionId),
        answer: (id, kw, decision) => answer(id, kw, decision),
        clock: options.clock,
        logger: logger.child('text'),
      });
      const effects = this.effects(agent, logger, rp, texts);
      const strategy = strategyFor(rp);
      const shared = new SharedRouting({
        config: rp,
        createEngine: (held) =>
          new RoutingEngine({
            config: rp,
            strategy,
            directory: this.directory,
            clock: options.clock,
            effects: held,
            logger,
            timers: 'external',
            protection: this.protection.ledger,
          }),
        effects,
        store: options.store,
        locks,
        directory: this.directory,
        clock: options.clock,
        logger,
        ...(options.onStoreError ? { onStoreError: options.onStoreError } : {}),
      });
      const calls = new CallEscalations({
        config: rp,
        strategy,
        directory: this.directory,
        interactions: interactionAccess(shared),
        clock: options.clock,
        effects,
        logger: logger.child('calls'),
      });
      // A preview-answer to a call preview belongs to the call; any other to the chat.
      const answer = (
        id: string,
        from: string,
        decision: 'accept' | 'decline',
        reason?: string,
      ): Reply | Promise<Reply> =>
        shared.answer(id, from, decision, reason, () => calls.answer(id, from, decision, reason));
      agent.onMessage(
        (message) =>
          texts.inbound(message) ??
          handleInbound(message, {
            engine: {
              request: (r, callId) => shared.request(r, callId),
              answer,
              end: (id, from) => whenDone(shared.end(id, from), () => texts.endedByAgent(id)),
              resume: (_id, from) => this.protection.resumeAsked(from, rp.uri),
            },
            routingPoint: rp.uri,
            userDataPrefix: options.config.userDataPrefix,
            logger,
          }),
      );
      const point: RoutingPointRuntime = { config: rp, agent, shared, calls };
      agent.onInvite((invite, session) => this.routeCall(point, invite, session, logger));
      this.points.push(point);
      this.followMembers(point);
    }
    this.poller = new DeadlinePoller({
      store: options.store,
      clock: options.clock,
      logger: this.log.child('deadlines'),
      targets: this.points.map((p) => p.shared),
      ...(options.onStoreError ? { onStoreError: options.onStoreError } : {}),
    });
    this.directory.on('state', (c) => {
      options.store
        .setKwState(c.uri, c.current, options.clock.now())
        .catch((error: unknown) => options.onStoreError?.(error));
    });
  }

  /** Members of this routing point who free up or log out: the interactions involved take a step. */
  private followMembers(point: RoutingPointRuntime): void {
    // A Set: this runs for every presence change and every release (10,000 members: a scan each was O(N)).
    const members = new Set(point.config.members.map((m) => m.uri));
    const isMember = (uri: string): boolean => members.has(uri);
    this.directory.on('freed', (uri) => {
      if (isMember(uri)) point.shared.kick();
    });
    this.directory.on('state', (change) => {
      if (!isMember(change.uri)) return;
      if (change.current.kind === 'LoggedOut') point.shared.loggedOut(change.uri);
      else if (change.current.kind === 'Ready') point.shared.kick();
    });
  }

  get routingPoints(): string[] {
    return this.points.map((p) => p.config.uri);
  }

  /** Each routing point's SIP registration state now (health checks). */
  registrations(): Array<{ uri: string; state: ConnectionState }> {
    return this.points.map((p) => ({ uri: p.config.uri, state: p.agent.state }));
  }

  /** Starts every routing point's agent and the presence watches; resolves once all are registered or the time is up. */
  async start(registrationTimeoutMs: number): Promise<{ registered: string[]; pending: string[] }> {
    for (const p of this.points) p.agent.start();
    this.poller.start();
    this.protection.start();
    const watchedBy = new Map<string, SipAgent>();
    for (const p of this.points) {
      for (const m of p.config.members) if (!watchedBy.has(m.uri)) watchedBy.set(m.uri, p.agent);
    }
    for (const [uri, agent] of watchedBy) {
      const watch = agent.watchPresence(uri);
      const off = watch.on('update', (u) => this.onPresence(uri, u));
      this.watches.push({ agent, watch, off });
    }
    const registered = await Promise.all(
      this.points.map((p) =>
        p.agent.isRegistered
          ? Promise.resolve(true)
          : withTimeout(
              p.agent.once('state', (s) => s.phase === 'registered').then(() => true),
              registrationTimeoutMs,
              false,
            ),
      ),
    );
    const result = { registered: [] as string[], pending: [] as string[] };
    this.points.forEach((p, i) => (registered[i] ? result.registered : result.pending).push(p.config.uri));
    if (result.pending.length > 0) {
      this.log.warn('routing points not registered yet (still trying)', { pending: result.pending });
    }
    return result;
  }

  /**
   * An escalated call to this routing point (call-escalation.ts decides). A
   * call that needs a preview is taken: JsSIP rings (180) and the session is
   * terminated later with the 302 or the refusal.
   */
  private routeCall(
    point: RoutingPointRuntime,
    invite: IncomingInvite,
    session: RTCSession,
    logger: Logger,
  ): InviteDecision {
    const interactionId = invite.header(INTERACTION_HEADER)?.trim();
    const call = {
      interactionId,
      caller: { uri: toAor(invite.from.uri) ?? invite.from.uri, displayName: invite.from.displayName },
      escalation: escalationKind(invite.header(ESCALATION_HEADER)),
      userData: readUserData(invite.raw, this.options.config.userDataPrefix),
    };
    const handle = sessionHandle(session, logger);
    if (interactionId === undefined || interactionId === '')
      return this.callDecision(point.calls.invite(call, handle), session, logger, interactionId);
    // The interaction is in the store: the call rings while a step reads it, then gets its answer.
    // Kamailio forks the INVITE to every instance: the copy whose Call-ID a step handled loses (5xx).
    const callId = invite.header('Call-ID');
    const once = {
      dedupe: callId === undefined ? undefined : { kind: 'invite' as const, callId },
      onDuplicate: (): CallStart => ({
        kind: 'refuse',
        status: 500,
        reason: 'Handled By Another Router Instance',
      }),
    };
    point.shared
      .step(interactionId, () => point.calls.invite(call, handle), once)
      .then(
        (start) => {
          const decision = this.callDecision(start, session, logger, interactionId);
          if (decision.kind === 'redirect') handle.redirect(decision.contacts[0] ?? '');
          else if (decision.kind === 'reject') handle.refuse(decision.status, decision.reason ?? 'Refused');
        },
        (error: unknown) => {
          this.options.onStoreError?.(error);
          logger.warn('escalated call refused: the store is unavailable', {
            interactionId,
            error: String(error),
          });
          handle.refuse(503, 'Router Store Unavailable');
        },
      );
    return { kind: 'take' };
  }

  private callDecision(
    start: CallStart,
    session: RTCSession,
    logger: Logger,
    interactionId: string | undefined,
  ): InviteDecision {
    switch (start.kind) {
      case 'redirect':
        logger.info('escalated call redirected', { interactionId, contact: start.contact });
        return { kind: 'redirect', contacts: [start.contact] };
      case 'refuse':
        logger.warn('escalated call refused', { interactionId, status: start.status, reason: start.reason });
        return { kind: 'reject', status: start.status, reason: start.reason };
      case 'pending':
        logger.info('escalated call ringing while previewed', { interactionId });
        // `failed` also fires for our own terminate; the call is over then and abandon does nothing.
        session.on('failed', (e) => {
          if (e.originator !== 'local')
            start.abandon(e.originator === 'remote' ? 'caller-hung-up' : String(e.cause));
        });
        return { kind: 'take' };
    }
  }

  /** The keeper of the experts' limits: its ledger feeds the engines; presence and `resume` bring KWs back. */
  private protectionKeeper(): ProtectionKeeper {
    const { options } = this;
    const keeper = new ProtectionKeeper({
      routingPoints: options.config.routingPoints,
      store: options.store,
      eventLog: options.eventLog,
      clock: options.clock,
      logger: this.log.child('protection'),
      sendPaused: async (rp, kw, paused) => {
        const agent = this.points.find((p) => p.config.uri === rp)?.agent;
        if (!agent) return;
        await agent.sendMessage(kw, encodeControlMessage('paused', paused), {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [headerLine(INTERACTION_HEADER, paused.interactionId)],
        });
      },
      kick: (kw) => {
        for (const p of this.points) if (p.config.members.some((m) => m.uri === kw)) p.shared.kick();
      },
      ...(options.onStoreError ? { onStoreError: options.onStoreError } : {}),
    });
    this.directory.on('state', (c) => {
      if (c.current.kind === 'Ready' && c.previous.kind !== 'Ready') keeper.becameReady(c.uri);
    });
    return keeper;
  }

  routingState(kwUri: string): RoutingState {
    return this.directory.state(kwUri);
  }

  /** The interaction as this instance last saw it (the store has the truth). */
  interaction(interactionId: string, routingPoint?: string): InteractionSnapshot | undefined {
    for (const p of this.points) {
      if (routingPoint !== undefined && p.config.uri !== routingPoint) continue;
      const snapshot = p.shared.index.snapshot(interactionId);
      if (snapshot) return snapshot;
    }
    return undefined;
  }

  /**
   * Stops. With the memory store the interactions die with the process, so
   * agents still waiting hear `not-routed` first; with a shared store they are
   * left to the other instances (their deadlines are in the store).
   */
  async close(): Promise<void> {
    await this.poller.stop();
    this.protection.stop();
    const withdraw = this.options.store.kind === 'memory';
    await Promise.allSettled(this.points.map((p) => p.shared.stop(withdraw)));
    for (const p of this.points) {
      p.calls.close();
    }
    this.directory.close();
    // Give the last cancels / not-routed a moment to leave before unregistering.
    await withTimeout(Promise.allSettled([...this.inFlight]), 2000, undefined);
    for (const { off } of this.watches.splice(0)) off();
    await Promise.allSettled(this.points.map((p) => p.agent.stop(2000)));
  }

  // -------------------------------------------------------------------------

  private onPresence(uri: string, update: WatchUpdate): void {
    let view: PresenceView;
    switch (update.kind) {
      case 'empty':
        view = { kind: 'none' };
        break;
      case 'terminated':
        // Being renewed: the KW is not offered meanwhile, but not released either.
        view = { kind: 'unknown' };
        break;
      case 'document': {
        const parsed = parsePidf(update.body);
        if (!parsed.ok) {
          this.log.warn('unreadable presence document', {
            kw: uri,
            error: parsed.error,
            contentType: update.contentType,
          });
          view = { kind: 'unreadable', error: parsed.error };
        } else {
          view = { kind: 'document', presence: parsed.value };
        }
        break;
      }
    }
    // A timed Do not disturb says when it ends (RPID `until`): waitForDndEnding reads it.
    const until = view.kind === 'document' ? Date.parse(view.presence.until ?? '') : Number.NaN;
    this.directory.setDndUntil(uri, Number.isFinite(until) ? until : undefined);
    this.directory.setState(uri, mapPresence(view, this.options.config.routingTable));
  }

  /** A text/plain MESSAGE from a routing point (a plain phone's preview, sentences, the relayed chat). */
  private sendText(agent: SipAgent, to: string, body: string, interactionId: string): Promise<void> {
    return this.tracked(
      agent.sendMessage(to, body, {
        contentType: TEXT_PLAIN_UTF8,
        headers: [headerLine(INTERACTION_HEADER, interactionId)],
      }),
    );
  }

  /** Sends still out when closing are waited for (briefly). */
  private tracked(sending: Promise<unknown>): Promise<void> {
    const promise = sending.then(() => undefined);
    this.inFlight.add(promise);
    const forget = (): void => void this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  private effects(agent: SipAgent, logger: Logger, rp: RoutingPointConfig, texts: TextOffers): EngineEffects {
    const send = <K extends ControlType>(to: string, type: K, fields: ControlInput<K>): Promise<void> =>
      this.tracked(
        agent.sendMessage(to, encodeControlMessage(type, fields), {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [headerLine(INTERACTION_HEADER, fields.interactionId)],
        }),
      );
    const bestEffort = (what: string, to: string, promise: Promise<void>): void => {
      promise.catch((error: unknown) => logger.info(`${what} not delivered`, { to, error: String(error) }));
    };
    return {
      // The one way a preview leaves (chats and escalated calls alike): masked here, so no path skips it.
      // A plain phone refuses it with 415: texts sends it again as text.
      sendPreview: (kw, preview) => {
        const masked = maskPreview(preview, rp.mask);
        return texts.sendPreview(kw, masked, () => send(kw, 'preview', masked));
      },
      sendCancel: (kw, interactionId, reason) => {
        if (texts.cancelled(kw, interactionId, reason)) return;
        bestEffort('preview-cancel', kw, send(kw, 'preview-cancel', { interactionId, reason }));
      },
      sendRouted: (to, routed) => send(to, 'routed', routed),
      sendNotRouted: (to, interactionId, reason, declines) =>
        bestEffort(
          'not-routed',
          to,
          send(to, 'not-routed', {
            interactionId,
            reason,
            ...(declines.length > 0 ? { declines: declines.slice(0, LIMITS.declines) } : {}),
          }),
        ),
      sendEnd: (to, interactionId, reason) => {
        if (texts.ended(to, interactionId)) return;
        bestEffort('end', to, send(to, 'end', { interactionId, reason }));
      },
      event: (e) => {
        this.protection.local(this.options.eventLog.write(e));
      },
    };
  }
}

/**
 * What call routing reads of the chat: inside a step (an INVITE, a call
 * preview's answer), the interaction that step adopted; outside (a call
 * preview timed out), the last one seen here.
 */
function interactionAccess(shared: SharedRouting): InteractionAccess {
  return {
    snapshot: (id) => shared.current?.snapshot(id) ?? shared.index.snapshot(id),
    requestOf: (id) => shared.current?.requestOf(id) ?? shared.index.request(id),
    reassign: (id, kw) => shared.current?.reassign(id, kw),
    get lastOffered() {
      return shared.current?.lastOffered;
    },
  };
}

/** The final answer of a taken INVITE; the caller may have gone meanwhile (then nothing is sent). */
function sessionHandle(session: RTCSession, logger: Logger): CallHandle {
  const terminate = (options: {
    status_code: number;
    reason_phrase: string;
    extraHeaders?: string[];
  }): void => {
    if (session.isEnded()) return;
    try {
      session.terminate(options);
    } catch (error) {
      logger.warn('escalated call could not be answered', {
        status: options.status_code,
        error: String(error),
      });
    }
  };
  return {
    redirect: (contact) =>
      terminate({
        status_code: 302,
        reason_phrase: 'Moved Temporarily',
        extraHeaders: [`Contact: <${contact}>`],
      }),
    refuse: (status, reason) =>
      terminate({ status_code: status, reason_phrase: sanitizeReasonPhrase(reason) }),
  };
}

/** Runs `then` once the reply is a 2xx (the `end` was taken), and passes the reply on. */
function whenDone(reply: Reply | Promise<Reply>, then: () => void): Reply | Promise<Reply> {
  const check = (r: Reply): Reply => {
    if (r.status >= 200 && r.status < 300) then();
    return r;
  };
  return reply instanceof Promise ? reply.then(check) : check(reply);
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms))),
  ]).finally(() => clearTimeout(timer));
}
