/**
 * What happened to a request, as a sentence a KW reads in the Requests list
 * (never a SIP status: the details are in the log).
 */
import type { RequestKind, RequestOutcome, RequestRecord } from './request-record.js';

type Sentences = Record<RequestOutcome, (reason: string | undefined) => string>;

const CHAT: Sentences = {
  expired: () => 'Missed: it expired before you answered.',
  declined: (reason) => (reason ? `You declined it: “${reason}”.` : 'You declined it.'),
  taken: () => 'Taken by another expert before you answered.',
  withdrawn: () => 'Withdrawn by the agent or the routing point before you answered.',
  failed: () => 'Your answer could not be delivered to the routing point.',
  closed: () => 'Still waiting when KW Desktop closed or signed in again.',
  missed: () => 'Missed: it expired before you answered.',
};

const CALL_PREVIEW: Sentences = {
  expired: () => 'Missed call: the call request expired before you answered.',
  declined: (reason) =>
    reason ? `You declined the call request: “${reason}”.` : 'You declined the call request.',
  taken: () => 'Another expert took the call.',
  withdrawn: () =>
    'The call was withdrawn before you answered (the caller hung up, or the routing point took it back).',
  failed: () => 'Your answer to the call request did not reach the routing point.',
  closed: () => 'The call request was still waiting when KW Desktop closed or signed in again.',
  missed: () => 'Missed call: the call request expired before you answered.',
};

const CALL: Sentences = {
  expired: (reason) => missedCall(reason),
  declined: () => 'You declined the call.',
  taken: () => 'Another expert took the call.',
  withdrawn: () => 'The caller hung up before you answered.',
  failed: () => 'The call could not be connected.',
  closed: () => 'The call was still ringing when KW Desktop closed.',
  missed: (reason) => missedCall(reason),
};

const BY_KIND: Record<RequestKind, Sentences> = { chat: CHAT, 'call-preview': CALL_PREVIEW, call: CALL };

/** "Missed call. The caller gave up." — the call manager's reason is already words. */
function missedCall(reason: string | undefined): string {
  const why = reason?.trim().replace(/[.!]+$/, '');
  return why ? `Missed call. ${why}.` : 'Missed call.';
}

export function describeRequest(record: Pick<RequestRecord, 'kind' | 'outcome' | 'reason'>): string {
  const reason = record.reason?.trim() || undefined;
  return BY_KIND[record.kind][record.outcome](reason);
}
