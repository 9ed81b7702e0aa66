import { describe, expect, it } from 'vitest';
import { encodeControlMessage, parseControlMessage } from '../../../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../../../wire/content-types.js';

const ID = '5d0c3a52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';

describe('control messages', () => {
  it('round-trips every message type', () => {
    const bodies = [
      encodeControlMessage('preview', {
        interactionId: ID,
        agent: { uri: 'sip:agent1@lab.local', displayName: 'A' },
        routingPoint: 'sip:billing@lab.local',
        subject: 'S',
        text: 'T',
        userData: { CaseNumber: '42' },
        expiresAt: '2026-11-24T09:00:20.000Z',
      }),
      encodeControlMessage('preview-answer', { interactionId: ID, decision: 'decline', reason: 'lunch' }),
      encodeControlMessage('preview-cancel', { interactionId: ID, reason: 'taken' }),
      encodeControlMessage('routed', {
        interactionId: ID,
        kw: { uri: 'sip:kw1@lab.local', displayName: 'K', voiceUri: 'sip:kw1@lab.local' },
      }),
      encodeControlMessage('not-routed', { interactionId: ID, reason: 'no-kw-available' }),
      encodeControlMessage('end', { interactionId: ID }),
    ];
    const types = bodies.map((b) => {
      const r = parseControlMessage(CONTROL_CONTENT_TYPE, b, ID);
      if (!r.ok) throw new Error(r.reason);
      return r.message.type;
    });
    expect(types).toEqual(['preview', 'preview-answer', 'preview-cancel', 'routed', 'not-routed', 'end']);
  });

  it('gives a precise status and reason for each kind of bad input', () => {
    const p = (body: string, ct = CONTROL_CONTENT_TYPE) => parseControlMessage(ct, body);
    expect(p('{}', 'text/plain')).toEqual({ ok: false, status: 415, reason: 'Unsupported Media Type' });
    expect(p('{')).toEqual({ ok: false, status: 400, reason: 'Malformed JSON' });
    expect(p('[]')).toEqual({ ok: false, status: 400, reason: 'Body Is Not A JSON Object' });
    expect(p('{"v":2,"type":"end"}')).toEqual({
      ok: false,
      status: 400,
      reason: 'Unsupported Protocol Version',
    });
    expect(p('{"v":1,"type":"nope"}')).toEqual({ ok: false, status: 400, reason: 'Unknown Message Type' });
    expect(p(`{"v":1,"type":"end","interactionId":"x"}`)).toMatchObject({
      status: 400,
      reason: expect.stringMatching(/^Invalid interactionId/),
    });
    expect(p(`{"v":1,"type":"end","interactionId":"${ID}","more":1}`)).toMatchObject({
      status: 400,
      reason: expect.stringMatching(/^Invalid more/),
    });
    expect(p(`{"v":1,"type":"end","interactionId":"${ID}","reason":"${'x'.repeat(40_000)}"}`)).toMatchObject({
      status: 413,
    });
  });

  it('accepts the content type with parameters and in any case', () => {
    const body = encodeControlMessage('end', { interactionId: ID });
    expect(parseControlMessage('Application/VND.kwdesk+json; charset=utf-8', body).ok).toBe(true);
  });
});
