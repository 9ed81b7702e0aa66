/**
 * Why a call ended, in words a KW understands, and what it counts as in the
 * conversation's history. JsSIP reports `originator` (local/remote/system)
 * and a `cause` from its JsSIP_C.causes list.
 */
import type { CallRecord } from '../conversations/model.js';
import { outcomeSentence } from '../sip/outcome-text.js';

export interface EndFacts {
  readonly answered: boolean;
  readonly originator: 'local' | 'remote' | 'system';
  readonly cause: string;
  /** Set by the call manager when it ended the call itself, e.g. declined or rang out. */
  readonly localReason?: 'declined' | 'no-answer' | 'media-lost' | 'microphone' | 'hung-up' | 'shutdown';
}

export function describeEnd(facts: EndFacts): {
  readonly reason: string;
  readonly outcome: CallRecord['outcome'];
} {
  switch (facts.localReason) {
    case 'declined':
      return { reason: 'You declined', outcome: 'declined' };
    case 'no-answer':
      return { reason: 'Not answered in time', outcome: 'missed' };
    case 'media-lost':
      return { reason: 'Audio was lost (media host gone)', outcome: facts.answered ? 'answered' : 'failed' };
    case 'microphone':
      // Answered with nobody able to speak: counted as failed, not as a conversation held.
      return { reason: 'Your microphone could not be opened', outcome: 'failed' };
    case 'hung-up':
      return { reason: 'You hung up', outcome: facts.answered ? 'answered' : 'declined' };
    case 'shutdown':
      return { reason: 'KW Desktop was closing', outcome: facts.answered ? 'answered' : 'missed' };
    case undefined:
      break;
  }
  const { cause, originator, answered } = facts;
  if (cause === 'RTP Timeout') return { reason: 'Audio was lost', outcome: answered ? 'answered' : 'failed' };
  if (!answered) {
    if (cause === 'Canceled') return { reason: 'The caller gave up', outcome: 'missed' };
    if (cause === 'No Answer' || cause === 'Expires')
      return { reason: 'Not answered in time', outcome: 'missed' };
    return { reason: outcomeSentence({ kind: 'call-failed', cause, answered }), outcome: 'failed' };
  }
  if (originator === 'remote') return { reason: 'The caller hung up', outcome: 'answered' };
  if (originator === 'local') return { reason: 'You hung up', outcome: 'answered' };
  return { reason: outcomeSentence({ kind: 'call-failed', cause, answered }), outcome: 'answered' };
}
