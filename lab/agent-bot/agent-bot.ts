/**
 * A scripted contact-center agent over a SipAgent: asks a routing point for an
 * expert, learns the outcome from the router's `routed` / `not-routed`, chats
 * with the KW and ends the interaction. Used by the router's tests and by the
 * `agent-bot` CLI (a stand-in for the agent desk).
 *
 * The router routes as soon as the request arrives, so `routed` may come in
 * before the request's own 200: the outcome waiter exists before the request
 * is sent.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter, type Unsubscribe } from '../../main/core/events.js';
import type { Logger } from '../../main/core/log.js';
import type { IncomingSipMessage, SentResult, SipAgent, SipReply } from '../../main/core/sip/agent.js';
import {
  encodeControlMessage,
  isControlContentType,
  parseControlMessage,
  type NotRouted,
  type Routed,
} from '../../wire/control.js';
import {
  CONTROL_CONTENT_TYPE,
  IS_COMPOSING_CONTENT_TYPE,
  TEXT_PLAIN,
  TEXT_PLAIN_UTF8,
  mediaType,
} from '../../wire/content-types.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import { headerLine } from '../../wire/sip/headers.js';
import { DEFAULT_USER_DATA_PREFIX, userDataHeaders } from '../../wire/user-data.js';
import { toAor } from '../../wire/sip/uri.js';

export type ExpertKw = Routed['kw'];

export type AskOutcome =
  | { readonly kind: 'routed'; readonly interactionId: string; readonly kw: ExpertKw }
  | { readonly kind: 'not-routed'; readonly interactionId: string; readonly reason: NotRouted['reason'] };

export interface AskOptions {
  readonly text: string;
  readonly subject?: string;
  readonly userData?: Readonly<Record<string, string>>;
  /** Default: a new UUID. */
  readonly interactionId?: string;
  /** How long to wait for `routed` / `not-routed`; default 120 s. */
  readonly timeoutMs?: number;
}

export interface BotMessage {
  readonly interactionId: string;
  readonly from: string;
  readonly text: string;
}

interface BotEvents extends Record<string, unknown> {
  routed: AskOutcome & { kind: 'routed' };
  'not-routed': AskOutcome & { kind: 'not-routed' };
  message: BotMessage;
  /** RFC 3994 typing notification from the KW: `active` or `idle`. */
  typing: { readonly interactionId: string; readonly from: string; readonly state: 'active' | 'idle' };
  /** The KW (or the router) ended the interaction. */
  ended: { readonly interactionId: string; readonly from: string; readonly reason: string | undefined };
}

export type InteractionPhase = 'routing' | 'routed' | 'not-routed' | 'ended';

export interface BotInteraction {
  readonly interactionId: string;
  readonly routingPoint: string;
  phase: InteractionPhase;
  kw: ExpertKw | undefined;
}

export interface AgentBotOptions {
  readonly agent: SipAgent;
  readonly logger: Logger;
  readonly userDataPrefix?: string;
}

export interface EndResult {
  /** Per target (the KW, the routing point): the outcome of sending `end`. */
  readonly sent: ReadonlyArray<{ readonly to: string; readonly status: number; readonly error?: string }>;
}

export class AskError extends Error {
  override readonly name = 'AskError';
}

const DEFAULT_ASK_TIMEOUT_MS = 120_000;

export class AgentBot extends TypedEmitter<BotEvents> {
  private readonly interactions = new Map<string, BotInteraction>();
  private readonly waiters = new Map<string, (outcome: AskOutcome | Error) => void>();
  private readonly offMessage: Unsubscribe;

  constructor(private readonly options: AgentBotOptions) {
    super();
    this.offMessage = options.agent.onMessage((m) => this.receive(m));
  }

  get uri(): string {
    return this.options.agent.aor;
  }

  interaction(interactionId: string): Readonly<BotInteraction> | undefined {
    return this.interactions.get(interactionId.toLowerCase());
  }

