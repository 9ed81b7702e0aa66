/**
 * The KW's conversations: one per interaction. Messages in and out
 * (text/plain with X-Interaction-Id), delivery state per outgoing message with
 * retry, typing notifications both ways (RFC 3994), and `end` from either side.
 * Every change is saved to the history store.
 *
 * Memory stays flat with history: active conversations are kept whole, and so
 * are the few ended ones last opened or ended (`KEEP_ENDED`); every other
 * ended one is only its summary, its messages read from disk when opened.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '../events.js';
import type { Logger } from '../log.js';
import type { Preview } from '../../../wire/control.js';
import { LIMITS } from '../../../wire/control.js';
import { INTERACTION_HEADER } from '../../../wire/header-names.js';
import type { SentResult, SendOptions, SipReply } from '../sip/agent.js';
import type { ControlSender } from '../previews/control-sender.js';
import { systemClock, type Clock } from '../clock.js';
import type { HistoryIndex, HistoryStore } from '../history/history-store.js';
import { toAor } from '../../../wire/sip/uri.js';
import type { CallRecord, ChatMessage, Conversation } from './model.js';
import { encodeIsComposing, type Composing } from '../../../wire/is-composing.js';
import { IS_COMPOSING_CONTENT_TYPE, TEXT_PLAIN_UTF8 } from '../../../wire/content-types.js';
import { NOT_TRUSTED, type TrustedRoutingPoints } from '../previews/trusted-routing-points.js';
import { UnsolicitedPolicy, isTakenUp } from './unsolicited-policy.js';
import { deliveryFailure, agentGone } from './delivery-failure.js';
import {
  isWhole,
  summaryOf,
  type ConversationSummary,
  type ListedConversation,
} from './conversation-summary.js';
import { RecentIds } from './recent-ids.js';

/** Ended conversations kept whole besides the active ones: the last opened or ended. */
export const KEEP_ENDED = 4;

/** What the service needs from the SIP agent: sending a MESSAGE. */
export interface MessageTransport {
  sendMessage(target: string, body: string, options?: SendOptions): Promise<SentResult>;
}

interface ConversationEvents extends Record<string, unknown> {
  changed: Conversation;
  typing: { readonly interactionId: string; readonly active: boolean };
}

export interface ConversationServiceOptions {
  readonly transport: MessageTransport;
  readonly control: ControlSender;
  readonly history: HistoryStore;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Seconds between repeated "active" typing notifications (RFC 3994 refresh). */
  readonly composingRefreshSeconds?: number;
  /** Whose `end` counts as the router's (the routing point of the conversation must be trusted too). */
  readonly trustedRoutingPoints: TrustedRoutingPoints;
  /** Bounds what agents open without a preview; default: the documented limits on this clock. */
  readonly unsolicited?: UnsolicitedPolicy;
}

export class ConversationError extends Error {
  override readonly name = 'ConversationError';
}

export class ConversationService extends TypedEmitter<ConversationEvents> {
  /** Whole conversations: the active ones and the `KEEP_ENDED` last opened or ended. */
  private readonly conversations = new Map<string, Conversation>();
  /** The other ended conversations: their messages are on disk. */
  private readonly summaries = new Map<string, ConversationSummary>();
  /** Ended conversations kept whole. */
  private readonly recentEnded = new RecentIds(KEEP_ENDED);
  private readonly knownAgents = new Set<string>();
  private readonly typingTimers = new Map<string, unknown>();
  private readonly composingSent = new Map<string, { state: 'active' | 'idle'; at: number }>();
  private readonly clock: Clock;
  private readonly unsolicited: UnsolicitedPolicy;

  constructor(private readonly options: ConversationServiceOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.unsolicited = options.unsolicited ?? new UnsolicitedPolicy({ clock: this.clock });
  }

  /** Conversations, active first, then newest first: whole when in memory, else summaries. */
  list(): ListedConversation[] {
    return [...this.conversations.values(), ...this.summaries.values()].sort((a, b) =>
      a.state !== b.state ? (a.state === 'active' ? -1 : 1) : b.startedAt.localeCompare(a.startedAt),
    );
  }

  /** The conversation if it is whole in memory (active, or ended and opened lately); see `read` and `has`. */
  get(interactionId: string): Conversation | undefined {
    return this.conversations.get(interactionId);
  }

