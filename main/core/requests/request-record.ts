/**
 * One request that ended without this KW taking it: a chat preview, a call
 * preview, or an escalated call that rang. One schema, from which the type and
 * the validation of the file on disk derive (the renderer's view is separate:
 * preload/contract.ts RequestEntryView, mapped in main/app/views.ts).
 */
import * as v from 'valibot';

/**
 * chat: a preview of a new interaction; call-preview: a preview of an escalated
 * call for a chat this KW has; call: a call that rang here.
 */
export const REQUEST_KINDS = ['chat', 'call-preview', 'call'] as const;

/**
 * expired: nobody answered before its deadline; declined: this KW said no;
 * taken: another KW accepted first; withdrawn: the agent or the routing point
 * took it back; failed: this KW's answer did not reach the router; closed: still
 * pending when KW Desktop stopped; missed: a call that rang out or whose caller gave up.
 */
export const REQUEST_OUTCOMES = [
  'expired',
  'declined',
  'taken',
  'withdrawn',
  'failed',
  'closed',
  'missed',
] as const;

const Party = v.object({ uri: v.string(), displayName: v.string() });

export const RequestRecordSchema = v.object({
  id: v.string(),
  kind: v.picklist(REQUEST_KINDS),
  interactionId: v.optional(v.string()),
  agent: Party,
  subject: v.string(),
  routingPoint: v.optional(v.string()),
  outcome: v.picklist(REQUEST_OUTCOMES),
  /** The KW's reason for a decline, or why a call ended (words). */
  reason: v.optional(v.string()),
  /** ISO times. */
  offeredAt: v.string(),
  endedAt: v.string(),
  /** The KW has looked at it (opened the Requests section), or made it happen (declined). */
  seen: v.boolean(),
});

export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];
export type RequestRecord = Readonly<v.InferOutput<typeof RequestRecordSchema>> & {
  readonly agent: Readonly<v.InferOutput<typeof Party>>;
};

/** What a recorder knows; the log adds the id and whether it is seen. */
export type NewRequestRecord = Omit<RequestRecord, 'id' | 'seen'>;
