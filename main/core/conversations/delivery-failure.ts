/**
 * A chat message that did not reach the agent: the sentence the KW reads, the
 * detail for the log and a tooltip, and whether the answer means the agent
 * has left the chat or is offline.
 */
import { SipRequestError } from '../sip/request.js';
import { AGENT_LEFT_STATUS, AGENT_OFFLINE_STATUSES, outcomeSentence } from '../sip/outcome-text.js';

export interface DeliveryFailure {
  readonly sentence: string;
  readonly detail: string;
  /** The final status, when the failure was a SIP one. */
  readonly status?: number;
  /** No response came from the network (timeout, not sent). */
  readonly local: boolean;
}

export function deliveryFailure(error: unknown): DeliveryFailure {
  if (error instanceof SipRequestError) {
    const { status, local } = error;
    return {
      sentence: outcomeSentence({ kind: 'response', to: 'agent', status, local }),
      detail: error.message,
      status,
      local,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { sentence: 'KW Desktop could not send it.', detail, local: true };
}

/** What an answer from the agent's side says about the agent; undefined when it says nothing. */
export function agentGone(failure: DeliveryFailure): 'left' | 'offline' | undefined {
  if (failure.local || failure.status === undefined) return undefined;
  if (failure.status === AGENT_LEFT_STATUS) return 'left';
  return AGENT_OFFLINE_STATUSES.has(failure.status) ? 'offline' : undefined;
}
