import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatUri,
  getParam,
  parseAuthParams,
  parseCSeq,
  parseNameAddr,
  parseUri,
  parseVia,
  splitList,
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
