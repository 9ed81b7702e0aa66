/**
 * Broadcast: a preview to every eligible member at once; the first to accept
 * wins (the engine cancels the others with `taken`). Capped by the attempts
 * left, longest idle first when capped.
 */
import { byLongestIdle } from './longest-idle.js';
import type { Selection, Strategy, StrategyInput } from './types.js';

export const broadcast: Strategy = {
  name: 'broadcast',
  select(input: StrategyInput): Selection {
    if (input.eligible.length === 0) return { kind: 'wait', why: 'no eligible member' };
    const chosen =
      input.eligible.length <= input.limit
        ? input.eligible
        : byLongestIdle(input.eligible).slice(0, input.limit);
    return { kind: 'offer', kws: chosen.map((m) => m.uri) };
  },
};
