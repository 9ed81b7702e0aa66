/**
 * What a conversation is in the core: one schema, from which the core's type and
 * the history file validation derive. The renderer sees a separate view
 * (preload/contract.ts ConversationView, mapped in main/app/views.ts), so the
 * disk format and the UI change independently.
 */
import * as v from 'valibot';

export const DeliverySchema = v.picklist(['sending', 'delivered', 'failed']);

export const ChatMessageSchema = v.object({
  id: v.string(),
  direction: v.picklist(['in', 'out']),
  text: v.string(),
  /** ISO time. */
  at: v.string(),
  /** Outgoing only. */
  delivery: v.optional(DeliverySchema),
  /** Why the last send failed: a sentence for the KW (sip/outcome-text.ts). */
  error: v.optional(v.string()),
  /** The same, as the server or JsSIP said it ("480 Temporarily Unavailable"): a tooltip, never the text. */
  errorDetail: v.optional(v.string()),
});
export type ChatMessage = Readonly<v.InferOutput<typeof ChatMessageSchema>>;

/** A call that belonged to the conversation (an escalation), kept in its history. */
export const CallRecordSchema = v.object({
  callId: v.string(),
  escalation: v.optional(v.picklist(['transfer', 'conference'])),
  remote: v.object({ uri: v.string(), displayName: v.string() }),
  /** answered: talked; declined: the KW said no; missed: rang out or the caller gave up; failed: could not connect. */
  outcome: v.picklist(['answered', 'declined', 'missed', 'failed']),
  /** ISO times. */
  offeredAt: v.string(),
  answeredAt: v.optional(v.string()),
  endedAt: v.string(),
  /** Talk time (answer → end), 0 when not answered. */
  durationMs: v.number(),
  endReason: v.string(),
});
export type CallRecord = Readonly<v.InferOutput<typeof CallRecordSchema>>;

export const ConversationSchema = v.object({
  interactionId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/)),
  agent: v.object({ uri: v.string(), displayName: v.string() }),
  routingPoint: v.optional(v.string()),
  subject: v.string(),
  userData: v.record(v.string(), v.string()),
  state: v.picklist(['active', 'ended']),
  /** Who ended it. */
  endedBy: v.optional(v.picklist(['me', 'agent', 'router'])),
  startedAt: v.string(),
  endedAt: v.optional(v.string()),
  /** Opened by a message for an interaction we had no preview for (kept, not dropped). */
  unsolicited: v.optional(v.boolean()),
  /**
   * Since when (ISO) the agent's side answers that the agent is offline (480,
   * 404): cleared by their next message or the next one delivered to them.
   */
  agentOfflineSince: v.optional(v.string()),
  messages: v.array(ChatMessageSchema),
  /** Escalated calls of this interaction (absent in files written before calls existed). */
  calls: v.optional(v.array(CallRecordSchema)),
});

type Raw = v.InferOutput<typeof ConversationSchema>;
export type Conversation = Readonly<Omit<Raw, 'messages' | 'agent' | 'userData' | 'calls'>> & {
  readonly agent: Readonly<Raw['agent']>;
  readonly userData: Readonly<Record<string, string>>;
  readonly messages: readonly ChatMessage[];
  readonly calls?: readonly CallRecord[];
};
