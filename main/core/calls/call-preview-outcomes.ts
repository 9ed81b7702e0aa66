/**
 * A call preview that ends without an accept (declined, expired, taken,
 * withdrawn…) is a call this KW did not get: it goes into its chat's timeline
 * as a call record, like a call that rang and was missed or declined. A call
 * preview is a preview for an interaction that already has a conversation
 * (the router offers an escalated call under its chat's interaction id).
 */
import type { Unsubscribe } from '../events.js';
import type { PreviewEnd, PreviewInbox } from '../previews/preview-inbox.js';
import type { CallRecord } from '../conversations/model.js';

export interface CallPreviewTimeline {
  /** Whole or as a summary: an ended chat whose messages are on disk only still gets the record. */
  has(interactionId: string): boolean;
  recordCall(interactionId: string, record: CallRecord): boolean;
}

export function recordCallPreviewOutcomes(
  previews: Pick<PreviewInbox, 'on'>,
  conversations: CallPreviewTimeline,
): Unsubscribe {
  return previews.on('removed', ({ interactionId, end, entry, at }) => {
    const what = callPreviewEnd(end);
    if (!what || !conversations.has(interactionId)) return;
    const { preview, receivedAt } = entry;
    conversations.recordCall(interactionId, {
      // One record per offer: the same chat may be escalated (and offered) more than once.
      callId: `preview-${receivedAt}`,
      remote: { uri: preview.agent.uri, displayName: preview.agent.displayName },
      outcome: what.outcome,
      offeredAt: new Date(receivedAt).toISOString(),
      endedAt: new Date(at).toISOString(),
      durationMs: 0,
      endReason: what.reason,
    });
  });
}

/** The call record's outcome and reason for a call preview's end; undefined for an accept (the call follows). */
export function callPreviewEnd(
  end: PreviewEnd,
): { readonly outcome: CallRecord['outcome']; readonly reason: string } | undefined {
  switch (end.kind) {
    case 'accepted':
      return undefined;
    case 'declined':
      return {
        outcome: 'declined',
        reason: end.reason
          ? `You declined the call request: “${end.reason}”`
          : 'You declined the call request',
      };
    case 'expired':
      return { outcome: 'missed', reason: 'The call request expired before you answered' };
    case 'cancelled':
      return { outcome: 'missed', reason: CANCELLED[end.reason] };
    case 'failed':
      return { outcome: 'failed', reason: 'Your answer did not reach the routing point' };
    case 'closed':
      return { outcome: 'missed', reason: 'KW Desktop was closing' };
  }
}

const CANCELLED: Record<Extract<PreviewEnd, { kind: 'cancelled' }>['reason'], string> = {
  timeout: 'The call request expired before you answered',
  taken: 'Another expert took the call',
  withdrawn: 'Withdrawn before you answered',
};