  /** The conversation whole if in memory, else its summary (header, counts, last lines): no disk read. */
  find(interactionId: string): ListedConversation | undefined {
    return this.known(interactionId);
  }

  /** Whether the conversation is known, whole or as a summary. */
  has(interactionId: string): boolean {
    return this.conversations.has(interactionId) || this.summaries.has(interactionId);
  }

  /**
   * A conversation whole, read from history when only its summary is in
   * memory; it then stays whole among the last `KEEP_ENDED` opened.
   */
  async read(interactionId: string): Promise<Conversation> {
    const inMemory = this.conversations.get(interactionId);
    if (inMemory !== undefined) {
      if (inMemory.state === 'ended') this.touchEnded(interactionId);
      return inMemory;
    }
    if (!this.summaries.has(interactionId)) throw new ConversationError('no such conversation');
    const loaded = await this.options.history.read(interactionId);
    // Changed meanwhile (a late delivery): that state is newer than the file's.
    const now = this.conversations.get(interactionId);
    if (now !== undefined) return now;
    if (loaded === undefined)
      throw new ConversationError('this conversation could not be read from your history');
    this.keepWhole(loaded);
    return loaded;
  }

  /** Every conversation whole, newest first, each read from history in turn (not kept in memory): the export. */
  async readAll(): Promise<Conversation[]> {
    const all: Conversation[] = [];
    for (const c of this.list()) {
      const whole = isWhole(c) ? c : await this.options.history.read(c.interactionId);
      if (whole !== undefined) all.push(whole);
      else
        this.options.logger.warn('a conversation could not be read for export', {
          interactionId: c.interactionId,
        });
    }
    return all;
  }

  /** Restores what the history store kept: active conversations whole, ended ones as summaries. */
  async restore(): Promise<void> {
    let loaded: HistoryIndex;
    try {
      loaded = await this.options.history.loadIndex();
    } catch (error) {
      // History is never a reason not to start: chats go on in memory.
      this.options.logger.error('history could not be loaded: starting without it', { error: String(error) });
      return;
    }
    for (const c of loaded.active) {
      this.conversations.set(c.interactionId, c);
      this.rememberAgent(c.agent.uri);
    }
    for (const s of loaded.ended) {
      this.summaries.set(s.interactionId, s);
      this.rememberAgent(s.agent.uri);
    }
    for (const p of loaded.problems)
      this.options.logger.warn('history entry set aside', {
        file: p.file,
        error: p.error,
        movedTo: p.movedTo,
      });
  }

  /** An accepted preview becomes a conversation whose first message is the agent's. */
  open(preview: Preview): ListedConversation {
    const existing = this.known(preview.interactionId);
    if (existing) return existing;
    const now = new Date(this.clock.now()).toISOString();
    const conversation: Conversation = {
      interactionId: preview.interactionId,
      agent: preview.agent,
      routingPoint: preview.routingPoint,
      subject: preview.subject,
      userData: preview.userData,
      state: 'active',
      startedAt: now,
      messages: preview.text ? [{ id: randomUUID(), direction: 'in', text: preview.text, at: now }] : [],
    };
    this.rememberAgent(preview.agent.uri);
    this.put(conversation);
    return conversation;
  }

  /** A text/plain MESSAGE arrived. Synchronous: the return value is the SIP reply. */
  receiveText(
    from: { uri: string; displayName: string | undefined },
    interactionId: string | undefined,
    text: string,
  ): SipReply {
    if (!interactionId) return { status: 400, reason: `Missing ${INTERACTION_HEADER}` };
    if (!/^[A-Za-z0-9-]{1,64}$/.test(interactionId))
      return { status: 400, reason: `Invalid ${INTERACTION_HEADER}` };
    if (text.length > LIMITS.text) return { status: 413, reason: 'Message Too Long' };
    const sender = toAor(from.uri);
    const conversation = this.known(interactionId);
    const message: ChatMessage = {
      id: randomUUID(),
      direction: 'in',
      text,
      at: new Date(this.clock.now()).toISOString(),
    };
    if (conversation) return this.receiveInto(conversation, sender, message);
    // A known agent wrote about an interaction we never saw: keep it, within bounds.
    if (sender && this.knownAgents.has(sender))
      return this.openUnsolicited(interactionId, { uri: sender, displayName: from.displayName }, message);
    return { status: 404, reason: 'No Such Interaction' };
  }

