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
