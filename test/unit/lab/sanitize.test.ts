import { describe, expect, it } from 'vitest';
import { HeaderList, encodeMessage, parseMessage, type SipRequest } from '../../../lab/sip-server/message.js';
import { createResponse } from '../../../lab/sip-server/responses.js';
import { MAX_REASON_LENGTH, forLog, reasonPhrase } from '../../../lab/sip-server/sanitize.js';

describe('reasonPhrase', () => {
  it.each([
    ['CR', 'Bad\rInjected-Header: yes', 'Bad?Injected-Header: yes'],
    ['LF', 'Bad\nInjected-Header: yes', 'Bad?Injected-Header: yes'],
    ['CRLF', 'Bad\r\n\r\nSIP/2.0 200 OK', 'Bad????SIP/2.0 200 OK'],
    ['NUL', 'a\u0000b', 'a?b'],
    ['DEL', 'a\u007fb', 'a?b'],
    ['UTF-8', 'Ça marche ✓', '?a marche ?'],
    ['an astral character once', 'ok 😀', 'ok ?'],
  ])('keeps printable ASCII only (%s)', (_what, input, expected) => {
    expect(reasonPhrase(input)).toBe(expected);
  });

  it('caps the length', () => {
    const long = reasonPhrase(`Malformed ${'x'.repeat(500)}`);
    expect(long).toHaveLength(MAX_REASON_LENGTH);
    expect(long.endsWith('...')).toBe(true);
  });
});

describe('forLog', () => {
  it('escapes control characters, keeps other text, caps the length', () => {
    expect(forLog('sip:a\r\nX: y@b\u0000')).toBe('sip:a\\r\\nX: y@b\\x00');
    expect(forLog('Zoë ✓')).toBe('Zoë ✓');
    expect(forLog('y'.repeat(500), 20)).toBe(`${'y'.repeat(17)}...`);
  });
});

describe('what a reply echoes', () => {
  const request = (extra: string): SipRequest =>
    parseMessage(
      `MESSAGE sip:b@lab.local SIP/2.0\r\nVia: SIP/2.0/WS a.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@lab.local>;tag=1\r\nTo: <sip:b@lab.local>\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\n${extra}\r\n\r\n`,
    ).message as SipRequest;

  it('builds every reason through the sanitiser', () => {
    const res = createResponse(request(''), 400, { reason: 'Bad\r\nX-Injected: 1' });
    expect(res.reason).toBe('Bad??X-Injected: 1');
    const wire = encodeMessage(res).toString('utf8');
    expect(wire.split('\r\n')[0]).toBe('SIP/2.0 400 Bad??X-Injected: 1');
    expect(wire).not.toMatch(/^X-Injected/m);
  });

  it('leaves out a copied header whose value carries a control character', () => {
    const req = request('');
    req.headers.set('From', '<sip:a@lab.local>;tag=1\rX-Injected: 1');
    const res = createResponse(req, 400);
    expect(res.headers.get('From')).toBeUndefined();
    expect(res.headers.get('Call-ID')).toBe('c1');
  });

  it('never writes a line break inside a header value', () => {
    const headers = new HeaderList();
    headers.add('Subject', 'a\r\nX-Injected: 1');
    const wire = encodeMessage({ kind: 'response', status: 200, reason: 'OK', headers, body: '' });
    expect(wire.toString('utf8')).toBe(
      'SIP/2.0 200 OK\r\nSubject: a X-Injected: 1\r\nContent-Length: 0\r\n\r\n',
    );
  });
});