  private receiveInto(
    conversation: ListedConversation,
    sender: string | undefined,
    message: ChatMessage,
  ): SipReply {
    if (!sender || toAor(conversation.agent.uri) !== sender)
      return { status: 403, reason: 'Not A Participant' };
    // A summary is always an ended conversation.
    if (conversation.state === 'ended' || !isWhole(conversation))
      return { status: 481, reason: 'Conversation Ended' };
    if (!isTakenUp(conversation)) {
      const refused = this.unsolicited.admitMessage(sender);
      if (refused) return refused;
    }
    this.stopTyping(conversation.interactionId);
    // Whoever writes is online again.
    this.put({ ...withoutOffline(conversation), messages: [...conversation.messages, message] });
    return { status: 200 };
  }

  private openUnsolicited(
    interactionId: string,
    agent: { uri: string; displayName: string | undefined },
    message: ChatMessage,
  ): SipReply {
    const refused = this.unsolicited.admitNew(agent.uri, this.waitingUnsolicited());
    if (refused) return refused;
    this.options.logger.warn('message for an unknown interaction from a known agent: kept', {
      interactionId,
      from: agent.uri,
    });
    this.put({
      interactionId,
      agent: { uri: agent.uri, displayName: agent.displayName ?? agent.uri },
      routingPoint: undefined,
      subject: '',
      userData: {},
      state: 'active',
      startedAt: message.at,
      unsolicited: true,
      messages: [message],
    });
    return { status: 200 };
  }

  /** Active unsolicited conversations the KW has not taken up: what the flood bound counts. */
  private waitingUnsolicited(): number {
    let count = 0;
    for (const c of this.conversations.values()) if (c.state === 'active' && !isTakenUp(c)) count += 1;
    return count;
  }

  receiveComposing(from: string, interactionId: string | undefined, composing: Composing): SipReply {
    const conversation = interactionId ? this.known(interactionId) : undefined;
    if (!conversation || !interactionId) return { status: 481, reason: 'No Such Interaction' };
    if (toAor(conversation.agent.uri) !== toAor(from)) return { status: 403, reason: 'Not A Participant' };
    // Typing in a conversation whose messages are on disk (ended): nothing to show.
    if (!isWhole(conversation)) return { status: 200 };
    if (composing.state === 'idle') {
      this.stopTyping(interactionId);
      return { status: 200 };
    }
    this.clearTypingTimer(interactionId);
    // RFC 3994: an active state lapses after its refresh interval (default 120 s).
    const lapse = Math.min(composing.refresh ?? 120, 120) * 1000;
    this.typingTimers.set(
      interactionId,
      this.clock.setTimeout(() => this.stopTyping(interactionId), lapse),
    );
    this.emit('typing', { interactionId, active: true });
    return { status: 200 };
  }

  receiveEnd(from: string, interactionId: string): SipReply {
    const conversation = this.known(interactionId);
    if (!conversation) return { status: 481, reason: 'No Such Interaction' };
    const fromRouter =
      conversation.routingPoint !== undefined && toAor(conversation.routingPoint) === toAor(from);
    // The routing point of a restored chat may no longer be trusted: the KW ends it itself then.
    if (fromRouter && !this.options.trustedRoutingPoints.has(from)) return NOT_TRUSTED;
    if (!fromRouter && toAor(conversation.agent.uri) !== toAor(from))
      return { status: 403, reason: 'Not A Participant' };
    if (conversation.state === 'ended' || !isWhole(conversation)) return { status: 200 };
    this.stopTyping(interactionId);
    this.put({
      ...conversation,
      state: 'ended',
      // The routing point ends a chat nobody ended (its inactivity timeout).
      endedBy: fromRouter ? 'router' : 'agent',
      endedAt: new Date(this.clock.now()).toISOString(),
    });
    // The agent may have told only us: tell the routing point too, so it frees this KW.
    if (!fromRouter && conversation.routingPoint)
      this.tellRoutingPointEnded(conversation.routingPoint, interactionId, 'agent-ended');
    return { status: 200 };
  }

  private tellRoutingPointEnded(routingPoint: string, interactionId: string, reason: string): void {
    this.options.control.send(routingPoint, 'end', { interactionId, reason }).catch((error: unknown) =>
      this.options.logger.warn('end not delivered to the routing point', {
        interactionId,
        to: routingPoint,
        error: String(error),
      }),
    );
  }

