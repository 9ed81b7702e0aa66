/** What the router's unit tests share: the parties and the routing point they route on. */
import { parseRouterConfig, type RawRouterConfig, type RoutingPointConfig } from '../../../router/config.js';

export const KW1 = 'sip:kw1@lab.local';
export const KW2 = 'sip:kw2@lab.local';
export const KW3 = 'sip:kw3@lab.local';
export const AGENT = 'sip:agent1@lab.local';
export const RP = 'sip:rp@lab.local';
export const ID = '0b8a3c52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';
export const ID2 = '1c9b4d63-8b2f-4d3c-8c9f-2a3b4c5d6e7f';

export type RoutingPointRaw = RawRouterConfig['routingPoints'][number];

/** RP with KW1..KW3, longest idle, 10 s previews, a 30 s wait; `overrides` on top, validated like a config file. */
export function testRoutingPoint(overrides: Partial<RoutingPointRaw> = {}): RoutingPointConfig {
  const rp = parseRouterConfig({
    routingPoints: [
      {
        uri: RP,
        strategy: 'longest-idle',
        members: [KW1, KW2, KW3],
        previewTimeoutSeconds: 10,
        waitForAvailableSeconds: 30,
        ...overrides,
      },
    ],
  }).routingPoints[0];
  if (!rp) throw new Error('no routing point');
  return rp;
}
