/**
 * What the conversation list shows of a conversation whose messages stay on
 * disk until it is opened (an ended one): who, about what, its state and
 * times, how many messages and calls, and the last of each. Small and of a
 * fixed size, so memory does not grow with the length of history.
 */
import type { CallRecord, ChatMessage, Conversation } from './model.js';

export type ConversationSummary = Omit<Conversation, 'messages' | 'calls'> & {
  readonly messageCount: number;
  readonly lastMessage?: ChatMessage;
  readonly callCount: number;
  readonly lastCall?: CallRecord;
};

/** A conversation in the list: whole (in memory) or its summary (messages on disk). */
export type ListedConversation = Conversation | ConversationSummary;

export function summaryOf(c: Conversation): ConversationSummary {
  const { messages, calls, ...header } = c;
  const lastMessage = messages.at(-1);
  const lastCall = calls?.at(-1);
  return {
    ...header,
    messageCount: messages.length,
    ...(lastMessage !== undefined ? { lastMessage } : {}),
    callCount: calls?.length ?? 0,
    ...(lastCall !== undefined ? { lastCall } : {}),
  };
}

export function isWhole(c: ListedConversation): c is Conversation {
  return 'messages' in c;
}

/** The latest time in the conversation, in ms (a time that does not parse counts as 0). */
export function lastActivityOf(c: ListedConversation): number {
  const calls = isWhole(c) ? (c.calls ?? []) : c.lastCall ? [c.lastCall] : [];
  const last = isWhole(c) ? c.messages.at(-1) : c.lastMessage;
  const times = [c.startedAt, c.endedAt, last?.at, ...calls.map((r) => r.endedAt)];
  return Math.max(0, ...times.map((t) => Date.parse(t ?? '') || 0));
}
