/** A lab router for tests: the given routing points on lab.local, agents with fast retries. */
import { SipAgent } from '../../main/core/sip/agent.js';
import type { Logger } from '../../main/core/log.js';
import { startRouter, type RawRouterConfig, type RunningRouter } from '../../router/index.js';

export type RawRoutingPoint = RawRouterConfig['routingPoints'][number];

export const FAST_AGENT = {
  retry: { initialMs: 200, maxMs: 1000 },
  keepAlive: { intervalMs: 1000, timeoutMs: 1000 },
} as const;

export function startTestRouter(
  sipUrl: string,
  routingPoints: RawRoutingPoint[],
  logger: Logger,
  domain = 'lab.local',
): Promise<RunningRouter> {
  return startRouter({
    config: { domain, routingPoints },
    servers: [sipUrl],
    domain,
    logger,
    createAgent: (account, l) => new SipAgent({ account, logger: l, ...FAST_AGENT }),
  });
}
