/**
 * Recovery below JsSIP's floor (issue 15): a KW whose lab SIP server goes away
 * for under a second is reconnected by its own socket, not by JsSIP's recovery
 * timer (which waits at least 1 s after a loss). While the server is away a
 * plain TCP listener holds its port and counts the KW's connection attempts
 * (accepting and dropping each, as a server not yet ready would): JsSIP's
 * schedule makes none in the first second, the fast window several. Then the
 * server returns and the KW registers, republishes and is watched again.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import { problemOf, type ConnectionState } from '../../main/core/sip/connection-state.js';
import { startSipServer, type SipServer } from '../../lab/sip-server/index.js';
import { encodePidf, parsePidf } from '../../wire/presence/pidf.js';
import { createTestAgent, startRegistered, waitForState, withDeadline } from '../support/agents.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import type { ServerUnderTest } from '../support/servers.js';

const later = cleanupAfterEach();
/** Under JsSIP's 1 s floor, with room for the loss to be seen after the close. */
const OUTAGE_MS = 800;
/** The fast window opens only for a connection that stayed up this long (fast-reconnect.ts). */
const STABLE_MS = 1000;

interface AttemptCounter {
  readonly attempts: number;
  close(): Promise<void>;
}

/** Takes `port` and drops every connection made to it, counting them. */
async function countAttempts(host: string, port: number): Promise<AttemptCounter> {
  let attempts = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    attempts += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    get attempts() {
      return attempts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        if (!server.listening) resolve();
        else server.close(() => resolve());
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reconnection below JsSIP recovery floor', () => {
  it('a KW whose server is away under a second tries again at once, and registers, republishes and is watched again', async () => {
    const { logger } = memoryLogger('warn');
    let sip: SipServer = await startSipServer({ port: 0, logger });
    later(() => sip.close());
    const { port } = sip;
    const host = new URL(sip.url).hostname;
    const target: ServerUnderTest = {
      kind: 'lab',
      url: sip.url,
      domain: sip.domain,
      kill: () => sip.close(),
      restart: async () => undefined,
      close: () => sip.close(),
    };
    const kw = createTestAgent(target, 'kw1', { logger });
    const watcher = createTestAgent(target, 'agent1', { logger });
    later.peer(() => kw.stop(1000));
    later.peer(() => watcher.stop(1000));
    await startRegistered(kw);
    await startRegistered(watcher);
    const publisher = kw.createPublisher({ expires: 120 });
    await publisher.publish(encodePidf({ entity: kw.aor, basic: 'open', activities: [] }));
    const watch = watcher.watchPresence(kw.aor);
    await withDeadline(
      watch.once('update', (u) => u.kind === 'document'),
      10_000,
      () => 'no presence before the outage',
    );
    await sleep(STABLE_MS + 100);

    const seen: ConnectionState[] = [];
    const unsubscribe = kw.on('state', (s) => seen.push(s));
    const lost = waitForState(kw, (s) => s.phase === 'retrying' && s.problem.kind === 'lost');
    await sip.close();
    const counter = await countAttempts(host, port);
    later(() => counter.close());
    await lost;
    await sleep(OUTAGE_MS);
    await counter.close();
    const attemptsWhileAway = counter.attempts;
    unsubscribe();
    // While it tried, the KW read one steady "connection lost, connecting" (no flicker
    // between retrying and connecting at each attempt, not yet "unreachable").
    expect(seen.map((s) => `${s.phase}/${problemOf(s)?.kind ?? ''}`)).toEqual([
      'retrying/lost',
      'connecting/lost',
    ]);

    const registered = waitForState(kw, (s) => s.phase === 'registered', 15_000);
    const republished = withDeadline(
      publisher.once('state', (s) => s.kind === 'published'),
      15_000,
      () => 'no republication',
    );
    const watchedAgain = withDeadline(
      watch.once('update', (u) => u.kind === 'document' && parsePidf(u.body).ok),
      15_000,
      () => 'watcher saw no presence after the outage',
    );
    sip = await startSipServer({ port, logger });
    await Promise.all([registered, republished, watchedAgain]);

    // JsSIP's own recovery cannot connect before 1 s after the loss: any attempt in
    // the outage came from the socket's fast window (an immediate one, then 50, 100… ms).
    expect(attemptsWhileAway, 'connection attempts while the server was away').toBeGreaterThanOrEqual(2);
    expect(kw.isRegistered).toBe(true);
  });
});
