/**
 * Round robin: the first eligible member after the one last offered on this
 * routing point, in config order, wrapping around. The cursor survives across
 * interactions (the engine keeps it), so work is spread evenly.
 */
import type { Selection, Strategy, StrategyInput } from './types.js';

export const roundRobin: Strategy = {
  name: 'round-robin',
  select(input: StrategyInput): Selection {
    if (input.eligible.length === 0) return { kind: 'wait', why: 'no eligible member' };
    const eligible = new Set(input.eligible.map((m) => m.uri));
    const start = input.cursor === undefined ? -1 : input.members.indexOf(input.cursor);
    for (let step = 1; step <= input.members.length; step++) {
      const candidate = input.members[(start + step) % input.members.length];
      if (candidate !== undefined && eligible.has(candidate)) return { kind: 'offer', kws: [candidate] };
    }
    // Unreachable when eligible ⊆ members; stay total anyway.
    const first = input.eligible[0];
    return first ? { kind: 'offer', kws: [first.uri] } : { kind: 'wait', why: 'no eligible member' };
  },
};
