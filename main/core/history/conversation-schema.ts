/**
 * The on-disk shapes of history, validated on load: the journal (one entry per
 * change, format 2) and the whole-file format 1 it replaced (read only to
 * migrate it).
 */
import * as v from 'valibot';
import {
  CallRecordSchema,
  ChatMessageSchema,
  ConversationSchema,
  type CallRecord,
  type ChatMessage,
  type Conversation,
} from '../conversations/model.js';

/** Format 1: the whole conversation in one JSON file, rewritten on every change. */
export const HistoryFileSchema = v.object({ version: v.literal(1), conversation: ConversationSchema });

/** A conversation without its messages and calls: who, about what, its state and times. */
export type ConversationHeader = Omit<Conversation, 'messages' | 'calls'>;

/**
 * One change. `start` (re)starts a conversation from its header; `msg` sets
 * message `i` (i = the count appends); `header` and `calls` replace those parts.
 */
export type JournalEntry =
  | { readonly k: 'start'; readonly v: 2; readonly h: ConversationHeader }
  | { readonly k: 'header'; readonly h: ConversationHeader }
  | { readonly k: 'msg'; readonly i: number; readonly m: ChatMessage }
  | { readonly k: 'calls'; readonly r: readonly CallRecord[] };

export const HeaderSchema = v.omit(ConversationSchema, ['messages', 'calls']);

export const JournalEntrySchema = v.variant('k', [
  v.strictObject({ k: v.literal('start'), v: v.literal(2), h: HeaderSchema }),
  v.strictObject({ k: v.literal('header'), h: HeaderSchema }),
  v.strictObject({
    k: v.literal('msg'),
    i: v.pipe(v.number(), v.integer(), v.minValue(0)),
    m: ChatMessageSchema,
  }),
  v.strictObject({ k: v.literal('calls'), r: v.array(CallRecordSchema) }),
]);
