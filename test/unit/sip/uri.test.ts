import { describe, expect, it } from 'vitest';
import { parseSipUri, toAor } from '../../../wire/sip/uri.js';

describe('SIP URI helpers', () => {
  it('parses user, host and port', () => {
    expect(parseSipUri('sip:kw1@Lab.Local:5060;transport=ws')).toEqual({
      scheme: 'sip',
      user: 'kw1',
      host: 'lab.local',
      port: 5060,
    });
  });

  it('accepts name-addr form and IPv6 hosts', () => {
    expect(parseSipUri('"Kim" <sips:kim@[::1]:5061>')?.host).toBe('[::1]');
  });

  it('refuses what is not a SIP URI', () => {
    expect(parseSipUri('http://x')).toBeUndefined();
    expect(parseSipUri('sip:kw1@host:99999')).toBeUndefined();
    expect(parseSipUri('')).toBeUndefined();
  });

  it('reduces to the address of record', () => {
    expect(toAor('<sip:kw1@LAB.local:5080;transport=ws>')).toBe('sip:kw1@lab.local');
    expect(toAor('sip:lab.local')).toBeUndefined();
  });
});
