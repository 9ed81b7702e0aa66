/**
 * The KW Desktop's core, composed from its parts: the SIP agent, presence,
 * previews, conversations and history. Plain Node; the Electron shell and the
 * browser harness both build on this.
 */
import type { Logger } from './log.js';
import type { SipAgent } from './sip/agent.js';
import { describeConnectionState, problemOf } from './sip/connection-state.js';
import { PresenceManager, type TimedState } from './presence/presence-manager.js';
import { PreviewAlerts, type AlertSteps } from './previews/preview-alerts.js';
import { presenceDocument, type ManualState } from '../../wire/presence/states.js';
import { encodePidf, parsePidf } from '../../wire/presence/pidf.js';
import {
  routingStateOf,
  describeRoutingState,
  type RoutingState,
} from '../../wire/presence/routing-state.js';
import { PreviewInbox } from './previews/preview-inbox.js';
import type { Clock } from './clock.js';
import { sipControlSender } from './previews/control-sender.js';
import { ConversationService } from './conversations/conversation-service.js';
import type { HistoryStatus, HistoryStore } from './history/history-store.js';
import type { Unsubscribe } from './events.js';
import { dispatchInbound } from './inbound-dispatch.js';
import { ReadyGate } from './ready-gate.js';
import { CallManager } from './calls/call-manager.js';
import type { CallMedia } from './calls/call-media.js';
import { jssipCallSession } from './calls/call-session.js';
import { noMedia } from './calls/no-media.js';
import { recordCallPreviewOutcomes } from './calls/call-preview-outcomes.js';
import { TrustedRoutingPoints } from './previews/trusted-routing-points.js';
import { PauseNotices } from './previews/pause-notices.js';

export interface KwCoreOptions {
  readonly agent: SipAgent;
  readonly history: HistoryStore;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly initialPresence?: ManualState;
  /** A timed Do not disturb still on from before (its end, and the state after it). */
  readonly timedPresence?: TimedState;
  readonly publishExpires?: number;
  /** The media bridge; without one, calls are refused with 480 Media Unavailable. */
  readonly media?: CallMedia;
  readonly ringTimeoutMs?: number;
  /** Tests only: shorter alert levels than the product's 8 s / 16 s. */
  readonly alertStepsMs?: AlertSteps;
  /** The microphone and speaker chosen before. */
  readonly devices?: { readonly input: string; readonly output: string };
  /**
   * The routing points whose previews, preview-cancels and `end`s are accepted (SIP
   * AORs); others get 403. An entry that is not a SIP address throws RangeError.
   */
  readonly trustedRoutingPoints: readonly string[];
}

/** Whether a router could offer this KW an interaction now, and why not. */
export interface RoutableSummary {
  readonly registered: boolean;
  readonly connection: string;
  readonly published: boolean;
  readonly routerSees: RoutingState;
  readonly routable: boolean;
  readonly explanation: string;
}

export class KwCore {
  readonly presence: PresenceManager;
  readonly previews: PreviewInbox;
  /** Unseen requests get louder (chime again, tray, notification). */
  readonly alerts: PreviewAlerts;
  readonly conversations: ConversationService;
  readonly calls: CallManager;
  /** Routing points that stopped sending requests after misses (issue 16). */
  readonly pauses: PauseNotices;
  private started = false;
  /** Inbound MESSAGEs wait for history: they may be about a restored conversation. */
  private readonly historyReady = new ReadyGate();