  /** Sends the request and resolves with the router's answer. Rejects when the request itself is refused. */
  async askExpert(routingPoint: string, ask: AskOptions): Promise<AskOutcome> {
    const interactionId = ask.interactionId ?? randomUUID();
    const key = interactionId.toLowerCase();
    const existing = this.interactions.get(key);
    if (existing && (existing.phase === 'routing' || existing.phase === 'routed')) {
      throw new AskError(`interaction ${interactionId} is already ${existing.phase}`);
    }
    const target = toAor(routingPoint) ?? routingPoint;
    this.interactions.set(key, { interactionId, routingPoint: target, phase: 'routing', kw: undefined });
    const timeoutMs = ask.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const outcome = new Promise<AskOutcome>((resolve, reject) => {
      this.waiters.set(key, (o) => (o instanceof Error ? reject(o) : resolve(o)));
      timer = setTimeout(
        () => this.settle(key, new AskError(`no answer from ${target} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    // Awaited below only after the send: keep an early rejection from counting as unhandled.
    outcome.catch(() => undefined);
    const headers = [
      headerLine(INTERACTION_HEADER, interactionId),
      ...(ask.subject ? [headerLine('Subject', ask.subject)] : []),
      ...userDataHeaders(ask.userData ?? {}, this.options.userDataPrefix ?? DEFAULT_USER_DATA_PREFIX),
    ];
    try {
      const sent = await this.options.agent.sendMessage(target, ask.text, {
        contentType: TEXT_PLAIN_UTF8,
        headers,
      });
      this.options.logger.info('expert requested', {
        routingPoint: target,
        interactionId,
        status: sent.status,
      });
      return await outcome;
    } catch (error) {
      // The request was refused (or timed out): nobody will answer it.
      this.settle(key, error instanceof Error ? error : new AskError(String(error)));
      const ix = this.interactions.get(key);
      if (ix?.phase === 'routing') ix.phase = 'not-routed';
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a chat message to the interaction's KW. Resolves on delivery (2xx). */
  async say(interactionId: string, text: string): Promise<SentResult> {
    const ix = this.requireRouted(interactionId);
    return this.options.agent.sendMessage(ix.kw.uri, text, {
      contentType: TEXT_PLAIN_UTF8,
      headers: [headerLine(INTERACTION_HEADER, ix.interactionId)],
    });
  }

  /**
   * Ends the interaction: `end` to the KW and to the routing point (which releases
   * the KW). While still routing, it withdraws the request (routing point only).
   * `kwOnly`: tell only the KW, as an agent desk may (the protocol only asks to tell
   * the other party; the KW Desktop then tells the routing point).
   */
  async end(interactionId: string, reason?: string, options: { kwOnly?: boolean } = {}): Promise<EndResult> {
    const key = interactionId.toLowerCase();
    const ix = this.interactions.get(key);
    if (!ix) throw new AskError(`unknown interaction ${interactionId}`);
    const toKw = ix.kw && ix.phase === 'routed' ? [ix.kw.uri] : [];
    const targets = options.kwOnly ? toKw : [...toKw, ix.routingPoint];
    const wasRouting = ix.phase === 'routing';
    ix.phase = 'ended';
    if (wasRouting) this.settle(key, new AskError(`interaction ${interactionId} withdrawn`));
    const body = encodeControlMessage('end', {
      interactionId: ix.interactionId,
      ...(reason ? { reason } : {}),
    });
    const results = await Promise.allSettled(
      targets.map((to) =>
        this.options.agent.sendMessage(to, body, {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [headerLine(INTERACTION_HEADER, ix.interactionId)],
        }),
      ),
    );
    return {
      sent: results.map((r, i) => {
        const to = targets[i] ?? '';
        if (r.status === 'fulfilled') return { to, status: r.value.status };
        const status = (r.reason as { status?: unknown }).status;
        return { to, status: typeof status === 'number' ? status : 0, error: String(r.reason) };
      }),
    };
  }

  /** Stops answering MESSAGEs for this agent; pending asks fail. */
  dispose(): void {
    this.offMessage();
    for (const key of [...this.waiters.keys()]) this.settle(key, new AskError('agent bot disposed'));
  }

  // -------------------------------------------------------------------------

  private receive(m: IncomingSipMessage): SipReply {
    const from = toAor(m.from.uri) ?? m.from.uri;
    const reply = this.dispatch(m, from);
    if (reply.status >= 400) {
      this.options.logger.warn('MESSAGE refused', {
        from,
        contentType: m.contentType,
        status: reply.status,
        reason: reply.reason,
      });
    }
    return reply;
  }

  private dispatch(m: IncomingSipMessage, from: string): SipReply {
    const base = mediaType(m.contentType);
    if (isControlContentType(m.contentType)) return this.control(m, from);
    const interactionId = m.header(INTERACTION_HEADER)?.trim();
    if (base === TEXT_PLAIN || base === IS_COMPOSING_CONTENT_TYPE) {
      if (!interactionId) return { status: 400, reason: `Missing ${INTERACTION_HEADER}` };
      const ix = this.interactions.get(interactionId.toLowerCase());
      if (!ix || ix.phase === 'not-routed') return { status: 481, reason: 'Interaction Does Not Exist' };
      if (ix.phase === 'ended') return { status: 481, reason: 'Interaction Ended' };
      if (base === TEXT_PLAIN) {
        this.emit('message', { interactionId: ix.interactionId, from, text: m.body });
      } else {
        const state = /<state>\s*(active|idle)\s*<\/state>/i.exec(m.body)?.[1]?.toLowerCase();
        if (state === 'active' || state === 'idle')
          this.emit('typing', { interactionId: ix.interactionId, from, state });
      }
      return { status: 200 };
    }
    return { status: 415, reason: 'Unsupported Media Type' };
  }

  private control(m: IncomingSipMessage, from: string): SipReply {
    const parsed = parseControlMessage(m.contentType, m.body, m.header(INTERACTION_HEADER));
    if (!parsed.ok) return { status: parsed.status, reason: parsed.reason };
    const message = parsed.message;
    const key = message.interactionId.toLowerCase();
    const ix = this.interactions.get(key);
    switch (message.type) {
      case 'routed':
      case 'not-routed': {
        if (!ix) return { status: 481, reason: 'Interaction Does Not Exist' };
        if (from !== ix.routingPoint) return { status: 403, reason: 'Not The Routing Point Asked' };
        if (ix.phase !== 'routing') return { status: 409, reason: `Interaction Already ${ix.phase}` };
        if (message.type === 'routed') {
          ix.phase = 'routed';
          ix.kw = message.kw;
          const outcome = { kind: 'routed', interactionId: ix.interactionId, kw: message.kw } as const;
          this.settle(key, outcome);
          this.emit('routed', outcome);
        } else {
          ix.phase = 'not-routed';
          const outcome = {
            kind: 'not-routed',
            interactionId: ix.interactionId,
            reason: message.reason,
          } as const;
          this.settle(key, outcome);
          this.emit('not-routed', outcome);
        }
        return { status: 200 };
      }
      case 'end': {
        if (!ix || ix.phase === 'not-routed') return { status: 481, reason: 'Interaction Does Not Exist' };
        if (from !== ix.kw?.uri && from !== ix.routingPoint)
          return { status: 403, reason: 'Not A Party Of This Interaction' };
        if (ix.phase === 'ended') return { status: 200, reason: 'Already Ended' };
        ix.phase = 'ended';
        this.emit('ended', { interactionId: ix.interactionId, from, reason: message.reason });
        return { status: 200 };
      }
      case 'preview':
      case 'preview-answer':
      case 'preview-cancel':
      case 'paused':
      case 'resume':
        return { status: 400, reason: `Unexpected Message Type ${message.type}` };
    }
  }

  private requireRouted(interactionId: string): BotInteraction & { kw: ExpertKw } {
    const ix = this.interactions.get(interactionId.toLowerCase());
    if (!ix || ix.phase !== 'routed' || !ix.kw) {
      throw new AskError(`interaction ${interactionId} is not routed (${ix?.phase ?? 'unknown'})`);
    }
    return ix as BotInteraction & { kw: ExpertKw };
  }

  private settle(key: string, outcome: AskOutcome | Error): void {
    const waiter = this.waiters.get(key);
    if (!waiter) return;
    this.waiters.delete(key);
    waiter(outcome);
  }
}
