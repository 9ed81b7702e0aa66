/** The on-disk shape of a conversation, validated on load (files can be damaged or hand-edited). */
import * as v from 'valibot';
import type { Conversation } from '../conversations/model.js';

const Message = v.object({
  id: v.string(),
  direction: v.picklist(['in', 'out']),
  text: v.string(),
  at: v.string(),
  delivery: v.optional(v.picklist(['sending', 'delivered', 'failed'])),
  error: v.optional(v.string()),
});

export const ConversationSchema = v.object({
  interactionId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/)),
  agent: v.object({ uri: v.string(), displayName: v.string() }),
  routingPoint: v.optional(v.string()),
  subject: v.string(),
  userData: v.record(v.string(), v.string()),
  state: v.picklist(['active', 'ended']),
  endedBy: v.optional(v.picklist(['me', 'agent'])),
  startedAt: v.string(),
  endedAt: v.optional(v.string()),
  unsolicited: v.optional(v.boolean()),
  messages: v.array(Message),
});

export const HistoryFileSchema = v.object({ version: v.literal(1), conversation: ConversationSchema });

export function toConversation(parsed: v.InferOutput<typeof ConversationSchema>): Conversation {
  return { ...parsed, routingPoint: parsed.routingPoint };
}
