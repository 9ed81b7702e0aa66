import { describe, expect, it } from 'vitest';
import { LIMITS, encodeControlMessage, parseControlMessage, shortenSubject } from '../../../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../../../wire/content-types.js';
import { isIsoTime } from '../../../wire/iso-time.js';
import { decodeUtf8 } from '../../../wire/utf8.js';

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

describe('protocol additions', () => {
  const preview = (subject: string) =>
    encodeControlMessage('preview', {
      interactionId: ID,
      agent: { uri: 'sip:agent1@lab.local', displayName: 'A' },
      routingPoint: 'sip:billing@lab.local',
      subject,
      text: 'T',
      userData: {},
      expiresAt: '2026-11-24T09:00:20.000Z',
    });

  it('a preview whose subject is over the limit is shown shortened with "…", not refused', () => {
    const r = parseControlMessage(CONTROL_CONTENT_TYPE, preview('word '.repeat(60)));
    if (!r.ok || r.message.type !== 'preview') throw new Error('refused');
    expect(r.message.subject.length).toBeLessThanOrEqual(LIMITS.subject);
    expect(r.message.subject).toMatch(/ word…$/);
  });

  it('shortening never splits a surrogate pair', () => {
    const s = shortenSubject(`${'x'.repeat(LIMITS.subject - 2)}😀😀😀`);
    expect(s.length).toBeLessThanOrEqual(LIMITS.subject);
    expect(s).toMatch(/x…$/);
    expect(shortenSubject('short')).toBe('short');
  });

  it('not-routed may carry the reasons the KWs gave, and refuses a malformed list', () => {
    const ok = encodeControlMessage('not-routed', {
      interactionId: ID,
      reason: 'declined',
      declines: [{ kw: 'sip:kw1@lab.local', reason: 'In a meeting' }, { kw: 'sip:kw2@lab.local' }],
    });
    const r = parseControlMessage(CONTROL_CONTENT_TYPE, ok);
    expect(r.ok && r.message.type === 'not-routed' && r.message.declines).toEqual([
      { kw: 'sip:kw1@lab.local', reason: 'In a meeting' },
      { kw: 'sip:kw2@lab.local' },
    ]);
    const bad = JSON.stringify({
      v: 1,
      type: 'not-routed',
      interactionId: ID,
      reason: 'declined',
      declines: [{ kw: 'x' }],
    });
    expect(parseControlMessage(CONTROL_CONTENT_TYPE, bad)).toMatchObject({ ok: false, status: 400 });
  });
});

