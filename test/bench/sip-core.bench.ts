/** SIP core figures per server: MESSAGE round trip between two agents, recovery after an outage. */
import WebSocket from 'ws';
import type { ServerFactory, ServerUnderTest } from '../support/servers.js';
import { createTestAgent, startRegistered, waitForState } from '../support/agents.js';
import type { Logger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { sample } from './stats.js';

export async function messageRoundTrips(
  factory: ServerFactory,
  runs: number,
  logger: Logger,
): Promise<number[]> {
  const server = await factory.start({ logger });
  const a = createTestAgent(server, 'agent1', { logger });
  const b = createTestAgent(server, 'kw1', { logger });
  try {
    await startRegistered(a);
    await startRegistered(b);
    b.onMessage(() => ({ status: 200 }));
    for (let i = 0; i < 10; i += 1) await a.sendMessage(`sip:kw1@${server.domain}`, 'warm-up');
    return await sample(runs, async () => {
      const t0 = performance.now();
      await a.sendMessage(`sip:kw1@${server.domain}`, 'How long does this take?');
      return performance.now() - t0;
    });
  } finally {
    await a.stop(1000);
    await b.stop(1000);
    await server.close();
  }
}

/**
 * A connection must have been up this long for its loss to open the fast
 * reconnect window (fast-reconnect.ts: JsSIP's 1 s floor), plus a margin.
 */
const STABLE_CONNECTION_MS = 1200;

/**
 * Recovery after the server is away for `outageMs`: from the server's return
 * to the KW registered again. The return is the first WebSocket handshake the
 * server completes again, a probe's (polled every few ms) or the KW's own:
 * Kamailio listens a few hundred ms before it serves, and no client can
 * register in that time. The KW runs
 * the product's retry settings, not the tests' short ones. Kamailio's
 * `restart()` launches a process, so its outage is `outageMs` plus its start-up.
 */
export async function recoveryAfterOutage(
  factory: ServerFactory,
  outageMs: number,
  runs: number,
  logger: Logger,
): Promise<number[]> {
  const server = await factory.start({ logger });
  const kw = productAgent(server, logger);
  try {
    await startRegistered(kw);
    return await sample(runs, async () => {
      await sleep(STABLE_CONNECTION_MS);
      const lost = waitForState(kw, (s) => s.phase === 'retrying');
      await server.kill();
      await lost;
      await sleep(outageMs);
      const registered = waitForState(kw, (s) => s.phase === 'registered', outageMs + 60_000).then(() =>
        performance.now(),
      );
      // The KW's own handshake is proof of an answer too, and may come first.
      const kwConnected = waitForState(kw, (s) => s.phase === 'registering', outageMs + 60_000).then(() =>
        performance.now(),
      );
      const probed = whenAnswering(server);
      await server.restart();
      const back = Math.min(await probed, await kwConnected);
      return (await registered) - back;
    });
  } finally {
    await kw.stop(1000);
    await server.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When the server completes a WebSocket handshake again (performance.now()). */
async function whenAnswering(server: ServerUnderTest, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const at = await handshake(server);
    if (at !== undefined) return at;
    await sleep(5);
  }
  throw new Error(`${server.url} did not answer again within ${timeoutMs} ms`);
}

function handshake(server: ServerUnderTest): Promise<number | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(server.url, 'sip', server.caPem ? { ca: server.caPem } : {});
    ws.once('open', () => {
      resolve(performance.now());
      ws.terminate();
    });
    ws.once('error', () => resolve(undefined));
  });
}

function productAgent(server: ServerUnderTest, logger: Logger): SipAgent {
  return new SipAgent({
    account: {
      uri: `sip:kw1@${server.domain}`,
      servers: [server.url],
      ...(server.caPem ? { tls: { ca: server.caPem } } : {}),
    },
    logger: logger.child('kw1'),
  });
}
