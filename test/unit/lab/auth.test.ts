import { describe, expect, it } from 'vitest';
import { DigestAuth, digestResponse } from '../../../lab/sip-server/auth.js';
import { parseMessage, type SipRequest } from '../../../lab/sip-server/message.js';
import { parseAuthParams } from '../../../lab/sip-server/syntax.js';

function register(authorization?: string): SipRequest {
  const lines = [
    'REGISTER sip:lab.local SIP/2.0',
    'Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1',
    'From: <sip:kw1@lab.local>;tag=1',
    'To: <sip:kw1@lab.local>',
    'Call-ID: c',
    'CSeq: 2 REGISTER',
  ];
  if (authorization) lines.push(`Authorization: ${authorization}`);
  return parseMessage(`${lines.join('\r\n')}\r\n\r\n`).message as SipRequest;
}

function credentials(auth: DigestAuth, password: string, nonce = auth.newNonce(), user = 'kw1'): string {
  const response = digestResponse({
    user,
    realm: 'lab.local',
    password,
    method: 'REGISTER',
    uri: 'sip:lab.local',
    nonce,
    qop: 'auth',
    nc: '00000001',
    cnonce: 'cn',
  });
  return `Digest username="${user}", realm="lab.local", nonce="${nonce}", uri="sip:lab.local", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="cn"`;
}

describe('digestResponse', () => {
  it('matches the RFC 2617 §3.5 example', () => {
    expect(
      digestResponse({
        user: 'Mufasa',
        realm: 'testrealm@host.com',
        password: 'Circle Of Life',
        method: 'GET',
        uri: '/dir/index.html',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        qop: 'auth',
        nc: '00000001',
        cnonce: '0a4f113b',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });
});

describe('DigestAuth', () => {
  let now = 1_000_000;
  const auth = new DigestAuth({
    realm: 'lab.local',
    users: new Map([['kw1', 'kw1-secret']]),
    now: () => now,
    nonceTtlMs: 60_000,
  });

  it('challenges with MD5, qop=auth and the realm', () => {
    const c = parseAuthParams(auth.challenge());
    expect(c?.params.get('realm')).toBe('lab.local');
    expect(c?.params.get('qop')).toBe('auth');
    expect(c?.params.get('algorithm')).toBe('MD5');
    expect(c?.params.has('stale')).toBe(false);
    expect(parseAuthParams(auth.challenge(true))?.params.get('stale')).toBe('true');
  });

  it('accepts the right password and refuses a wrong one or an unknown user', () => {
    expect(auth.check(register(), 'Authorization')).toEqual({ kind: 'none' });
    expect(auth.check(register(credentials(auth, 'kw1-secret')), 'Authorization')).toEqual({
      kind: 'ok',
      user: 'kw1',
    });
    expect(auth.check(register(credentials(auth, 'nope')), 'Authorization')).toMatchObject({
      kind: 'failed',
      reason: 'wrong password',
    });
    expect(auth.check(register(credentials(auth, 'x', undefined, 'eve')), 'Authorization')).toMatchObject({
      kind: 'failed',
      reason: 'unknown user',
    });
  });

  it('ignores credentials for another realm', () => {
    const other = credentials(auth, 'kw1-secret').replace('realm="lab.local"', 'realm="elsewhere"');
    expect(auth.check(register(other), 'Authorization')).toEqual({ kind: 'none' });
  });

  it('calls expired and foreign nonces stale', () => {
    const nonce = auth.newNonce();
    expect(auth.nonceState(nonce)).toBe('valid');
    now += 61_000;
    expect(auth.nonceState(nonce)).toBe('expired');
    expect(auth.check(register(credentials(auth, 'kw1-secret', nonce)), 'Authorization')).toEqual({
      kind: 'stale',
    });
    const restarted = new DigestAuth({ realm: 'lab.local', users: new Map() });
    expect(restarted.nonceState(auth.newNonce())).toBe('foreign');
    expect(auth.nonceState('garbage')).toBe('foreign');
  });
});
