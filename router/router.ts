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
import { CONTROL_CONTENT_TYPE } from '../wire/content-types.js';
import { INTERACTION_HEADER } from '../wire/header-names.js';
import type { ControlInput, ControlType } from '../wire/control.js';
import { headerLine, sanitizeReasonPhrase } from '../wire/sip/headers.js';
import { parsePidf } from '../wire/presence/pidf.js';
import type { Clock } from './clock.js';
import type { RouterConfig, RoutingPointConfig } from './config.js';
import { RoutingEngine, type EngineEffects, type InteractionSnapshot } from './engine.js';
import type { EventLog } from './event-log.js';
import { handleInbound } from './inbound.js';
import { MemberDirectory } from './members.js';
import { mapPresence, routingStateText, type PresenceView, type RoutingState } from './routing-state.js';
import { strategyFor } from './strategies/index.js';
import { escalationKind } from './call-routing.js';
import { CallEscalations, type CallHandle } from './call-escalation.js';

export type AgentFactory = (account: SipAccount, logger: Logger) => SipAgent;

export interface RouterOptions {
  readonly config: RouterConfig;
  readonly servers: readonly string[];
  readonly logger: Logger;
  readonly eventLog: EventLog;
  readonly clock: Clock;
  readonly createAgent: AgentFactory;
  readonly tls?: TlsOptions;
}

interface RoutingPointRuntime {
  readonly config: RoutingPointConfig;
  readonly agent: SipAgent;
  readonly engine: RoutingEngine;
  readonly calls: CallEscalations;
}

export class Router {
  readonly directory: MemberDirectory;
  private readonly points: RoutingPointRuntime[] = [];
  private readonly watches: Array<{ agent: SipAgent; watch: PresenceWatch; off: Unsubscribe }> = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly log: Logger;

  constructor(private readonly options: RouterOptions) {
    this.log = options.logger;
    this.directory = new MemberDirectory(options.clock);
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
      const effects = this.effects(agent, logger);
      const engine = new RoutingEngine({
        config: rp,
        strategy: strategyFor(rp),
        directory: this.directory,
        clock: options.clock,
        effects,
        logger,
      });
      const calls = new CallEscalations({
        config: rp,
        strategy: strategyFor(rp),
        directory: this.directory,
        interactions: engine,
        clock: options.clock,
        effects,
        logger: logger.child('calls'),
      });
      agent.onMessage((message) =>
        handleInbound(message, {
          // A preview-answer to a call preview belongs to the call; any other to the chat.
          engine: {
            request: (r) => engine.request(r),
            answer: (id, from, decision, reason) =>
              calls.answer(id, from, decision, reason) ?? engine.answer(id, from, decision, reason),
            end: (id, from) => engine.end(id, from),
          },
          routingPoint: rp.uri,
          userDataPrefix: options.config.userDataPrefix,
          logger,
        }),
      );
      agent.onInvite((invite, session) => this.routeCall(calls, invite, session, logger));
      this.points.push({ config: rp, agent, engine, calls });
    }
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
    calls: CallEscalations,
    invite: IncomingInvite,
    session: RTCSession,
    logger: Logger,
  ): InviteDecision {
    const interactionId = invite.header(INTERACTION_HEADER)?.trim();
    const start = calls.invite(
      {
        interactionId,
        caller: { uri: toAor(invite.from.uri) ?? invite.from.uri, displayName: invite.from.displayName },
        escalation: escalationKind(invite.header(ESCALATION_HEADER)),
        userData: readUserData(invite.raw, this.options.config.userDataPrefix),
      },
      sessionHandle(session, logger),
    );
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

  routingState(kwUri: string): RoutingState {
    return this.directory.state(kwUri);
  }

  interaction(interactionId: string, routingPoint?: string): InteractionSnapshot | undefined {
    for (const p of this.points) {
      if (routingPoint !== undefined && p.config.uri !== routingPoint) continue;
      const snapshot = p.engine.snapshot(interactionId);
      if (snapshot) return snapshot;
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const p of this.points) {
      p.calls.close();
      p.engine.close();
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
    this.directory.setState(uri, mapPresence(view, this.options.config.routingTable));
  }

  private effects(agent: SipAgent, logger: Logger): EngineEffects {
    const send = <K extends ControlType>(to: string, type: K, fields: ControlInput<K>): Promise<void> => {
      const body = encodeControlMessage(type, fields);
      const promise = agent
        .sendMessage(to, body, {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [headerLine(INTERACTION_HEADER, fields.interactionId)],
        })
        .then(() => undefined);
      this.inFlight.add(promise);
      const forget = (): void => void this.inFlight.delete(promise);
      promise.then(forget, forget);
      return promise;
    };
    const bestEffort = (what: string, to: string, promise: Promise<void>): void => {
      promise.catch((error: unknown) => logger.info(`${what} not delivered`, { to, error: String(error) }));
    };
    return {
      sendPreview: (kw, preview) => send(kw, 'preview', preview),
      sendCancel: (kw, interactionId, reason) =>
        bestEffort('preview-cancel', kw, send(kw, 'preview-cancel', { interactionId, reason })),
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
      sendEnd: (to, interactionId, reason) =>
        bestEffort('end', to, send(to, 'end', { interactionId, reason })),
      event: (e) => {
        this.options.eventLog.write(e);
      },
    };
  }
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

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms))),
  ]).finally(() => clearTimeout(timer));
}
