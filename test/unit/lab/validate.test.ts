import { describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../../../lab/sip-server/message.js';
import { inspectRequest } from '../../../lab/sip-server/validate.js';

const base: Record<string, string> = {
  Via: 'SIP/2.0/WSS a.invalid;branch=z9hG4bK1',
  From: '<sip:a@lab.local>;tag=1',
  To: '<sip:b@lab.local>',
  'Call-ID': 'c1',
  CSeq: '1 MESSAGE',
  'Max-Forwards': '70',
};

function req(
  overrides: Record<string, string | undefined>,
  startLine = 'MESSAGE sip:b@lab.local SIP/2.0',
): SipRequest {
  const headers = { ...base, ...overrides };
  const lines = Object.entries(headers)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return parseMessage(`${startLine}\r\n${lines.join('\r\n')}\r\n\r\n`).message as SipRequest;
}

describe('inspectRequest', () => {
  it('accepts a complete request and parses its fields', () => {
    const r = inspectRequest(req({}));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.info.branch).toBe('z9hG4bK1');
      expect(r.info.from.tag).toBe('1');
      expect(r.info.to.tag).toBeUndefined();
      expect(r.info.cseq).toEqual({ seq: 1, method: 'MESSAGE' });
      expect(r.info.maxForwards).toBe(70);
    }
  });
  it.each([
    ['Via', 'Missing Via header'],
    ['From', 'Missing From header'],
    ['To', 'Missing To header'],
    ['Call-ID', 'Missing Call-ID header'],
    ['CSeq', 'Missing CSeq header'],
  ])('names a missing %s', (name, reason) => {
    expect(inspectRequest(req({ [name]: undefined }))).toEqual({ ok: false, status: 400, reason });
  });
  it('names malformed values', () => {
    expect(inspectRequest(req({ CSeq: 'one MESSAGE' }))).toMatchObject({ reason: 'Malformed CSeq header' });
    expect(inspectRequest(req({ CSeq: '1 INVITE' }))).toMatchObject({
      reason: 'CSeq method does not match the request method',
    });
    expect(inspectRequest(req({ From: 'nobody' }))).toMatchObject({ reason: 'Malformed From header' });
    expect(inspectRequest(req({ Via: 'SIP/2.0' }))).toMatchObject({ reason: 'Malformed Via header' });
    expect(inspectRequest(req({ 'Max-Forwards': 'many' }))).toMatchObject({
      reason: 'Malformed Max-Forwards header',
    });
    expect(inspectRequest(req({}, 'MESSAGE tel:+1234 SIP/2.0'))).toMatchObject({ status: 416 });
  });
});

describe('inspectRequest, RFC 4475 cases', () => {
  it('accepts Max-Forwards with leading zeros, refuses above 255', () => {
    const r = inspectRequest(req({ 'Max-Forwards': '0068' }));
    expect(r.ok && r.info.maxForwards).toBe(68);
    expect(inspectRequest(req({ 'Max-Forwards': '300' }))).toMatchObject({
      reason: 'Malformed Max-Forwards header',
    });
  });
  it('accepts a non-SIP URI in From and To, without a SipUri', () => {
    const r = inspectRequest(req({ From: '<http://www.example.com>;tag=3', To: 'isbn:2983792873' }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.info.from.uri).toBeUndefined();
      expect(r.info.from.tag).toBe('3');
      expect(r.info.to.addr.uri).toBe('isbn:2983792873');
    }
    expect(inspectRequest(req({ From: '<not a uri>' }))).toMatchObject({ reason: 'Malformed From header' });
  });
  it('refuses headers in the Request-URI and a malformed Contact', () => {
    expect(inspectRequest(req({}, 'MESSAGE sip:b@lab.local?Route=%3Csip:x%3E SIP/2.0'))).toMatchObject({
      status: 400,
      reason: 'Headers in the Request-URI',
    });
    expect(inspectRequest(req({ Contact: 'sip:a@b?x=y' }))).toMatchObject({
      reason: 'Malformed Contact header',
    });
    expect(inspectRequest(req({ Contact: '<name:John_Smith>' })).ok).toBe(true);
  });
  it('names every duplicated single-value header, and a case-changed method', () => {
    const dup = parseMessage(
      'MESSAGE sip:b@lab.local SIP/2.0\r\nVia: SIP/2.0/WS a;branch=z9hG4bK1\r\nFrom: <sip:a@lab.local>;tag=1\r\nTo: <sip:b@lab.local>\r\ni: c1\r\nCall-ID: c2\r\nCSeq: 1 MESSAGE\r\nCSeq: 2 MESSAGE\r\n\r\n',
    ).message as SipRequest;
    expect(inspectRequest(dup)).toMatchObject({
      status: 400,
      reason: 'Multiple values in single-value header: Call-ID, CSeq',
    });
    expect(inspectRequest(req({ CSeq: '1 message' }, 'message sip:b@lab.local SIP/2.0'))).toMatchObject({
      reason: 'Method names are case-sensitive (MESSAGE)',
    });
    expect(inspectRequest(req({ CSeq: '1 message' }))).toMatchObject({
      reason: 'CSeq method does not match the request method',
    });
  });
});