describe('strict validation', () => {
  const preview = (fields: Record<string, unknown>) =>
    JSON.stringify({
      v: 1,
      type: 'preview',
      interactionId: ID,
      agent: { uri: 'sip:agent1@lab.local', displayName: 'A' },
      routingPoint: 'sip:billing@lab.local',
      subject: 'S',
      text: 'T',
      userData: {},
      expiresAt: '2027-02-28T09:00:00.000Z',
      ...fields,
    });

  it('refuses impossible dates that Date.parse would roll over', () => {
    expect(Number.isFinite(Date.parse('2027-02-30T09:00:00.000Z'))).toBe(true); // why the check exists
    for (const expiresAt of [
      '2027-02-30T09:00:00.000Z',
      '2027-02-29T09:00:00Z',
      '2027-04-31T09:00:00Z',
      '2027-13-01T09:00:00Z',
      '2027-00-10T09:00:00Z',
      '2027-01-01T24:00:00Z',
      '2027-01-01T09:60:00Z',
      '2027-01-01T09:00:60Z',
      '2027-01-01T09:00:00+24:00',
      '2027-01-01 09:00:00Z',
      '2027-01-01T09:00:00',
      'tomorrow',
    ]) {
      expect(parseControlMessage(CONTROL_CONTENT_TYPE, preview({ expiresAt })), expiresAt).toEqual({
        ok: false,
        status: 400,
        reason: 'Invalid expiresAt: expiresAt must be a real ISO time',
      });
    }
  });

  it('accepts real dates: leap days, offsets, fractions', () => {
    for (const expiresAt of [
      '2028-02-29T09:00:00Z',
      '2000-02-29T23:59:59.999Z',
      '2027-12-31T23:59:59+01:00',
      '2027-06-30T00:00:00.123456-05:30',
    ]) {
      expect(isIsoTime(expiresAt), expiresAt).toBe(true);
      expect(parseControlMessage(CONTROL_CONTENT_TYPE, preview({ expiresAt })).ok, expiresAt).toBe(true);
    }
    expect(isIsoTime('1900-02-29T00:00:00Z')).toBe(false);
  });

  it('refuses userData that is not a JSON object, or uses a key a record cannot hold', () => {
    expect(parseControlMessage(CONTROL_CONTENT_TYPE, preview({ userData: ['42'] }))).toEqual({
      ok: false,
      status: 400,
      reason: 'Invalid userData: userData must be a JSON object',
    });
    expect(parseControlMessage(CONTROL_CONTENT_TYPE, preview({ userData: [] }))).toMatchObject({ ok: false });
    expect(parseControlMessage(CONTROL_CONTENT_TYPE, preview({ userData: null }))).toMatchObject({
      ok: false,
    });
    const proto = preview({}).replace('"userData":{}', '"userData":{"__proto__":"x"}');
    expect(parseControlMessage(CONTROL_CONTENT_TYPE, proto)).toMatchObject({
      ok: false,
      reason: 'Invalid userData: userData key not allowed',
    });
    expect(
      parseControlMessage(CONTROL_CONTENT_TYPE, preview({ userData: { constructor: 'x' } })),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(parseControlMessage(CONTROL_CONTENT_TYPE, preview({ userData: { CaseNumber: '42' } })).ok).toBe(
      true,
    );
  });
});

describe('paused and resume (issue 16)', () => {
  const paused = {
    interactionId: ID,
    routingPoint: 'sip:billing@lab.local',
    displayName: 'Billing experts',
    reason: 'missed-requests',
    missed: 3,
  } as const;

  it('round-trips paused and resume', () => {
    const p = parseControlMessage(CONTROL_CONTENT_TYPE, encodeControlMessage('paused', paused));
    expect(p).toEqual({ ok: true, message: { v: 1, type: 'paused', ...paused } });
    const r = parseControlMessage(
      CONTROL_CONTENT_TYPE,
      encodeControlMessage('resume', { interactionId: ID }),
    );
    expect(r).toEqual({ ok: true, message: { v: 1, type: 'resume', interactionId: ID } });
  });

  it('refuses a paused with a bad count, reason, routing point or an extra field', () => {
    const bad = (fields: Record<string, unknown>) =>
      parseControlMessage(
        CONTROL_CONTENT_TYPE,
        JSON.stringify({ v: 1, type: 'paused', ...paused, ...fields }),
      );
    expect(bad({ missed: 0 })).toMatchObject({
      ok: false,
      status: 400,
      reason: 'Invalid missed: missed must be ≥ 1',
    });
    expect(bad({ missed: 2.5 })).toMatchObject({ ok: false, status: 400 });
    expect(bad({ missed: LIMITS.missed + 1 })).toMatchObject({ ok: false, status: 400 });
    expect(bad({ reason: 'tired' })).toMatchObject({ ok: false, status: 400 });
    expect(bad({ routingPoint: 'billing' })).toMatchObject({ ok: false, status: 400 });
    expect(bad({ displayName: 'x'.repeat(LIMITS.displayName + 1) })).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(bad({ html: '<b>' })).toMatchObject({ ok: false, status: 400 });
  });
});

describe('decodeUtf8', () => {
  it('says whether bytes were UTF-8, and tells a decoded U+FFFD from one that was sent', () => {
    expect(decodeUtf8(new Uint8Array([0x63, 0x61, 0x66, 0xc3, 0xa9]))).toEqual({ text: 'café', valid: true });
    expect(decodeUtf8(new Uint8Array([0x63, 0xff, 0x66]))).toEqual({ text: 'c\uFFFDf', valid: false });
    expect(decodeUtf8(new Uint8Array([0xe2, 0x82]))).toMatchObject({ valid: false }); // truncated sequence
    expect(decodeUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toMatchObject({ valid: false }); // a surrogate
    expect(decodeUtf8(new Uint8Array([0xef, 0xbf, 0xbd]))).toEqual({ text: '\uFFFD', valid: true });
  });
});
