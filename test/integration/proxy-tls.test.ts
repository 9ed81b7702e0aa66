/**
 * Enterprise networks (issue 13): the real app layer and SIP agent reach the
 * lab SIP server over wss through a real HTTP CONNECT proxy on loopback,
 * trusting the server only through the CA list they are given. Without the
 * server's CA the connection is refused and the KW reads why, and the next
 * attempt waits for the normal backoff; DIRECT bypasses the proxy.
 */
import * as nodeTls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { KwApp } from '../../main/app/kw-app.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/app/ports.js';
import { labSettings } from '../support/lab-settings.js';
import { kwCoreFactory } from '../../main/core/core-factory.js';
import { MemoryHistoryStore } from '../../main/core/history/history-store.js';
import { memoryLogger } from '../../main/core/log.js';
import type { ProxyResolver } from '../../main/core/sip/proxy-route.js';
import type { StatusView } from '../../preload/contract.js';
import { startSipServer, type SipServer } from '../../lab/sip-server/index.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { eventually } from '../support/agents.js';
import { cleanupAfterEach } from '../support/cleanup.js';

const later = cleanupAfterEach();
const USERS = [{ user: 'kw1', password: 'kw1-secret' }];
/** Long backoff: a second attempt within the test would be a retry storm. */
const SLOW = { retry: { initialMs: 30_000, maxMs: 30_000 }, connectTimeoutMs: 3000 };

interface Lab {
  readonly server: SipServer;
  readonly proxy: ConnectProxy;
  readonly viaProxy: ProxyResolver;
}

/** A name the proxy maps to the lab server, and that its certificate does not carry. */
const WRONG_NAME = 'sip.wrong-name.test';

async function startLab(): Promise<Lab> {
  const { logger } = memoryLogger('warn');
  const server = await startSipServer({ port: 0, tls: true, users: USERS, logger });
  later(() => server.close());
  const proxy = await startConnectProxy({ [WRONG_NAME]: '127.0.0.1' });
  later(() => proxy.close());
  return { server, proxy, viaProxy: () => Promise.resolve(`PROXY 127.0.0.1:${proxy.port}; DIRECT`) };
}

async function startApp(
  server: SipServer,
  ca: readonly string[],
  resolveProxy: ProxyResolver,
  url = server.url,
) {
  const { logger } = memoryLogger('warn');
  const app = new KwApp({
    settings: new MemorySettingsStore(labSettings([url])),
    secrets: new MemorySecretStore('kw1-secret'),
    createCore: kwCoreFactory({ history: new MemoryHistoryStore(), logger, agentOptions: SLOW }),
    links: { open: () => Promise.resolve() },
    windows: { showMain: () => undefined, setCallPopup: () => undefined },
    logger,
    tlsFor: () => ({ ca }),
    resolveProxy,
  });
  await app.start();
  later(() => app.stop());
  return { status: (): StatusView['connection'] => app.snapshot().status.connection };
}

const phaseIs = (status: () => StatusView['connection'], phase: string) => () => status().phase === phase;

describe('SIP over wss through an HTTP CONNECT proxy', () => {
  it('registers through the proxy with the private CA: one tunnel, to the SIP server', async () => {
    const { server, proxy, viaProxy } = await startLab();
    expect(server.url).toMatch(/^wss:\/\/localhost:\d+$/);
    const { status } = await startApp(server, [...nodeTls.rootCertificates, server.caPem ?? ''], viaProxy);
    await eventually(
      phaseIs(status, 'registered'),
      10_000,
      () => `not registered: ${JSON.stringify(status())}`,
    );
    expect(proxy.tunnels).toBe(1);
    expect(proxy.requests).toEqual([new URL(server.url).host]);
    // The connection lives in the tunnel: closing the proxy loses it.
    await proxy.close();
    await eventually(
      () => status().problem?.kind === 'lost',
      10_000,
      () => `not lost: ${JSON.stringify(status())}`,
    );
  });

  it('refuses a server whose CA is not in the list, says so, and waits for the normal backoff', async () => {
    const { server, proxy, viaProxy } = await startLab();
    const { status } = await startApp(server, nodeTls.rootCertificates, viaProxy);
    await eventually(phaseIs(status, 'retrying'), 10_000, () => `not retrying: ${JSON.stringify(status())}`);
    const problem = status().problem;
    expect(problem?.kind).toBe('certificate');
    expect(problem?.sentence).toBe(
      "The SIP server's certificate is not trusted, so KW Desktop did not connect. Ask your administrator.",
    );
    expect(problem?.detail).toMatch(/certificate/i);
    // The tunnel was opened (the proxy is not the problem), and no second attempt came.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(proxy.tunnels).toBe(1);
    expect(status().retryAt ?? 0).toBeGreaterThan(Date.now() + 20_000);
  });

  it('refuses a certificate made out to another name, even from a trusted CA', async () => {
    const { server, proxy, viaProxy } = await startLab();
    const url = `wss://${WRONG_NAME}:${new URL(server.url).port}`;
    const { status } = await startApp(
      server,
      [...nodeTls.rootCertificates, server.caPem ?? ''],
      viaProxy,
      url,
    );
    await eventually(phaseIs(status, 'retrying'), 10_000, () => `not retrying: ${JSON.stringify(status())}`);
    expect(status().problem?.kind).toBe('certificate');
    expect(status().problem?.detail).toMatch(/does not match certificate/);
    expect(proxy.tunnels).toBe(1);
  });

  it('refuses it the same way without a proxy', async () => {
    const { server, proxy } = await startLab();
    const { status } = await startApp(server, nodeTls.rootCertificates, () => Promise.resolve('DIRECT'));
    await eventually(phaseIs(status, 'retrying'), 10_000, () => `not retrying: ${JSON.stringify(status())}`);
    expect(status().problem?.kind).toBe('certificate');
    expect(proxy.requests).toEqual([]);
  });

  it('goes direct when the resolver says DIRECT: the proxy sees nothing', async () => {
    const { server, proxy } = await startLab();
    const asked: string[] = [];
    const direct: ProxyResolver = (url) => {
      asked.push(url);
      return Promise.resolve('DIRECT');
    };
    const { status } = await startApp(server, [...nodeTls.rootCertificates, server.caPem ?? ''], direct);
    await eventually(
      phaseIs(status, 'registered'),
      10_000,
      () => `not registered: ${JSON.stringify(status())}`,
    );
    expect(asked).toEqual([server.url]);
    expect(proxy.requests).toEqual([]);
  });

  it('a proxy that refuses the tunnel (e.g. 407, it wants a login) leaves the server unreachable, with the status in the detail', async () => {
    const { server, proxy, viaProxy } = await startLab();
    proxy.refuseWith = 407;
    const { status } = await startApp(server, [...nodeTls.rootCertificates, server.caPem ?? ''], viaProxy);
    await eventually(phaseIs(status, 'retrying'), 10_000, () => `not retrying: ${JSON.stringify(status())}`);
    expect(status().problem?.kind).toBe('unreachable');
    expect(status().problem?.detail).toMatch(/refused the tunnel .*HTTP 407/);
    expect(proxy.tunnels).toBe(0);
  });
});
