/**
 * The one place where an outcome (a SIP final response, a connection problem,
 * a call that failed) becomes the sentence a KW reads. Status lines and JsSIP
 * causes stay in the log and in a "details" disclosure or tooltip; the same
 * status means different things depending on what was attempted, so the
 * outcome says that too.
 */
import type { ConnectionProblemKind } from './connection-state.js';

export type Outcome =
  /**
   * A request the KW sent got a final failure: to the agent (a chat message)
   * or to the routing service (a preview answer, an `end`). `local`: no
   * response came (timeout, or not sent: no connection).
   */
  | {
      readonly kind: 'response';
      readonly to: 'agent' | 'routing-service';
      readonly status: number;
      readonly local: boolean;
    }
  /** Why the KW is not registered. */
  | { readonly kind: 'connection'; readonly problem: ConnectionProblemKind; readonly status?: number }
  /**
   * A call that ended for a reason nobody chose (JsSIP's cause), before or
   * after it was answered. Worded like the other end reasons: a label, no period.
   */
  | { readonly kind: 'call-failed'; readonly cause: string; readonly answered: boolean };

export function outcomeSentence(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'response':
      if (outcome.local) return localFailure(outcome.status);
      return outcome.to === 'agent' ? agentResponse(outcome.status) : routingResponse(outcome.status);
    case 'connection':
      return connectionSentence(outcome.problem, outcome.status);
    case 'call-failed':
      return `${outcome.answered ? 'The call ended' : 'Could not connect'}: ${callCause(outcome.cause)}`;
  }
}

/** No response came: we timed out (408) or could not send (503, RFC 3261 §8.1.3.1). */
function localFailure(status: number): string {
  if (status === 408) return 'No answer came back in time.';
  if (status === 503) return 'KW Desktop is not connected to the server, so it could not be sent.';
  return 'KW Desktop could not send it.';
}

/** The agent's side no longer has the interaction (their app answers it). */
export const AGENT_LEFT_STATUS = 481;
/** Nobody is there for the agent's address (the server answers it). */
export const AGENT_OFFLINE_STATUSES: ReadonlySet<number> = new Set([404, 410, 480, 604]);

const AGENT_RESPONSES: ReadonlyMap<number, string> = new Map([
  [AGENT_LEFT_STATUS, 'The agent has left this chat.'],
  ...[...AGENT_OFFLINE_STATUSES].map((status): [number, string] => [status, 'The agent is offline.']),
  [408, 'No answer from the agent.'],
  [486, 'The agent is busy and cannot take messages now.'],
  [600, 'The agent is busy and cannot take messages now.'],
  [603, "The agent's app declined it."],
  [403, 'The server did not allow this message.'],
  [401, 'The server did not accept your sign-in for this message.'],
  [407, 'The server did not accept your sign-in for this message.'],
  [413, "It is too long for the agent's app."],
  [513, "It is too long for the agent's app."],
  [415, "The agent's app cannot show this kind of message."],
  [488, "The agent's app cannot show this kind of message."],
  [606, "The agent's app cannot show this kind of message."],
]);

function agentResponse(status: number): string {
  const known = AGENT_RESPONSES.get(status);
  if (known) return known;
  if (status >= 500 && status < 600) return 'The server could not pass it on. Try again in a moment.';
  if (status >= 600) return "The agent's app declined it.";
  return "The agent's app refused it.";
}

const ROUTING_RESPONSES: ReadonlyMap<number, string> = new Map([
  [481, 'This request is no longer open.'],
  [404, 'The routing service is not reachable.'],
  [480, 'The routing service is not reachable.'],
  [408, 'No answer from the routing service.'],
  [403, 'The routing service did not accept it from you.'],
]);

function routingResponse(status: number): string {
  const known = ROUTING_RESPONSES.get(status);
  if (known) return known;
  if (status >= 500 && status < 600) return 'The routing service had a problem. Try again in a moment.';
  return 'The routing service refused it.';
}

function connectionSentence(problem: ConnectionProblemKind, status: number | undefined): string {
  switch (problem) {
    case 'unreachable':
      return 'KW Desktop cannot reach the SIP server, so requests cannot reach you.';
    case 'certificate':
      return "The SIP server's certificate is not trusted, so KW Desktop did not connect. Ask your administrator.";
    case 'lost':
      return 'The connection to the SIP server was lost, so requests cannot reach you.';
    case 'credentials':
      return 'The server refused your password. Check it in Settings.';
    case 'unknown-account':
      return 'The server does not know your SIP address. Check it in Settings.';
    case 'registration':
      return status !== undefined && status >= 500 && status < 600
        ? 'The SIP server has a problem and could not sign you in.'
        : 'The SIP server could not sign you in.';
  }
}

/** JsSIP causes (JsSIP_C.causes) of a call that ended before it was answered. */
const CALL_CAUSES: ReadonlyMap<string, string> = new Map([
  ['Connection Error', 'the connection to the server was lost'],
  ['Request Timeout', 'no answer from the other side'],
  ['Busy', 'the line was busy'],
  ['Rejected', 'the call was refused'],
  ['Redirected', 'the call was sent elsewhere'],
  ['Unavailable', 'the other side is not reachable'],
  ['Not Found', 'the other side is not reachable'],
  ['Address Incomplete', 'the address is incomplete'],
  ['Incompatible SDP', 'the two sides could not agree on audio'],
  ['Missing SDP', 'the two sides could not agree on audio'],
  ['Bad Media Description', 'the two sides could not agree on audio'],
  ['User Denied Media Access', 'the microphone was not allowed'],
  ['WebRTC Error', 'the audio could not be set up'],
  ['Authentication Error', 'the server did not accept your sign-in'],
  ['Dialog Error', 'the call was lost'],
  ['Bye', 'the other side hung up'],
]);

function callCause(cause: string): string {
  return CALL_CAUSES.get(cause) ?? 'the call failed';
}

/** "481 Interaction Does Not Exist" as SipRequestError and the log write it; the reason from the network. */
const STATUS_LINE = /\b([1-6]\d\d) [A-Z][^\n]*$/;

/** The status of a status line at the end of a text ("…: 481 Interaction Does Not Exist"), if any. */
export function trailingStatus(text: string): number | undefined {
  const match = STATUS_LINE.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * A command's error for the person: a status line at its end becomes the
 * sentence for a request to the routing service (where commands' requests
 * go: preview answers, `end`). The original stays in the log.
 */
export function withoutStatusLine(message: string): string {
  const status = trailingStatus(message);
  if (status === undefined) return message;
  const sentence = outcomeSentence({ kind: 'response', to: 'routing-service', status, local: false });
  const head = message.replace(STATUS_LINE, '').trimEnd();
  return head ? `${head} ${lowerFirst(sentence)}` : sentence;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
