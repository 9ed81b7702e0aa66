/** Longest idle: the eligible member idle the longest; ties go to config order. */
import type { EligibleMember, Selection, Strategy, StrategyInput } from './types.js';

/** Eligible members, longest idle first (stable: config order breaks ties). */
export function byLongestIdle(eligible: readonly EligibleMember[]): EligibleMember[] {
  return eligible
    .map((member, index) => ({ member, index }))
    .sort((a, b) => a.member.idleSince - b.member.idleSince || a.index - b.index)
    .map((x) => x.member);
}

export const longestIdle: Strategy = {
  name: 'longest-idle',
  select(input: StrategyInput): Selection {
    const first = byLongestIdle(input.eligible)[0];
    return first ? { kind: 'offer', kws: [first.uri] } : { kind: 'wait', why: 'no eligible member' };
  },
};
