import { describe, expect, it } from 'vitest';
import {
  outcomeSentence,
  trailingStatus,
  withoutStatusLine,
  type Outcome,
} from '../../../main/core/sip/outcome-text.js';
import type { ConnectionProblemKind } from '../../../main/core/sip/connection-state.js';
import { describeEnd } from '../../../main/core/calls/end-reason.js';

/** What the KW must never read: a SIP status line ("481 Interaction Does Not Exist"). */
const STATUS_LINE = /\b[1-6]\d\d [A-Z]/;
const toAgent = (status: number, local = false): Outcome => ({
  kind: 'response',
  to: 'agent',
  status,
  local,
});
const toRouting = (status: number): Outcome => ({
  kind: 'response',
  to: 'routing-service',
  status,
  local: false,
});

/** Every final failure status of RFC 3261 and its extensions, and some nobody registered. */
const STATUSES = [
  400, 401, 402, 403, 404, 405, 406, 407, 408, 410, 413, 414, 415, 416, 420, 421, 423, 429, 430, 480, 481,
  482, 483, 484, 485, 486, 487, 488, 489, 491, 493, 499, 500, 501, 502, 503, 504, 505, 513, 580, 599, 600,
  603, 604, 606, 699,
];

describe('outcome → sentence', () => {
  it('a chat message: the agent left (481), is offline (480, 404, 410, 604), does not answer (408)', () => {
    expect(outcomeSentence(toAgent(481))).toBe('The agent has left this chat.');
    for (const status of [480, 404, 410, 604])
      expect(outcomeSentence(toAgent(status))).toBe('The agent is offline.');
    expect(outcomeSentence(toAgent(408))).toBe('No answer from the agent.');
    expect(outcomeSentence(toAgent(486))).toBe('The agent is busy and cannot take messages now.');
    expect(outcomeSentence(toAgent(413))).toBe("It is too long for the agent's app.");
    expect(outcomeSentence(toAgent(415))).toBe("The agent's app cannot show this kind of message.");
    expect(outcomeSentence(toAgent(500))).toBe('The server could not pass it on. Try again in a moment.');
    expect(outcomeSentence(toAgent(499))).toBe("The agent's app refused it.");
  });

  it('no response at all: a timeout, or not sent because KW Desktop is not connected', () => {
    expect(outcomeSentence(toAgent(408, true))).toBe('No answer came back in time.');
    expect(outcomeSentence(toAgent(503, true))).toBe(
      'KW Desktop is not connected to the server, so it could not be sent.',
    );
    expect(outcomeSentence(toAgent(416, true))).toBe('KW Desktop could not send it.');
  });

  it('the same status to the routing service says something else', () => {
    expect(outcomeSentence(toRouting(481))).toBe('This request is no longer open.');
    expect(outcomeSentence(toRouting(408))).toBe('No answer from the routing service.');
    expect(outcomeSentence(toRouting(503))).toBe('The routing service had a problem. Try again in a moment.');
    expect(outcomeSentence(toRouting(488))).toBe('The routing service refused it.');
  });

  it('each connection problem, with what to do when only the person can fix it', () => {
    const kinds: ConnectionProblemKind[] = [
      'unreachable',
      'lost',
      'credentials',
      'unknown-account',
      'registration',
    ];
    const sentences = kinds.map((problem) => outcomeSentence({ kind: 'connection', problem }));
    expect(sentences).toEqual([
      'KW Desktop cannot reach the SIP server, so requests cannot reach you.',
      'The connection to the SIP server was lost, so requests cannot reach you.',
      'The server refused your password. Check it in Settings.',
      'The server does not know your SIP address. Check it in Settings.',
      'The SIP server could not sign you in.',
    ]);
    expect(outcomeSentence({ kind: 'connection', problem: 'registration', status: 500 })).toBe(
      'The SIP server has a problem and could not sign you in.',
    );
  });

  it('a call that failed: JsSIP causes in words, unknown ones too, labelled like the other end reasons', () => {
    expect(outcomeSentence({ kind: 'call-failed', cause: 'Incompatible SDP', answered: false })).toBe(
      'Could not connect: the two sides could not agree on audio',
    );
    expect(outcomeSentence({ kind: 'call-failed', cause: 'SIP Failure Code', answered: false })).toBe(
      'Could not connect: the call failed',
    );
    expect(outcomeSentence({ kind: 'call-failed', cause: 'Connection Error', answered: true })).toBe(
      'The call ended: the connection to the server was lost',
    );
  });

  it("a call's end reason for a cause nobody chose comes from here, never as the raw cause", () => {
    expect(describeEnd({ answered: false, originator: 'remote', cause: 'Busy' }).reason).toBe(
      'Could not connect: the line was busy',
    );
    expect(describeEnd({ answered: true, originator: 'system', cause: 'Connection Error' }).reason).toBe(
      'The call ended: the connection to the server was lost',
    );
  });

  it('no sentence for any status, to anyone, holds a status code', () => {
    for (const status of STATUSES) {
      for (const outcome of [toAgent(status), toAgent(status, true), toRouting(status)]) {
        const sentence = outcomeSentence(outcome);
        expect(sentence, JSON.stringify(outcome)).toMatch(/^[A-Z].*\.$/);
        expect(sentence, JSON.stringify(outcome)).not.toMatch(/\d/);
      }
    }
  });
});

describe('status lines in command errors', () => {
  it('finds the status of a status line at the end of a text, and nothing else', () => {
    expect(trailingStatus('481 Interaction Does Not Exist')).toBe(481);
    expect(trailingStatus('the router did not take the answer: 408 Request Timeout')).toBe(408);
    expect(trailingStatus('a message is at most 4000 characters')).toBeUndefined();
    expect(trailingStatus('invoice 123 was paid')).toBeUndefined();
    expect(trailingStatus('the call is not ringing')).toBeUndefined();
  });

  it('replaces the status line with the sentence, keeping what was being done', () => {
    const text = withoutStatusLine('the router did not take the answer: 481 Interaction Does Not Exist');
    expect(text).toBe('the router did not take the answer: this request is no longer open.');
    expect(text).not.toMatch(STATUS_LINE);
    expect(withoutStatusLine('503 Service Unavailable')).toBe(
      'The routing service had a problem. Try again in a moment.',
    );
    expect(withoutStatusLine('this conversation has ended')).toBe('this conversation has ended');
  });
});