  /** Sends a message; resolves with its final delivery state (failures are kept for retry). */
  async send(interactionId: string, text: string): Promise<ChatMessage> {
    const conversation = this.require(interactionId);
    if (conversation.state === 'ended') throw new ConversationError('this conversation has ended');
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new ConversationError('an empty message is not sent');
    if (trimmed.length > LIMITS.text)
      throw new ConversationError(`a message is at most ${LIMITS.text} characters`);
    const message: ChatMessage = {
      id: randomUUID(),
      direction: 'out',
      text: trimmed,
      at: new Date(this.clock.now()).toISOString(),
      delivery: 'sending',
    };
    this.put({ ...conversation, messages: [...conversation.messages, message] });
    this.composingSent.delete(interactionId); // a sent message implies "idle" (RFC 3994 §3.2)
    return this.deliver(interactionId, message);
  }

  /** Sends a failed message again. */
  async retry(interactionId: string, messageId: string): Promise<ChatMessage> {
    const conversation = this.require(interactionId);
    const message = conversation.messages.find((m) => m.id === messageId);
    if (!message || message.direction !== 'out') throw new ConversationError('no such outgoing message');
    if (message.delivery !== 'failed') throw new ConversationError('only a failed message can be sent again');
    if (conversation.state === 'ended') throw new ConversationError('this conversation has ended');
    const { error: _previousError, errorDetail: _previousDetail, ...rest } = message;
    const again: ChatMessage = { ...rest, delivery: 'sending' };
    this.replaceMessage(interactionId, again);
    return this.deliver(interactionId, again);
  }

  /** The KW is typing (or stopped): tells the agent, without flooding it. */
  async setComposing(interactionId: string, active: boolean): Promise<void> {
    const conversation = this.conversations.get(interactionId);
    if (!conversation || conversation.state === 'ended') return;
    const refresh = this.options.composingRefreshSeconds ?? 60;
    const state = active ? 'active' : 'idle';
    const last = this.composingSent.get(interactionId);
    const now = this.clock.now();
    if (last && last.state === state && (state === 'idle' || now - last.at < refresh * 1000)) return;
    if (!last && state === 'idle') return;
    this.composingSent.set(interactionId, { state, at: now });
    try {
      await this.options.transport.sendMessage(
        conversation.agent.uri,
        encodeIsComposing({ state, ...(active ? { refresh } : {}) }),
        { contentType: IS_COMPOSING_CONTENT_TYPE, headers: [`${INTERACTION_HEADER}: ${interactionId}`] },
      );
    } catch (error) {
      // Typing notifications are best effort; the agent may not support them.
      this.options.logger.debug('typing notification not delivered', { interactionId, error: String(error) });
    }
  }

