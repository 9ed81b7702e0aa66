import { describe, expect, it } from 'vitest';
import * as nodeTls from 'node:tls';
import { memoryLogger } from '../../../main/core/log.js';
import { buildCaList, systemCertificates } from '../../../main/electron/ca-list.js';
import { proxyLookupUrl, sessionProxyResolver } from '../../../main/electron/proxy-resolver.js';
import { parseProxyRoute } from '../../../main/core/sip/proxy-route.js';
import { FakeSession } from './fake-electron.js';

const CORP_CA = '-----BEGIN CERTIFICATE-----\nCORP\n-----END CERTIFICATE-----';
const EXTRA_CA = '-----BEGIN CERTIFICATE-----\nEXTRA\n-----END CERTIFICATE-----';

describe('session proxy resolver', () => {
  it('asks Chromium with the http(s) twin of the SIP URL and returns its PAC answer', async () => {
    const session = new FakeSession();
    session.proxyAnswer = 'PROXY proxy.corp:3128; DIRECT';
    const resolve = sessionProxyResolver(session);
    const answer = await resolve('wss://sip.example.com:7443/ws');
    expect(session.proxyLookups).toEqual(['https://sip.example.com:7443/ws']);
    expect(parseProxyRoute(answer)).toEqual({ kind: 'proxy', host: 'proxy.corp', port: 3128 });
  });

  it('maps ws to http and leaves other URLs alone', () => {
    expect(proxyLookupUrl('ws://127.0.0.1:5080')).toBe('http://127.0.0.1:5080');
    expect(proxyLookupUrl('WSS://h/')).toBe('https://h/');
    expect(proxyLookupUrl('https://h/')).toBe('https://h/');
  });
});

describe('CA list', () => {
  it('holds the bundled CAs, the OS store and the extra CAs, each once', () => {
    const { logger } = memoryLogger();
    const tls = {
      rootCertificates: ['A', 'B'],
      getCACertificates: (type: string): string[] => (type === 'system' ? ['B', CORP_CA] : []),
    };
    expect(buildCaList(tls, [EXTRA_CA, CORP_CA], logger)).toEqual(['A', 'B', CORP_CA, EXTRA_CA]);
  });

  it("keeps NODE_EXTRA_CA_CERTS's certificates, which Node's own defaults would trust", () => {
    const { logger, records } = memoryLogger();
    const ENV_CA = '-----BEGIN CERTIFICATE-----\nENV\n-----END CERTIFICATE-----';
    const tls = {
      rootCertificates: ['A'],
      getCACertificates: (type: string): string[] => (type === 'extra' ? [ENV_CA] : []),
    };
    expect(buildCaList(tls, [EXTRA_CA], logger)).toEqual(['A', ENV_CA, EXTRA_CA]);
    expect(records.at(-1)?.fields).toMatchObject({ environment: 1, extra: 1, total: 3 });
  });

  it('falls back to the bundled CAs, with a warning, when the runtime cannot read the OS store', () => {
    const { logger, records } = memoryLogger();
    expect(buildCaList({ rootCertificates: ['A'] }, [EXTRA_CA], logger)).toEqual(['A', EXTRA_CA]);
    expect(records.some((r) => r.level === 'warn' && /OS certificate store/.test(r.msg))).toBe(true);
  });

  it('survives an OS store that throws or answers nonsense', () => {
    const { logger, records } = memoryLogger();
    const throwing = {
      rootCertificates: ['A'],
      getCACertificates: (): string[] => {
        throw new Error('keychain locked');
      },
    };
    expect(systemCertificates(throwing, logger)).toBeUndefined();
    expect(records.some((r) => r.fields['reason'] === 'keychain locked')).toBe(true);
    expect(
      systemCertificates({ rootCertificates: [], getCACertificates: () => 'x' }, logger),
    ).toBeUndefined();
  });

  it('on this Node, keeps every bundled root (the OS store is read where the runtime can)', () => {
    const { logger } = memoryLogger();
    const list = buildCaList(nodeTls, [], logger);
    for (const root of nodeTls.rootCertificates) expect(list).toContain(root.trim());
  });
});
