/**
 * IM routing figures per server: from the agent's MESSAGE to the preview event
 * in the KW core, and from accept to `routed` at the agent. The real KW core,
 * router and agent bot; each run is a whole interaction, ended before the next.
 */
import { SipAgent } from '../../main/core/sip/agent.js';
import { KwCore } from '../../main/core/kw-core.js';
import { MemoryHistoryStore } from '../../main/core/history/history-store.js';
import type { Logger } from '../../main/core/log.js';
import { startRouter } from '../../router/index.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import type { ServerFactory } from '../support/servers.js';
import { createTestAgent, startRegistered, waitForState, withDeadline } from '../support/agents.js';

export interface ImRoutingSamples {
  readonly toPreview: number[];
  readonly acceptToRouted: number[];
}

export async function imRouting(
  factory: ServerFactory,
  runs: number,
  logger: Logger,
): Promise<ImRoutingSamples> {
  const server = await factory.start({ logger });
  const kwAgent = createTestAgent(server, 'kw1', { logger });
  const kw = new KwCore({
    agent: kwAgent,
    history: new MemoryHistoryStore(),
    logger,
    trustedRoutingPoints: [`sip:billing@${server.domain}`],
  });
  const agentUa = createTestAgent(server, 'agent1', { logger });
  const router = await startRouter({
    config: {
      domain: server.domain,
      routingPoints: [
        { uri: 'billing', strategy: 'longest-idle', members: ['kw1'], previewTimeoutSeconds: 10 },
      ],
    },
    servers: [server.url],
    domain: server.domain,
    logger,
    createAgent: (account, l) => new SipAgent({ account, logger: l, retry: { initialMs: 100, maxMs: 1000 } }),
  });
  try {
    await kw.start();
    await waitForState(kwAgent, (s) => s.phase === 'registered');
    await startRegistered(agentUa);
    const bot = new AgentBot({ agent: agentUa, logger });
    const toPreview: number[] = [];
    const acceptToRouted: number[] = [];
    const rp = `sip:billing@${server.domain}`;
    for (let i = 0; i < runs + 5; i += 1) {
      await withDeadline(
        (async () => {
          while (router.routingState(kwAgent.aor).kind !== 'Ready' || router.load(kwAgent.aor) !== 0) {
            await new Promise((r) => setTimeout(r, 5));
          }
        })(),
        10_000,
        () => 'KW not free again',
      );
      const previewed = kw.previews.once('added').then((p) => ({ p, at: performance.now() }));
      const t0 = performance.now();
      const asked = bot.askExpert(rp, { text: `run ${i}`, subject: 'bench' });
      const { p, at } = await withDeadline(previewed, 10_000, () => 'no preview');
      const t1 = performance.now();
      const routed = bot.once('routed').then(() => performance.now());
      await kw.previews.accept(p.preview.interactionId);
      const t2 = await withDeadline(routed, 10_000, () => 'not routed');
      await asked;
      if (i >= 5) {
        // The first runs warm up JIT and connections.
        toPreview.push(at - t0);
        acceptToRouted.push(t2 - t1);
      }
      await kw.conversations.end(p.preview.interactionId);
    }
    bot.dispose();
    return { toPreview, acceptToRouted };
  } finally {
    await router.close();
    await kw.stop();
    await agentUa.stop(1000);
    await server.close();
  }
}
