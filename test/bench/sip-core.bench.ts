/** SIP core figures per server: MESSAGE round trip between two agents, re-registration after a restart. */
import type { ServerFactory } from '../support/servers.js';
import { createTestAgent, startRegistered, waitForState } from '../support/agents.js';
import type { Logger } from '../../main/core/log.js';
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

/** From the server listening again to the agent registered again. */
export async function reRegistrations(
  factory: ServerFactory,
  runs: number,
  logger: Logger,
): Promise<number[]> {
  const server = await factory.start({ logger });
  const kw = createTestAgent(server, 'kw1', { logger });
  try {
    await startRegistered(kw);
    return await sample(runs, async () => {
      const lost = waitForState(kw, (s) => s.phase === 'retrying');
      await server.kill();
      await lost;
      await server.restart();
      const t0 = performance.now();
      await waitForState(kw, (s) => s.phase === 'registered', 20_000);
      return performance.now() - t0;
    });
  } finally {
    await kw.stop(1000);
    await server.close();
  }
}
