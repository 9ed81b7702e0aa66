import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatUri,
  getParam,
  parseAuthParams,
  parseCSeq,
  parseNameAddr,
  parseParams,
  parseUri,
  parseVia,
  splitList,
  trimLws,
} from '../../../lab/sip-server/syntax.js';

describe('URIs', () => {
  it('parses user, host, port, params and headers', () => {
    const u = parseUri('sip:kw1@LAB.local:5060;transport=ws;lr?subject=x');
    expect(u).toMatchObject({
      scheme: 'sip',
      user: 'kw1',
      host: 'lab.local',
      port: 5060,
      headers: 'subject=x',
    });
    expect(u && getParam(u.params, 'transport')).toBe('ws');
    expect(u && formatUri(u)).toBe('sip:kw1@lab.local:5060;transport=ws;lr?subject=x');
  });
  it('parses host-only and IPv6 URIs and rejects junk', () => {
    expect(parseUri('sip:lab.local')).toMatchObject({ user: undefined, host: 'lab.local' });
    expect(parseUri('sips:[::1]:5061')).toMatchObject({ scheme: 'sips', host: '[::1]', port: 5061 });
    expect(parseUri('tel:+123')).toBeUndefined();
    expect(parseUri('sip:@x')).toBeUndefined();
    expect(parseUri('sip:a@b:99999')).toBeUndefined();
  });
});

describe('name-addr', () => {
  it('separates display name, URI and header params', () => {
    expect(parseNameAddr('"A, B" <sip:a@b;transport=ws>;tag=1;expires=3')).toEqual({
      display: '"A, B"',
      uri: 'sip:a@b;transport=ws',
      params: [
        ['tag', '1'],
        ['expires', '3'],
      ],
    });
  });
  it('treats parameters of a bare addr-spec as header params', () => {
    expect(parseNameAddr('sip:a@b;tag=9')).toEqual({
      display: undefined,
      uri: 'sip:a@b',
      params: [['tag', '9']],
    });
  });
  it('keeps quoted param values (+sip.instance) intact when formatting', () => {
    const c = '<sip:u@h.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance="<urn:uuid:1-2>"';
    const na = parseNameAddr(c);
    expect(na && formatNameAddr(na)).toBe(c);
    expect(splitList(`${c}, <sip:x@y>`)).toHaveLength(2);
  });
});

describe('Via, CSeq, credentials', () => {
  it('parses Via', () => {
    expect(parseVia('SIP/2.0/WSS abc.invalid;branch=z9hG4bK12;rport')).toMatchObject({
      transport: 'WSS',
      host: 'abc.invalid',
      port: undefined,
      params: [
        ['branch', 'z9hG4bK12'],
        ['rport', undefined],
      ],
    });
    expect(parseVia('SIP/2.0/WS 127.0.0.1:5080;branch=x')?.port).toBe(5080);
    expect(parseVia('garbage')).toBeUndefined();
  });
  it('parses CSeq', () => {
    expect(parseCSeq('42 INVITE')).toEqual({ seq: 42, method: 'INVITE' });
    expect(parseCSeq('x INVITE')).toBeUndefined();
    expect(parseCSeq('99999999999 INVITE')).toBeUndefined();
    expect(parseCSeq('1')).toBeUndefined();
  });
  it('parses digest parameters with quoted commas', () => {
    const p = parseAuthParams('Digest username="a", realm="r, x", nonce="n", qop=auth, nc=00000001');
    expect(p?.scheme).toBe('Digest');
    expect(p?.params.get('realm')).toBe('r, x');
    expect(p?.params.get('qop')).toBe('auth');
  });
});

describe('stricter grammar (RFC 4475)', () => {
  it('reads the userinfo up to the @, so ; ? / belong to the user (§3.1.1.2, §3.1.1.9)', () => {
    expect(parseUri('sip:user;par=u%40example.net@example.com')).toMatchObject({
      user: 'user;par=u%40example.net',
      host: 'example.com',
      params: [],
    });
    expect(
      parseUri(
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
      ),
    ).toMatchObject({
      user: "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
      password: "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)",
      host: 'example.com',
      headers: undefined,
    });
    expect(parseUri('sip:user@example.com?Route=%3Csip:example.com%3E')?.headers).toBe(
      'Route=%3Csip:example.com%3E',
    );
  });

  it('refuses empty parameters and allows LWS around ; and = (§3.1.2.1, §3.1.1.1)', () => {
    expect(parseParams(' ;   tag    = 1918181833n')).toEqual([['tag', '1918181833n']]);
    expect(parseParams(';;')).toBeUndefined();
    expect(parseParams(';a;')).toBeUndefined();
    expect(parseParams(';a=')).toBeUndefined();
    expect(parseVia('SIP/2.0/UDP 192.0.2.15;;')).toBeUndefined();
    expect(parseNameAddr('"Joe" <sip:joe@example.org>;;;;')).toBeUndefined();
    expect(parseUri('sip:a@b;;lr')).toBeUndefined();
  });

  it('reads a folded bare addr-spec with spaces before its parameters (§3.1.1.1)', () => {
    expect(parseNameAddr('sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n')).toEqual({
      display: undefined,
      uri: 'sip:vivekg@chair-dnrc.example.com',
      params: [['tag', '1918181833n']],
    });
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323')?.display).toBe('caller');
    expect(parseNameAddr("token1~` token2'+_ <sip:m@example.com>")?.display).toBe("token1~` token2'+_");
    expect(parseNameAddr('"BEL:\\\u0007 NUL:\\\u0000" <sip:a@example.com>')).toBeDefined();
  });

  it.each([
    ['spaces inside <> (§3.1.2.14)', '"Watson, Thomas" < sip:t.watson@example.org >'],
    [
      'an unquoted display name with a comma (§3.1.2.15)',
      'Bell, Alexander <sip:a.g.bell@example.com>;tag=43',
    ],
    ['an unterminated quote (§3.1.2.6)', '"Mr. J. User <sip:j.user@example.com>'],
    ['a bare addr-spec with headers (§3.1.2.13)', 'sip:user@example.com?Route=%3Csip:sip.example.com%3E'],
    ['two bare URIs', 'sip:a@example.com, sip:b@example.com'],
    ['text between > and ;', '<sip:a@example.com>junk;tag=1'],
  ])('refuses %s', (_what, text) => {
    expect(parseNameAddr(text)).toBeUndefined();
  });

  it('trims SP and HTAB only', () => {
    expect(trimLws(' \t a b \t ')).toBe('a b');
    expect(trimLws('\ra\u000b')).toBe('\ra\u000b');
    expect(trimLws(`${' '.repeat(100_000)}x${' '.repeat(100_000)}`)).toBe('x');
  });
});
