/**
 * The provisioning document's schema (wire/provisioning.ts): a good document
 * passes as written; each broken rule is refused with the path it broke.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CA_CERTIFICATES } from '../../../wire/settings-fields.js';
import {
  parseProvisioningDocument,
  parseTokenExchangeAnswer,
  parseTokenExchangeRequest,
} from '../../../wire/provisioning.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nQUJDRA==\n-----END CERTIFICATE-----\n';

function good(): Record<string, unknown> {
  return {
    kwDeskProvisioning: 1,
    servers: ['wss://sip.example.com', 'wss://sip2.example.com:7443/ws'],
    domain: 'example.com',
    account: { uri: 'sip:kim@example.com', authUser: '', displayName: 'Kim Expert' },
    trustedRoutingPoints: ['sip:billing-experts@example.com'],
    presence: { idleMinutes: 10 },
    ring: { sounds: false },
    updates: { enabled: true, feedUrl: 'https://updates.example.com/kw' },
    caCertificates: [PEM],
    signIn: { token: 'abcdefghijklmnop_-1234', exchangeUrl: 'https://prov.example.com/exchange' },
  };
}

function problemOf(doc: unknown): string {
  const result = parseProvisioningDocument(doc);
  if (result.ok) throw new Error('expected a problem, the document was accepted');
  return result.problem;
}

describe('parseProvisioningDocument', () => {
  it('accepts a good document and returns it as written', () => {
    const result = parseProvisioningDocument(good());
    expect(result).toEqual({ ok: true, document: good() });
  });

  it('accepts the smallest document: version, servers, domain', () => {
    const doc = { kwDeskProvisioning: 1, servers: ['ws://127.0.0.1:5080'], domain: 'lab.local' };
    expect(parseProvisioningDocument(doc)).toEqual({ ok: true, document: doc });
  });

  it.each([
    ['not an object', [], 'the document is not a JSON object'],
    ['no version', { kwDeskProvisioning: undefined }, 'kwDeskProvisioning: required'],
    ['version 2', { kwDeskProvisioning: 2 }, 'kwDeskProvisioning: the format version must be 1'],
    ['no servers', { servers: undefined }, 'servers: required'],
    ['servers empty', { servers: [] }, 'servers: at least one server'],
    [
      'an http server',
      { servers: ['wss://a.example.com', 'https://b'] },
      'servers.1: a server is a ws:// or wss:// URL',
    ],
    ['six servers', { servers: Array(6).fill('wss://a.example.com') }, 'servers: at most five servers'],
    ['no domain', { domain: undefined }, 'domain: required'],
    ['domain with a space', { domain: 'exa mple.com' }, 'domain: the domain is a host name like example.com'],
    [
      'domain too long',
      { domain: `${'a'.repeat(60)}.`.repeat(5) + 'com' },
      'domain: a domain has at most 253 characters',
    ],
    ['account not an object', { account: 'kim' }, 'account: must be an object'],
    [
      'account.uri not SIP',
      { account: { uri: 'kim@example.com' } },
      'account.uri: the SIP address looks like sip:user@domain',
    ],
    ['authUser too long', { account: { authUser: 'x'.repeat(129) } }, 'account.authUser: '],
    [
      'a bad routing point',
      { trustedRoutingPoints: ['sip:a@example.com', 'billing'] },
      'trustedRoutingPoints.1: a routing point is a SIP address',
    ],
    ['idle minutes too large', { presence: { idleMinutes: 241 } }, 'presence.idleMinutes: '],
    ['ring sounds not boolean', { ring: { sounds: 'yes' } }, 'ring.sounds: must be true or false'],
    [
      'feed over http',
      { updates: { feedUrl: 'http://updates.example.com' } },
      'updates.feedUrl: must be an https:// URL',
    ],
    [
      'a CA that is not PEM',
      { caCertificates: ['MIIB'] },
      'caCertificates.0: a CA certificate is one PEM block',
    ],
    [
      'a CA over 16 KiB',
      { caCertificates: [PEM + 'A'.repeat(16 * 1024)] },
      'caCertificates.0: a CA certificate has at most 16 KiB',
    ],
    [
      'a short token',
      { signIn: { token: 'short', exchangeUrl: 'https://p.example.com/x' } },
      'signIn.token: a sign-in token has at least 16 characters',
    ],
    [
      'a token with spaces',
      { signIn: { token: 'a b c d e f g h i j', exchangeUrl: 'https://p.example.com/x' } },
      'signIn.token: a sign-in token has only letters',
    ],
    [
      'an exchange over http',
      { signIn: { token: 'abcdefghijklmnopq', exchangeUrl: 'http://p.example.com/x' } },
      'signIn.exchangeUrl: must be an https:// URL',
    ],
    [
      'signIn without exchangeUrl',
      { signIn: { token: 'abcdefghijklmnopq' } },
      'signIn.exchangeUrl: required',
    ],
  ])('%s: names the path and the rule', (_name, change, problem) => {
    const doc = Array.isArray(change) ? change : { ...good(), ...change };
    expect(problemOf(doc)).toContain(problem);
  });

  it('refuses an unknown key, at the top and inside, by name', () => {
    expect(problemOf({ ...good(), colour: 'blue' })).toBe('colour: unknown key');
    expect(problemOf({ ...good(), account: { uri: 'sip:kim@example.com', password: 'x' } })).toBe(
      'account.password: unknown key',
    );
  });

  it('refuses an account outside the domain, and compares the host without case', () => {
    expect(problemOf({ ...good(), account: { uri: 'sip:kim@other.example.com' } })).toBe(
      'account.uri: the account must be in the domain example.com',
    );
    const mixedCase = parseProvisioningDocument({
      ...good(),
      domain: 'Example.COM',
      account: { uri: 'sip:kim@EXAMPLE.com' },
    });
    expect(mixedCase.ok && mixedCase.document.domain).toBe('example.com');
  });

  it('refuses more than ten CA certificates', () => {
    const cas = Array<string>(MAX_CA_CERTIFICATES).fill(PEM);
    expect(parseProvisioningDocument({ ...good(), caCertificates: cas }).ok).toBe(true);
    expect(problemOf({ ...good(), caCertificates: [...cas, PEM] })).toBe(
      'caCertificates: at most 10 CA certificates',
    );
  });
});

describe('the token exchange bodies', () => {
  it('a request carries exactly a token', () => {
    expect(parseTokenExchangeRequest({ token: 'abcdefghijklmnopq' })).toEqual({ token: 'abcdefghijklmnopq' });
    expect(parseTokenExchangeRequest({ token: 'abcdefghijklmnopq', user: 'kw1' })).toEqual({
      problem: 'user: unknown key',
    });
    expect(parseTokenExchangeRequest({})).toEqual({ problem: 'token: required' });
  });

  it('an answer carries a non-empty password', () => {
    expect(parseTokenExchangeAnswer({ password: 'pw', authUser: 'kim' })).toEqual({
      password: 'pw',
      authUser: 'kim',
    });
    expect(parseTokenExchangeAnswer({ password: '' })).toEqual({
      problem: 'password: the password is empty',
    });
  });
});