  /** Ends the conversation: tells the agent and the routing point (which frees this KW). */
  async end(interactionId: string): Promise<void> {
    if (this.summaries.has(interactionId)) return;
    const conversation = this.require(interactionId);
    if (conversation.state === 'ended') return;
    this.put({
      ...conversation,
      state: 'ended',
      endedBy: 'me',
      endedAt: new Date(this.clock.now()).toISOString(),
    });
    const targets = [
      conversation.agent.uri,
      ...(conversation.routingPoint ? [conversation.routingPoint] : []),
    ];
    const results = await Promise.allSettled(
      targets.map((t) => this.options.control.send(t, 'end', { interactionId })),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        this.options.logger.warn('end not delivered', {
          interactionId,
          to: targets[i],
          error: String(r.reason),
        });
      }
    });
  }

  private async deliver(interactionId: string, message: ChatMessage): Promise<ChatMessage> {
    const conversation = this.require(interactionId);
    try {
      await this.options.transport.sendMessage(conversation.agent.uri, message.text, {
        contentType: TEXT_PLAIN_UTF8,
        headers: [`${INTERACTION_HEADER}: ${interactionId}`],
      });
    } catch (error) {
      return this.deliveryFailed(interactionId, message, error);
    }
    const final: ChatMessage = { ...message, delivery: 'delivered' };
    // Delivered: the agent is back.
    this.update(interactionId, (c) => withMessage(withoutOffline(c), final));
    return final;
  }

  /** Keeps the failure on the message; an agent who left ends the chat, one offline marks it. */
  private deliveryFailed(interactionId: string, message: ChatMessage, error: unknown): ChatMessage {
    const failure = deliveryFailure(error);
    const final: ChatMessage = {
      ...message,
      delivery: 'failed',
      error: failure.sentence,
      errorDetail: failure.detail,
    };
    this.options.logger.warn('message not delivered', { interactionId, error: failure.detail });
    const gone = agentGone(failure);
    const now = new Date(this.clock.now()).toISOString();
    const before = this.require(interactionId);
    this.update(interactionId, (c) => {
      const next = withMessage(c, final);
      if (gone === 'left' && c.state === 'active')
        return { ...withoutOffline(next), state: 'ended', endedBy: 'agent', endedAt: now };
      if (gone === 'offline' && c.state === 'active' && c.agentOfflineSince === undefined)
        return { ...next, agentOfflineSince: now };
      return next;
    });
    if (gone === 'left' && before.state === 'active') {
      this.options.logger.info('the agent has left: conversation ended', { interactionId });
      this.stopTyping(interactionId);
      if (before.routingPoint) this.tellRoutingPointEnded(before.routingPoint, interactionId, 'agent-gone');
    }
    return final;
  }

  /** A conversation whose messages went to disk meanwhile (ended, not opened lately) is read back first. */
  private update(interactionId: string, change: (c: Conversation) => Conversation): void {
    const whole = this.conversations.get(interactionId);
    if (whole !== undefined) {
      this.put(change(whole));
      return;
    }
    this.read(interactionId).then(
      (c) => this.put(change(c)),
      (error: unknown) =>
        this.options.logger.error('a change to an ended conversation was lost: it could not be read', {
          interactionId,
          error: String(error),
        }),
    );
  }

  private replaceMessage(interactionId: string, message: ChatMessage): void {
    this.update(interactionId, (c) => withMessage(c, message));
  }

  private stopTyping(interactionId: string): void {
    const wasTyping = this.typingTimers.has(interactionId);
    this.clearTypingTimer(interactionId);
    if (wasTyping) this.emit('typing', { interactionId, active: false });
  }

  private clearTypingTimer(interactionId: string): void {
    const timer = this.typingTimers.get(interactionId);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.typingTimers.delete(interactionId);
  }

  /** Records an escalated call of this interaction in its history (ignored for an unknown one). */
  recordCall(interactionId: string, record: CallRecord): boolean {
    if (!this.has(interactionId)) return false;
    this.update(interactionId, (c) => ({
      ...c,
      calls: [...(c.calls ?? []).filter((r) => r.callId !== record.callId), record],
    }));
    return true;
  }

  private rememberAgent(uri: string): void {
    const aor = toAor(uri);
    if (aor) this.knownAgents.add(aor);
  }

  private require(interactionId: string): Conversation {
    const conversation = this.conversations.get(interactionId);
    if (conversation) return conversation;
    if (this.summaries.has(interactionId)) throw new ConversationError('this conversation has ended');
    throw new ConversationError('no such conversation');
  }

  private known(interactionId: string): ListedConversation | undefined {
    return this.conversations.get(interactionId) ?? this.summaries.get(interactionId);
  }

  private put(conversation: Conversation): void {
    this.keepWhole(conversation);
    this.emit('changed', conversation);
    this.options.history.save(conversation).catch((error: unknown) => {
      this.options.logger.error('could not save conversation history', {
        interactionId: conversation.interactionId,
        error: String(error),
      });
    });
  }

  /** The conversation whole in memory; an ended one joins the last opened, pushing the oldest of them to disk. */
  private keepWhole(conversation: Conversation): void {
    const id = conversation.interactionId;
    this.conversations.set(id, conversation);
    this.summaries.delete(id);
    if (conversation.state === 'ended') this.touchEnded(id);
  }

  private touchEnded(id: string): void {
    for (const old of this.recentEnded.touch(id)) {
      const c = this.conversations.get(old);
      if (c === undefined || c.state !== 'ended') continue;
      this.conversations.delete(old);
      this.summaries.set(old, summaryOf(c));
    }
  }
}

function withMessage(c: Conversation, message: ChatMessage): Conversation {
  return { ...c, messages: c.messages.map((m) => (m.id === message.id ? message : m)) };
}

function withoutOffline(c: Conversation): Conversation {
  if (c.agentOfflineSince === undefined) return c;
  const { agentOfflineSince: _since, ...rest } = c;
  return rest;
}
