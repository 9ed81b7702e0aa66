import { describe, expect, it } from 'vitest';
import { parseNameAddr, readIncomingCall } from '../../../main/core/calls/incoming-call.js';
import { describeEnd } from '../../../main/core/calls/end-reason.js';

const ID = '6f1c2a6e-1b0f-4b8e-9a52-2f4a1c9d7e10';

function invite(headers: string[]): string {
  return [
    'INVITE sip:kw1@lab.local SIP/2.0',
    'From: "Agent One" <sip:agent1@lab.local>;tag=a',
    'To: <sip:kw1@lab.local>',
    ...headers,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('readIncomingCall', () => {
  it('reads the interaction, the escalation, user data with its case, and participants', () => {
    const info = readIncomingCall(
      invite([
        `X-Interaction-Id: ${ID}`,
        'X-Escalation: Conference',
        'X-UserData-CaseNumber: 42',
        'X-UserData-Customer: Ren%C3%A9e',
        'X-Participant: "Renée Customer" <sip:customer@lab.local>',
        'X-Participant: <sip:third@lab.local>',
      ]),
    );
    expect(info).toEqual({
      interactionId: ID,
      escalation: 'conference',
      userData: { CaseNumber: '42', Customer: 'Renée' },
      participants: [
        { uri: 'sip:customer@lab.local', displayName: 'Renée Customer' },
        { uri: 'sip:third@lab.local', displayName: '' },
      ],
      problems: [],
    });
  });

  it('is an ordinary call without an interaction id', () => {
    const info = readIncomingCall(invite([]));
    expect(info.interactionId).toBeUndefined();
    expect(info.escalation).toBeUndefined();
    expect(info.problems).toEqual([]);
  });

  it('drops malformed headers and says why', () => {
    const info = readIncomingCall(
      invite(['X-Interaction-Id: not-a-uuid', 'X-Escalation: merge', 'X-Participant: <script>']),
    );
    expect(info.interactionId).toBeUndefined();
    expect(info.escalation).toBeUndefined();
    expect(info.participants).toEqual([]);
    expect(info.problems).toEqual([
      'X-Interaction-Id is not a UUID',
      'X-Escalation is neither transfer nor conference',
      'X-Participant is not a name-addr',
    ]);
  });

  it('treats an escalation without interaction id as an ordinary call', () => {
    const info = readIncomingCall(invite(['X-Escalation: transfer']));
    expect(info.escalation).toBeUndefined();
    expect(info.problems).toContain('X-Escalation without an interaction id: treated as an ordinary call');
  });

  it('parses name-addr forms and refuses oversized ones', () => {
    expect(parseNameAddr('sip:a@b')).toEqual({ uri: 'sip:a@b', displayName: '' });
    expect(parseNameAddr('Bob <sip:bob@x>')).toEqual({ uri: 'sip:bob@x', displayName: 'Bob' });
    expect(parseNameAddr('"A \\"q\\"" <sips:q@x>')).toEqual({ uri: 'sips:q@x', displayName: 'A "q"' });
    expect(parseNameAddr(`"${'n'.repeat(200)}" <sip:a@b>`)).toBeUndefined();
    expect(parseNameAddr('mailto:a@b')).toBeUndefined();
  });
});

describe('describeEnd', () => {
  it('names who ended an answered call', () => {
    expect(describeEnd({ answered: true, originator: 'remote', cause: 'Terminated' })).toEqual({
      reason: 'The caller hung up',
      outcome: 'answered',
    });
    expect(
      describeEnd({ answered: true, originator: 'local', cause: 'Terminated', localReason: 'hung-up' }),
    ).toEqual({
      reason: 'You hung up',
      outcome: 'answered',
    });
  });
  it('tells missed from declined from lost', () => {
    expect(describeEnd({ answered: false, originator: 'remote', cause: 'Canceled' }).outcome).toBe('missed');
    expect(
      describeEnd({ answered: false, originator: 'local', cause: 'Rejected', localReason: 'declined' })
        .outcome,
    ).toBe('declined');
    expect(
      describeEnd({ answered: false, originator: 'local', cause: 'Rejected', localReason: 'no-answer' }),
    ).toEqual({
      reason: 'Not answered in time',
      outcome: 'missed',
    });
    expect(describeEnd({ answered: true, originator: 'system', cause: 'RTP Timeout' })).toEqual({
      reason: 'Audio was lost',
      outcome: 'answered',
    });
  });
});
