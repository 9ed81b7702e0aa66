/**
 * A journal's lines applied in order give the conversation. A line that does
 * not fit (another interaction id, no `start` before it, a message with a gap
 * before it) is damage: the state before it is kept, it and the rest are not.
 */
import type { CallRecord, ChatMessage, Conversation } from '../conversations/model.js';
import type { ConversationHeader, JournalEntry } from './conversation-schema.js';
import type { JournalLine } from './journal-format.js';
import { JournalSize } from './journal-size.js';

export interface Replayed {
  /** Undefined when not even the first line could be used. */
  readonly conversation: Conversation | undefined;
  readonly size: JournalSize;
  /** The first line that did not fit (1-based), and why. */
  readonly damaged?: { readonly line: number; readonly reason: string };
}

interface State {
  header: ConversationHeader;
  readonly messages: ChatMessage[];
  calls: readonly CallRecord[] | undefined;
}

/** Replays `lines` of the journal of interaction `id`. */
export function replayJournal(lines: readonly JournalLine[], id: string): Replayed {
  const size = new JournalSize();
  let state: State | undefined;
  for (const [n, { entry, bytes }] of lines.entries()) {
    const next = step(state, entry, id);
    if (typeof next === 'string')
      return { conversation: conversationOf(state), size, damaged: { line: n + 1, reason: next } };
    state = next;
    size.add(entry, bytes);
  }
  return { conversation: conversationOf(state), size };
}

/** The state after `entry`, or why it does not fit. Mutates the replay's own state, nothing outside it. */
function step(state: State | undefined, entry: JournalEntry, id: string): State | string {
  if ((entry.k === 'start' || entry.k === 'header') && entry.h.interactionId !== id)
    return `its interaction id ${entry.h.interactionId} does not match the file name`;
  if (entry.k === 'start') return { header: entry.h, messages: [], calls: undefined };
  if (state === undefined) return 'the journal does not begin with a start entry';
  if (entry.k === 'header') state.header = entry.h;
  else if (entry.k === 'calls') state.calls = entry.r;
  else if (entry.i > state.messages.length)
    return `message ${entry.i} comes with no message ${entry.i - 1} before it`;
  else state.messages[entry.i] = entry.m;
  return state;
}

function conversationOf(state: State | undefined): Conversation | undefined {
  if (state === undefined) return undefined;
  return {
    ...state.header,
    messages: state.messages,
    ...(state.calls !== undefined ? { calls: state.calls } : {}),
  };
}
