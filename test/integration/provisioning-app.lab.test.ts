/**
 * Setup links through the app layer, end to end on loopback: the lab's
 * provisioning server over https (its own certificate), the lab SIP server
 * with passwords, and KwApp as the shell builds it. A link is fetched and
 * shown, applied only on confirmation, and signs in for real; a link that
 * cannot be used changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import {
  startProvisioningServer,
  TOKEN_LIFETIME_MS,
  type ProvisioningServer,
} from '../../lab/provisioning/index.js';
import { kwCoreFactory } from '../../main/core/core-factory.js';
import { MemoryHistoryStore } from '../../main/core/history/history-store.js';
import { KwApp } from '../../main/app/kw-app.js';
import {
  DEFAULT_SETTINGS,
  MemorySecretStore,
  MemorySettingsStore,
  type StoredSettings,
} from '../../main/app/ports.js';
import type { EventPayload, ProvisioningView } from '../../preload/contract.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { fixtureCertificate, startHttpsFixture } from '../support/https-fixture.js';
import { createServer } from 'node:net';
import { waitForState, withDeadline } from '../support/agents.js';

const later = cleanupAfterEach();
const USERS = [
  { user: 'kw1', password: 'kw1-secret', displayName: 'Kim Expert' },
  { user: 'kw2', password: 'kw2-secret' },
];
const ROUTING_POINT = 'sip:billing-experts@lab.local';

interface World {
  readonly app: KwApp;
  readonly settings: MemorySettingsStore;
  readonly secrets: MemorySecretStore;
  readonly provision: ProvisioningServer;
  readonly views: ProvisioningView[];
}

async function world(
  options: { trustProvisioning?: boolean; settings?: StoredSettings; now?: () => number } = {},
): Promise<World> {
  const { logger } = memoryLogger('warn');
  const sip = await startSipServer({ port: 0, users: USERS, logger });
  later(() => sip.close());
  const provision = await startProvisioningServer({
    users: USERS,
    servers: [sip.url],
    domain: 'lab.local',
    trustedRoutingPoints: [ROUTING_POINT],
    // The certificate of the https fixtures too: the app trusts this one CA.
    tls: await fixtureCertificate(),
    ...(options.now ? { now: options.now } : {}),
    logger,
  });
  later(() => provision.close());
  const settings = new MemorySettingsStore(options.settings ?? DEFAULT_SETTINGS);
  const secrets = new MemorySecretStore();
  const app = new KwApp({
    settings,
    secrets,
    createCore: kwCoreFactory({ history: new MemoryHistoryStore(), logger }),
    links: { open: () => Promise.resolve() },
    windows: { showMain: () => undefined, setCallPopup: () => undefined },
    logger,
    // The app trusts Node's, the OS's and the account's CAs; here: the lab's self-signed one, or none.
    ...(options.trustProvisioning === false ? {} : { tlsFor: () => ({ ca: [provision.caPem] }) }),
  });
  const views: ProvisioningView[] = [];
  app.onEvent((event, payload) => {
    if (event === 'provisioning') views.push(payload as EventPayload<'provisioning'>);
  });
  await app.start();
  later(() => app.stop());
  return { app, settings, secrets, provision, views };
}

function until(w: World, state: ProvisioningView['state']): Promise<ProvisioningView> {
  return withDeadline(
    new Promise<ProvisioningView>((resolve) => {
      const check = (): void => {
        const view = w.app.provisioning.view();
        if (view.state === state) resolve(view);
        else setTimeout(check, 20);
      };
      check();
    }),
    10_000,
    () => `the setup link never reached ${state}: ${JSON.stringify(w.app.provisioning.view())}`,
  );
}

const linkTo = (url: string): string => `kwdesk://provision?url=${encodeURIComponent(url)}`;

describe('setup links in the app', () => {
  it('a link with a one-time code: shown first, applied on confirmation, signs in with the exchanged password', async () => {
    const w = await world();
    w.app.openLink(linkTo(w.provision.documentUrl('kw1', { token: true })));
    const ready = await until(w, 'ready');
    expect(ready).toMatchObject({
      account: { uri: 'sip:kw1@lab.local', displayName: 'Kim Expert' },
      signsInWithCode: true,
      trustedRoutingPoints: [ROUTING_POINT],
    });
    expect(w.views.map((v) => v.state)).toEqual(['fetching', 'ready']);
    // Nothing applied before the KW confirms.
    expect(w.settings.load()).toEqual(DEFAULT_SETTINGS);
    expect(w.app.snapshot().status.signIn).toBe(true);

    await w.app.handlers['provisioning.apply']({});
    await waitForState(w.app.kwCore.agent, (s) => s.phase === 'registered');
    expect(w.secrets.getPassword()).toBe('kw1-secret');
    expect(w.settings.load()).toMatchObject({
      account: { uri: 'sip:kw1@lab.local', displayName: 'Kim Expert' },
      trustedRoutingPoints: [ROUTING_POINT],
    });
    expect(w.app.provisioning.view()).toEqual({ state: 'idle' });
    expect(w.views.map((v) => v.state)).toEqual(['fetching', 'ready', 'applying', 'idle']);
  });

  it('a link without a code asks for the password before anything is stored', async () => {
    const w = await world();
    await w.app.handlers['provisioning.open']({ url: w.provision.documentUrl('kw2') });
    await expect(w.app.handlers['provisioning.apply']({})).rejects.toThrow('Enter your password.');
    expect(w.settings.load()).toEqual(DEFAULT_SETTINGS);
    expect(w.app.provisioning.view().state).toBe('ready');
    await w.app.handlers['provisioning.apply']({ password: 'kw2-secret' });
    await waitForState(w.app.kwCore.agent, (s) => s.phase === 'registered');
    expect(w.settings.load().account.uri).toBe('sip:kw2@lab.local');
  });

  it('an expired code: the link fails with a sentence and nothing is stored', async () => {
    let now = Date.now();
    const w = await world({ now: () => now });
    const url = w.provision.documentUrl('kw1', { token: true });
    expect((await w.app.handlers['provisioning.open']({ url })).state).toBe('ready');
    // The KW leaves the screen open past the code's lifetime.
    now += TOKEN_LIFETIME_MS + 1;
    await expect(w.app.handlers['provisioning.apply']({})).rejects.toThrow(/already used or has expired/);
    expect(w.app.provisioning.view()).toMatchObject({ state: 'failed' });
    expect(w.settings.load()).toEqual(DEFAULT_SETTINGS);
    expect(w.secrets.getPassword()).toBeUndefined();
    expect(w.app.snapshot().status.signIn).toBe(true);
  });

  it('an untrusted certificate: failed with a sentence, nothing fetched is kept', async () => {
    const w = await world({ trustProvisioning: false });
    const view = await w.app.handlers['provisioning.open']({ url: w.provision.documentUrl('kw1') });
    expect(view).toMatchObject({
      state: 'failed',
      sentence: expect.stringMatching(/certificate that is not trusted/),
    });
    await expect(w.app.handlers['provisioning.apply']({ password: 'x' })).rejects.toThrow(
      'There is no setup link to apply.',
    );
    expect(w.settings.load()).toEqual(DEFAULT_SETTINGS);
  });

  it('a signed-in KW sees which account a link replaces', async () => {
    const signedIn: StoredSettings = {
      ...DEFAULT_SETTINGS,
      account: { uri: 'sip:kw2@lab.local', authUser: '', displayName: 'Kai' },
      servers: ['ws://127.0.0.1:9'],
    };
    const w = await world({ settings: signedIn });
    const view = await w.app.handlers['provisioning.open']({ url: w.provision.documentUrl('kw1') });
    expect(view).toMatchObject({ state: 'ready', replacesAccount: 'sip:kw2@lab.local' });
    w.app.handlers['provisioning.cancel']({});
    expect(w.app.provisioning.view()).toEqual({ state: 'idle' });
    expect(w.settings.load()).toEqual(signedIn);
  });

  it('a bad document, an oversize one and an unreachable server: failed with a sentence each, nothing stored', async () => {
    const w = await world();
    const bad = await startHttpsFixture((_req, res) => {
      const body = req(_req).endsWith('big.json')
        ? JSON.stringify({ kwDeskProvisioning: 1, padding: 'x'.repeat(100 * 1024) })
        : JSON.stringify({
            kwDeskProvisioning: 1,
            servers: ['http://sip.example.com'],
            domain: 'example.com',
          });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    });
    later(() => bad.close());
    const open = (url: string) => w.app.handlers['provisioning.open']({ url });
    expect(await open(`${bad.url}/kw.json`)).toMatchObject({
      state: 'failed',
      sentence: expect.stringContaining('servers.0: a server is a ws:// or wss:// URL'),
    });
    expect(await open(`${bad.url}/big.json`)).toMatchObject({
      state: 'failed',
      sentence: expect.stringContaining('larger than 64 KB'),
    });
    const closed = await closedPort();
    expect(await open(`https://127.0.0.1:${closed}/kw.json`)).toMatchObject({
      state: 'failed',
      sentence: expect.stringContaining('could not be reached'),
    });
    expect(w.settings.load()).toEqual(DEFAULT_SETTINGS);
    expect(w.app.snapshot().status.signIn).toBe(true);
  });
});

const req = (r: { url?: string }): string => r.url ?? '';

/** A port nothing listens on (just closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
