/**
 * First run through the app layer on the lab SIP server: with no account the
 * app builds no SIP agent and opens no connection (a server listed without an
 * address included), the status asks for sign-in, and commands that need an
 * account say so in a sentence; a save with the account signs in and
 * registers.
 */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import { kwCoreFactory } from '../../main/core/core-factory.js';
import { MemoryHistoryStore } from '../../main/core/history/history-store.js';
import { KwApp } from '../../main/app/kw-app.js';
import { DEFAULT_SETTINGS, MemorySecretStore, MemorySettingsStore } from '../../main/app/ports.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { waitForState } from '../support/agents.js';
import { LAB_KW1 } from '../support/lab-settings.js';

const later = cleanupAfterEach();

/** A TCP port that counts who connects to it (a SIP server that must never be tried). */
async function countingPort(): Promise<{ url: string; connections: () => number }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  later(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `ws://127.0.0.1:${address.port}`, connections: () => count };
}

describe('first run: the sign-in screen, then sign-in', () => {
  it('without an account nothing connects; the save with one signs in and registers', async () => {
    const log = memoryLogger('warn');
    const sip = await startSipServer({ port: 0, logger: log.logger });
    later(() => sip.close());
    const untried = await countingPort();
    const settings = new MemorySettingsStore({ ...DEFAULT_SETTINGS, servers: [untried.url] });
    const app = new KwApp({
      settings,
      secrets: new MemorySecretStore(),
      createCore: kwCoreFactory({ history: new MemoryHistoryStore(), logger: log.logger }),
      links: { open: () => Promise.resolve() },
      windows: { showMain: () => undefined, setCallPopup: () => undefined },
      logger: log.logger,
    });
    await app.start();
    later(() => app.stop());

    const before = app.snapshot();
    expect(before.status.signIn).toBe(true);
    expect(before.status.connection.phase).toBe('stopped');
    expect(before.status.routable.routable).toBe(false);
    await expect(app.handlers['presence.set']({ state: 'busy' })).rejects.toThrow(
      'Sign in first: no account is set up yet.',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(untried.connections()).toBe(0);

    const view = await app.handlers['settings.save']({
      account: { uri: LAB_KW1.uri, authUser: '', displayName: 'Kim Expert', password: 'any' },
      servers: [sip.url],
      idleMinutes: 10,
      startAtLogin: false,
      sounds: true,
    });
    expect(view.account).toMatchObject({ uri: LAB_KW1.uri, displayName: 'Kim Expert', hasPassword: true });
    await waitForState(app.kwCore.agent, (state) => state.phase === 'registered');
    expect(app.snapshot().status).toMatchObject({
      signIn: false,
      account: { uri: LAB_KW1.uri, displayName: 'Kim Expert' },
    });
    expect(untried.connections()).toBe(0);
  });
});
