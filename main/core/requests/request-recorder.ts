/**
 * Turns a core's endings into missed-request records: a preview that ended
 * without an accept, and an incoming call that was missed or declined. A
 * preview for an interaction that already has a conversation is a call
 * preview (the router offers an escalated call of a chat under the chat's
 * interaction id); any other is a chat request.
 */
import type { Unsubscribe } from '../events.js';
import type { PreviewEnd, PreviewInbox } from '../previews/preview-inbox.js';
import type { CallState } from '../calls/call-state.js';
import type { CallRecord } from '../conversations/model.js';
import type { NewRequestRecord, RequestOutcome } from './request-record.js';
import type { RequestLog } from './request-log.js';

/** The call manager's `ended` event. */
export interface CallEnded {
  readonly call: CallState;
  readonly outcome: CallRecord['outcome'];
}

export interface RecordedCore {
  readonly previews: Pick<PreviewInbox, 'on'>;
  readonly calls: { on(event: 'ended', listener: (ended: CallEnded) => void): Unsubscribe };
  /** Whole or as a summary: a call preview for an ended chat on disk is still a call preview. */
  readonly conversations: { has(interactionId: string): boolean };
}

export function recordRequests(core: RecordedCore, log: RequestLog): Unsubscribe {
  const offs = [
    core.previews.on('removed', ({ end, entry, at }) => {
      const outcome = previewOutcome(end);
      if (!outcome) return;
      const { preview, receivedAt } = entry;
      log.record({
        kind: core.conversations.has(preview.interactionId) ? 'call-preview' : 'chat',
        interactionId: preview.interactionId,
        agent: { uri: preview.agent.uri, displayName: preview.agent.displayName },
        subject: preview.subject,
        routingPoint: preview.routingPoint,
        outcome,
        ...(end.kind === 'declined' && end.reason ? { reason: end.reason } : {}),
        offeredAt: iso(receivedAt),
        endedAt: iso(at),
      });
    }),
    core.previews.on('late-cancel', ({ interactionId, reason }) => log.refine(interactionId, reason)),
    core.calls.on('ended', ({ call, outcome }) => {
      const record = callRecord(call, outcome);
      if (record) log.record(record);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** What a preview's end counts as; undefined for an accept (nothing was missed). */
export function previewOutcome(end: PreviewEnd): RequestOutcome | undefined {
  switch (end.kind) {
    case 'accepted':
      return undefined;
    case 'declined':
      return 'declined';
    case 'expired':
      return 'expired';
    case 'cancelled':
      return end.reason === 'timeout' ? 'expired' : end.reason;
    case 'failed':
      return 'failed';
    case 'closed':
      return 'closed';
  }
}

/** An incoming call that rang and was missed or declined; undefined for any other. */
function callRecord(call: CallState, outcome: CallRecord['outcome']): NewRequestRecord | undefined {
  if (call.direction !== 'incoming' || (outcome !== 'missed' && outcome !== 'declined')) return undefined;
  // Who the KW knows the call by: the chat's agent (after a transfer the caller is the customer).
  const agent = call.context?.agent ?? call.remote;
  return {
    kind: 'call',
    ...(call.interactionId ? { interactionId: call.interactionId } : {}),
    agent: { uri: agent.uri, displayName: agent.displayName },
    subject: call.context?.subject ?? '',
    outcome,
    ...(call.endReason ? { reason: call.endReason } : {}),
    offeredAt: iso(call.offeredAt),
    endedAt: iso(call.endedAt ?? call.offeredAt),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
