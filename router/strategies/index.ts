/** Builds the strategy a routing point's config names. */
import type { RoutingPointConfig, FallbackStrategyName } from '../config.js';
import { broadcast } from './broadcast.js';
import { longestIdle } from './longest-idle.js';
import { named } from './named.js';
import { roundRobin } from './round-robin.js';
import type { Strategy } from './types.js';

export type { EligibleMember, Selection, Strategy, StrategyInput } from './types.js';
export { broadcast, longestIdle, named, roundRobin };

function simple(name: FallbackStrategyName): Strategy {
  switch (name) {
    case 'longest-idle':
      return longestIdle;
    case 'round-robin':
      return roundRobin;
    case 'broadcast':
      return broadcast;
  }
}

export function strategyFor(rp: Pick<RoutingPointConfig, 'strategy' | 'fallback' | 'namedKey'>): Strategy {
  if (rp.strategy === 'named') {
    return named({ key: rp.namedKey, fallback: rp.fallback === undefined ? undefined : simple(rp.fallback) });
  }
  return simple(rp.strategy);
}