  constructor(private readonly options: KwCoreOptions) {
    const { agent, logger } = options;
    const control = sipControlSender(agent);
    const clock = options.clock ? { clock: options.clock } : {};
    const trustedRoutingPoints = new TrustedRoutingPoints(options.trustedRoutingPoints);
    if (trustedRoutingPoints.size === 0)
      logger.warn('no trusted routing points configured: every preview will be refused');
    this.presence = new PresenceManager({
      entity: agent.aor,
      publisher: agent.createPublisher({ expires: options.publishExpires ?? 600 }),
      logger: logger.child('presence'),
      ...(options.initialPresence ? { initial: options.initialPresence } : {}),
      ...(options.timedPresence ? { initialTimed: options.timedPresence } : {}),
      ...clock,
    });
    this.previews = new PreviewInbox({ sender: control, logger: logger.child('previews'), ...clock });
    this.alerts = new PreviewAlerts(
      this.previews,
      logger.child('alerts'),
      options.clock,
      options.alertStepsMs,
    );
    this.conversations = new ConversationService({
      transport: agent,
      control,
      history: options.history,
      logger: logger.child('chats'),
      trustedRoutingPoints,
      ...clock,
    });
    this.previews.on('accepted', (preview) => this.conversations.open(preview));
    this.pauses = new PauseNotices(control, logger.child('pauses'));
    this.clearPausesWhenBack();
    recordCallPreviewOutcomes(this.previews, this.conversations);
    this.calls = new CallManager({
      media: options.media ?? noMedia(),
      conversations: this.conversations,
      presence: {
        setInCall: (inCall) => this.presence.setInCall(inCall),
        manual: () => this.presence.snapshot().manual,
      },
      logger: logger.child('calls'),
      ...clock,
      ...(options.ringTimeoutMs ? { ringTimeoutMs: options.ringTimeoutMs } : {}),
      ...(options.devices ? { devices: options.devices } : {}),
    });
    agent.onInvite((invite, session) => this.calls.decideInvite(invite, jssipCallSession(session)));
    const targets = {
      previews: this.previews,
      conversations: this.conversations,
      trustedRoutingPoints,
      logger,
      pauses: this.pauses,
    };
    agent.onMessage((message) => this.historyReady.run(() => dispatchInbound(message, targets)));
  }

  /** Presence becoming Available again is the way back the routers see too: the notices go. */
  private clearPausesWhenBack(): void {
    let previous = this.presence.snapshot().effective;
    this.presence.on('change', (snapshot) => {
      if (snapshot.effective === 'available' && previous !== 'available') this.pauses.clear();
      previous = snapshot.effective;
    });
  }

  get agent(): SipAgent {
    return this.options.agent;
  }

  /** Whether history reaches the disk, and if not, why (a sentence for the user). */
  historyStatus(): HistoryStatus {
    return this.options.history.status();
  }

  onHistoryStatus(listener: (status: HistoryStatus) => void): Unsubscribe {
    return this.options.history.onStatus(listener);
  }

  /**
   * Connects, registers and publishes presence while history is restored (the
   * round trips overlap the reading); resolves once history is in. MESSAGEs
   * that come before are held and answered after it, in order.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const restored = this.conversations.restore();
    this.options.agent.start();
    void this.presence.start();
    try {
      await restored;
    } finally {
      if (this.historyReady.held > 0)
        this.options.logger.info('history restored: answering the MESSAGEs held meanwhile', {
          held: this.historyReady.held,
        });
      this.historyReady.open();
    }
  }

  /** Quitting: publish closed, then the agent withdraws it (Expires: 0) and unregisters. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.previews.dispose();
    this.alerts.dispose();
    this.presence.stop();
    this.calls.hangupAll();
    if (this.options.agent.isRegistered) await this.presence.publishClosed();
    await this.options.agent.stop();
    // The calls just hung up and the last messages may still be on their way to the disk.
    await this.options.history.close();
  }

  routable(): RoutableSummary {
    const agent = this.options.agent;
    const snapshot = this.presence.snapshot();
    const registered = agent.isRegistered;
    const published = snapshot.publication.kind === 'published';
    const parsed = parsePidf(encodePidf(presenceDocument(agent.aor, snapshot.effective)));
    const routerSees: RoutingState =
      registered && published && parsed.ok ? routingStateOf(parsed.value) : { kind: 'LoggedOut' };
    const routable = routerSees.kind === 'Ready';
    let explanation: string;
    // The connection's own line says why (with the technical detail): here only what it means.
    if (!registered)
      explanation = problemOf(agent.state)
        ? 'you are not connected to the SIP server'
        : 'connecting to the SIP server…';
    else if (!published) explanation = 'presence not published yet';
    else explanation = describeRoutingState(routerSees);
    return {
      registered,
      connection: describeConnectionState(agent.state),
      published,
      routerSees,
      routable,
      explanation,
    };
  }
}
