import { describe, expect, it } from 'vitest';
import {
  HeaderList,
  encodeMessage,
  parseMessage,
  serializeMessage,
  type SipRequest,
} from '../../../lab/sip-server/message.js';

const crlf = (lines: string[], body = ''): string => `${lines.join('\r\n')}\r\n\r\n${body}`;

const REGISTER = [
  'REGISTER sip:lab.local SIP/2.0',
  'v: SIP/2.0/WSS a.invalid;branch=z9hG4bK1, SIP/2.0/WS b.invalid;branch=z9hG4bK2',
  'Max-Forwards: 70',
  't: <sip:kw1@lab.local>',
  'f: "KW, One" <sip:kw1@lab.local>;tag=x',
  'i: abc@host',
  'CSeq: 1 REGISTER',
  'm: <sip:u@a.invalid;transport=ws>;expires=60, "B" <sip:v@a.invalid>',
  'l: 0',
];

describe('parseMessage', () => {
  it('parses a request with compact headers and splits list headers', () => {
    const { message, error } = parseMessage(crlf(REGISTER));
    expect(error).toBeUndefined();
    const req = message as SipRequest;
    expect(req.kind).toBe('request');
    expect(req.method).toBe('REGISTER');
    expect(req.uri).toBe('sip:lab.local');
    expect(req.headers.getAll('Via')).toEqual([
      'SIP/2.0/WSS a.invalid;branch=z9hG4bK1',
      'SIP/2.0/WS b.invalid;branch=z9hG4bK2',
    ]);
    expect(req.headers.getAll('contact')).toHaveLength(2);
    expect(req.headers.get('CALL-ID')).toBe('abc@host');
    expect(req.headers.get('From')).toBe('"KW, One" <sip:kw1@lab.local>;tag=x');
    expect(req.headers.get('Content-Length')).toBe('0');
  });

  it('keeps other headers whole, with their case and commas', () => {
    const text = crlf([...REGISTER.slice(0, -1), 'X-UserData-CaseNumber: 12, 34', 'l: 0']);
    const req = parseMessage(text).message as SipRequest;
    expect(req.headers.get('x-userdata-casenumber')).toBe('12, 34');
    expect(req.headers.entries().some((h) => h.name === 'X-UserData-CaseNumber')).toBe(true);
  });

  it('unfolds continuation lines', () => {
    const text = crlf([...REGISTER.slice(0, -1), 'Subject: one', '  two', 'l: 0']);
    expect(parseMessage(text).message?.headers.get('Subject')).toBe('one two');
  });

  it('counts Content-Length in UTF-8 bytes', () => {
    const body = 'héllo ✓';
    const lines = [...REGISTER.slice(0, -1), `Content-Length: ${Buffer.byteLength(body)}`];
    const { message, error } = parseMessage(crlf(lines, body));
    expect(error).toBeUndefined();
    expect(message?.body).toBe(body);
  });

  it('reports a body length mismatch but still returns the request', () => {
    const lines = [...REGISTER.slice(0, -1), 'Content-Length: 10'];
    const { message, error } = parseMessage(crlf(lines, 'abc'));
    expect(message?.kind).toBe('request');
    expect(error).toEqual({ status: 400, reason: 'Content-Length mismatch (header 10, body 3 bytes)' });
  });

  it('takes the rest of the frame as body when Content-Length is absent', () => {
    const { message, error } = parseMessage(crlf(REGISTER.slice(0, -1), 'xyz'));
    expect(error).toBeUndefined();
    expect(message?.body).toBe('xyz');
  });

  it('accepts bare LF line endings and binary input', () => {
    const { message, error } = parseMessage(Buffer.from(`${REGISTER.join('\n')}\n\n`));
    expect(error).toBeUndefined();
    expect(message?.headers.get('CSeq')).toBe('1 REGISTER');
  });

  it('reads anything but a response as a request, so that garbage can be answered 400 with the reason', () => {
    expect(parseMessage('hello world')).toMatchObject({
      message: { kind: 'request', method: 'hello' },
      error: { status: 400, reason: 'Not a SIP Request-Line' },
    });
    expect(parseMessage('').error?.reason).toBe('Empty Request-Line');
    expect(parseMessage('\u0000\u0001binary').error?.reason).toBe('Control character in the Request-Line');
    expect(parseMessage(Buffer.from([0x49, 0x4e, 0xff])).error?.reason).toBe(
      'Header section is not valid UTF-8',
    );
  });

  it('drops a response it cannot read, with the reason', () => {
    expect(parseMessage('SIP/2.0 4294967301 big\r\n\r\n')).toEqual({
      error: { status: 400, reason: 'Bad Status-Line' },
    });
    expect(parseMessage('SIP/3.0 200 OK\r\n\r\n').message).toBeUndefined();
  });

  it('flags a malformed header line and a wrong SIP version', () => {
    expect(parseMessage(crlf([...REGISTER, 'no colon here'])).error?.reason).toMatch(
      /^Malformed header line/,
    );
    const v3 = parseMessage(crlf(['OPTIONS sip:lab.local SIP/3.0', ...REGISTER.slice(1)]));
    expect(v3.message?.kind).toBe('request');
    expect(v3.error?.status).toBe(505);
  });

  it('discards octets after Content-Length (RFC 3261 §18.3)', () => {
    const lines = [...REGISTER.slice(0, -1), 'Content-Length: 3'];
    const r = parseMessage(crlf(lines, 'abcINVITE sip:x SIP/2.0\r\n\r\n'));
    expect(r.error).toBeUndefined();
    expect(r.message?.body).toBe('abc');
    expect(r.discarded).toBe(Buffer.byteLength('INVITE sip:x SIP/2.0\r\n\r\n'));
  });

  it('keeps a body that is not UTF-8 byte for byte, and writes it back unchanged', () => {
    const body = Buffer.from([0x30, 0x82, 0x00, 0xff, 0x0a, 0x0d]);
    const head = Buffer.from(`${REGISTER.slice(0, -1).join('\r\n')}\r\nContent-Length: 6\r\n\r\n`);
    const r = parseMessage(Buffer.concat([head, body]));
    expect(r.error).toBeUndefined();
    expect(r.message?.bodyIsBinary).toBe(true);
    const wire = encodeMessage(r.message as SipRequest);
    expect(wire.subarray(wire.length - 6).equals(body)).toBe(true);
    expect(wire.toString('latin1')).toContain('\r\nContent-Length: 6\r\n\r\n');
  });

  it('refuses a control character in a value but not a quoted-pair of one', () => {
    expect(parseMessage(crlf([...REGISTER, 'Subject: a\u0000b'])).error?.reason).toBe(
      'Control character in the Subject header',
    );
    expect(parseMessage(crlf([...REGISTER, 'Subject: a\u000bb'])).error?.reason).toBe(
      'Control character in the Subject header',
    );
    expect(parseMessage(crlf([...REGISTER, 'X-Name: "BEL:\\\u0007 NUL:\\\u0000"'])).error).toBeUndefined();
  });

  it('refuses an empty element in a list header', () => {
    expect(parseMessage(crlf([...REGISTER, 'Route: <sip:a@b;lr>,,<sip:c@d;lr>'])).error?.reason).toBe(
      'Empty element in the Route header',
    );
  });

  it('ignores CRLFs before the start line and counts lines from the frame start', () => {
    const r = parseMessage(`\r\n\r\n${crlf(REGISTER)}`);
    expect(r.error).toBeUndefined();
    expect(r.message?.headers.get('CSeq')).toBe('1 REGISTER');
    expect(parseMessage(`\r\n${crlf([...REGISTER.slice(0, 2), 'no colon'])}`).error?.reason).toBe(
      'Malformed header line 4: no colon',
    );
  });

  it('reads a frame whose headers end with CRLF but no empty line', () => {
    const r = parseMessage(`${REGISTER.join('\r\n')}\r\n`);
    expect(r.error).toBeUndefined();
    expect(r.message?.headers.get('Content-Length')).toBe('0');
  });

  it('parses responses', () => {
    const { message } = parseMessage(
      crlf(['SIP/2.0 180 Ringing', 'Via: SIP/2.0/WS x;branch=z9hG4bK1', 'l: 0']),
    );
    expect(message).toMatchObject({ kind: 'response', status: 180, reason: 'Ringing' });
  });
});

describe('serializeMessage', () => {
  it('round-trips and writes a byte-exact Content-Length last', () => {
    const req = parseMessage(crlf(REGISTER)).message as SipRequest;
    req.body = 'ünïcode';
    const text = serializeMessage(req);
    expect(text).toMatch(/\r\nContent-Length: 9\r\n\r\nünïcode$/);
    const again = parseMessage(text);
    expect(again.error).toBeUndefined();
    expect(again.message?.headers.getAll('Via')).toHaveLength(2);
  });
});

describe('HeaderList', () => {
  it('prepends before the first header of the name, sets in place and removes', () => {
    const h = new HeaderList();
    h.add('From', 'a');
    h.add('Via', 'v1');
    h.prepend('Via', 'v0');
    h.prepend('Record-Route', 'rr');
    expect(h.entries().map((e) => e.name)).toEqual(['Record-Route', 'From', 'Via', 'Via']);
    expect(h.getAll('v')).toEqual(['v0', 'v1']);
    h.set('From', 'b');
    expect(h.entries()[1]).toEqual({ name: 'From', value: 'b' });
    expect(h.removeFirst('Via')).toBe('v0');
    expect(h.remove('via')).toBe(1);
  });
});
