/**
 * What changed between two states of a conversation, as journal entries. The
 * conversation service replaces a conversation by a new object on every
 * change but keeps the unchanged messages and lists, so comparing references
 * finds the change in one pass without serialising anything that did not change.
 */
import type { ChatMessage, Conversation } from '../conversations/model.js';
import type { ConversationHeader, JournalEntry } from './conversation-schema.js';

/** The entries that rebuild the conversation from nothing. */
export function snapshotEntries(c: Conversation): JournalEntry[] {
  const entries: JournalEntry[] = [{ k: 'start', v: 2, h: headerOf(c) }];
  c.messages.forEach((m, i) => entries.push({ k: 'msg', i, m }));
  if (c.calls !== undefined) entries.push({ k: 'calls', r: c.calls });
  return entries;
}

/** The entries that turn `prev` into `next` (all of `next` when there is no `prev`). */
export function changesBetween(prev: Conversation | undefined, next: Conversation): JournalEntry[] {
  if (prev === undefined || prev.interactionId !== next.interactionId) return snapshotEntries(next);
  const messages = messageChanges(prev.messages, next.messages);
  // Messages removed or reordered, or calls dropped: not something the service does; start over.
  if (messages === undefined || (prev.calls !== undefined && next.calls === undefined))
    return snapshotEntries(next);
  const entries: JournalEntry[] = [];
  const header = headerOf(next);
  if (JSON.stringify(headerOf(prev)) !== JSON.stringify(header)) entries.push({ k: 'header', h: header });
  entries.push(...messages);
  if (next.calls !== undefined && next.calls !== prev.calls) entries.push({ k: 'calls', r: next.calls });
  return entries;
}

export function headerOf(c: Conversation): ConversationHeader {
  const { messages: _messages, calls: _calls, ...header } = c;
  return header;
}

function messageChanges(
  prev: readonly ChatMessage[],
  next: readonly ChatMessage[],
): JournalEntry[] | undefined {
  if (prev === next) return [];
  if (next.length < prev.length) return undefined;
  const entries: JournalEntry[] = [];
  for (let i = 0; i < next.length; i += 1) {
    const m = next[i];
    const before = prev[i];
    if (m === undefined || m === before) continue;
    if (before !== undefined && before.id !== m.id) return undefined;
    entries.push({ k: 'msg', i, m });
  }
  return entries;
}
