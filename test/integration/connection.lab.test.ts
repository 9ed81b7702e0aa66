/**
 * The connection a KW can trust (issue 12), through the real app layer and
 * SIP agent over real WebSockets to the lab SIP server on loopback: a refused
 * password is said in a sentence and not tried again for minutes (REGISTERs
 * counted on the wire), "Retry now" tries once at once; an unreachable server
 * is said so, and "Retry now" registers as soon as the server is back instead
 * of waiting for the backoff.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { KwApp } from '../../main/app/kw-app.js';
import { runCommand } from '../../main/app/run-command.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/app/ports.js';
import { labSettings } from '../support/lab-settings.js';
import { kwCoreFactory } from '../../main/core/core-factory.js';
import { MemoryHistoryStore } from '../../main/core/history/history-store.js';
import { memoryLogger } from '../../main/core/log.js';
import type { StatusView } from '../../preload/contract.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import { startWsTap } from '../support/ws-tap.js';
import { cleanupAfterEach } from '../support/cleanup.js';

const later = cleanupAfterEach();
const USERS = [{ user: 'kw1', password: 'kw1-secret' }];
/** The transient backoff of these tests: long, so only "Retry now" can explain a quick recovery. */
const SLOW = {
  retry: { initialMs: 30_000, maxMs: 30_000 },
  keepAlive: { intervalMs: 1000, timeoutMs: 1000 },
};
const STATUS_LINE = /\b[1-6]\d\d [A-Z]/;

async function startApp(servers: readonly string[], password: string | undefined) {
  const { logger } = memoryLogger('warn');
  const app = new KwApp({
    settings: new MemorySettingsStore(labSettings(servers)),
    secrets: new MemorySecretStore(password),
    createCore: kwCoreFactory({ history: new MemoryHistoryStore(), logger, agentOptions: SLOW }),
    links: { open: () => Promise.resolve() },
    windows: { showMain: () => undefined, setCallPopup: () => undefined },
    logger,
  });
  const statuses: StatusView[] = [];
  app.onEvent((event, payload) => {
    if (event === 'status') statuses.push(payload as StatusView);
  });
  await app.start();
  later(() => app.stop());
  const retry = () => runCommand(app.handlers, 'connection.retry', {}, logger, 'main');
  return { app, statuses, retry, status: () => app.snapshot().status };
}

/** A loopback port nobody listens on (taken, then freed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const registers = (frames: readonly string[]) => frames.filter((f) => f.startsWith('REGISTER ')).length;

describe('connection problems, in words, without a retry storm', () => {
  it('a refused password: a sentence, no REGISTER for minutes, and "Retry now" tries once at once', async () => {
    const { logger } = memoryLogger('warn');
    const sip = await startSipServer({ port: 0, logger, users: USERS });
    later(() => sip.close());
    const tap = await startWsTap(sip.url);
    later(() => tap.close());
    const { status, retry } = await startApp([tap.url], 'not-the-password');

    await expect.poll(() => status().connection.problem?.kind, { timeout: 10_000 }).toBe('credentials');
    const refused = status().connection;
    expect(refused.problem?.sentence).toBe('The server refused your password. Check it in Settings.');
    expect(refused.problem?.detail).toMatch(/refused the credentials \(403\)/);
    expect(refused.text).not.toMatch(STATUS_LINE);
    // The next attempt is minutes away, not seconds.
    expect((refused.retryAt ?? 0) - Date.now()).toBeGreaterThan(3 * 60_000);
    expect(status().routable).toEqual({
      routable: false,
      explanation: 'you are not connected to the SIP server',
    });

    const afterFirst = registers(tap.fromClients);
    expect(afterFirst).toBeGreaterThanOrEqual(1);
    expect(afterFirst).toBeLessThanOrEqual(2); // without credentials (401), then with the wrong ones (403)
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(registers(tap.fromClients), 'REGISTERs while waiting').toBe(afterFirst);

    expect(await retry()).toEqual({ ok: true, value: null });
    await expect.poll(() => registers(tap.fromClients), { timeout: 5000 }).toBeGreaterThan(afterFirst);
    await expect.poll(() => status().connection.phase, { timeout: 5000 }).toBe('retrying');
    expect(status().connection.problem?.kind).toBe('credentials');
    const afterRetry = registers(tap.fromClients);
    expect(afterRetry - afterFirst).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(registers(tap.fromClients), 'REGISTERs after Retry now').toBe(afterRetry);
  });

  it('an unreachable server: a sentence with the detail apart; "Retry now" registers once it is back', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    const { status, statuses, retry } = await startApp([url], undefined);
    await expect.poll(() => status().connection.problem?.kind, { timeout: 10_000 }).toBe('unreachable');
    const down = status().connection;
    expect(down).toMatchObject({
      phase: 'retrying',
      text: 'Not connected',
      problem: { sentence: 'KW Desktop cannot reach the SIP server, so requests cannot reach you.' },
    });
    expect(down.problem?.detail).toMatch(/ECONNREFUSED/);
    expect((down.retryAt ?? 0) - Date.now()).toBeGreaterThan(20_000);
    // Presence stays what the KW chose; the connection says they cannot be reached.
    expect(status().presence.manual).toBe('available');
    expect(status().routable.routable).toBe(false);

    const { logger } = memoryLogger('warn');
    const sip = await startSipServer({ port, logger });
    later(() => sip.close());
    const asked = Date.now();
    expect(await retry()).toEqual({ ok: true, value: null });
    await expect.poll(() => status().connection.phase, { timeout: 5000 }).toBe('registered');
    expect(Date.now() - asked, 'registered long before the 30 s backoff').toBeLessThan(5000);
    expect(status().connection.problem).toBeUndefined();
    expect(status().connection.text).toBe(`Registered with ${url}`);
    // While it tried again, the state kept saying why the KW was not reachable.
    const between = statuses.filter(
      (s) => s.connection.phase === 'connecting' || s.connection.phase === 'registering',
    );
    expect(between.at(-1)?.connection.problem?.kind).toBe('unreachable');
  });

  it('"Retry now" while registered changes nothing', async () => {
    const { logger } = memoryLogger('warn');
    const sip = await startSipServer({ port: 0, logger });
    later(() => sip.close());
    const { status, retry } = await startApp([sip.url], undefined);
    await expect.poll(() => status().connection.phase, { timeout: 10_000 }).toBe('registered');
    const before = status().connection;
    expect(await retry()).toEqual({ ok: true, value: null });
    expect(status().connection).toEqual(before);
  });
});
