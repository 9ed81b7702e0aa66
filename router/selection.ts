/**
 * Who may be offered an interaction and whom the strategy picks: the one
 * place these rules live, shared by the engine (every routing step) and the
 * dashboard's dry run (router/dashboard/dry-run.ts), so a dry run gives the
 * choice the router then makes.
 */
import type { ProtectionLimits } from './config.js';
import type { ProtectionFacts } from './protection.js';
import type { RoutingState } from './routing-state.js';
import type { Selection, Strategy, StrategyInput } from './strategies/index.js';

/** What routing looks at of one member, now. */
export interface MemberFacts {
  readonly state: RoutingState;
  /** Pending previews + routed interactions, on every routing point (one desk). */
  readonly load: number;
  readonly capacity: number;
  readonly inWrapUp: boolean;
  /** Protecting the expert: the member's limits and what they did lately (absent: no limits). */
  readonly protection?: {
    readonly limits: ProtectionLimits;
    readonly facts: ProtectionFacts;
    readonly now: number;
  };
}

/** Why a member may not be offered now, in words; undefined when they may. */
export function notOfferableBecause(facts: MemberFacts): string | undefined {
  if (facts.state.kind === 'LoggedOut') return 'logged out';
  const missed = facts.protection && missedTooMany(facts.protection.limits, facts.protection.facts);
  if (missed !== undefined) return missed;
  if (facts.state.kind === 'NotReady') return `not ready (${facts.state.reason})`;
  if (facts.load >= facts.capacity) return `at capacity (${facts.load} of ${facts.capacity})`;
  if (facts.inWrapUp) return 'in wrap-up';
  return facts.protection && protectedBecause(facts.protection);
}

/** Why the expert is protected from another request now (issue 16), or undefined. */
export function protectionBecause(p: NonNullable<MemberFacts['protection']>): string | undefined {
  return missedTooMany(p.limits, p.facts) ?? protectedBecause(p);
}

/** "missed 3 requests in a row" once the KW reached the limit (until they come back). */
function missedTooMany(limits: ProtectionLimits, facts: ProtectionFacts): string | undefined {
  const max = limits.maxConsecutiveMisses;
  if (max === undefined || facts.missesInARow < max) return undefined;
  return `missed ${facts.missesInARow} requests in a row`;
}

/** The cool-down and the hourly limits (issue 16). */
function protectedBecause(p: NonNullable<MemberFacts['protection']>): string | undefined {
  const { limits, facts, now } = p;
  const left = cooldownLeftMs(limits, facts, now);
  if (left > 0) return `cool-down (${Math.ceil(left / 1000)} s left)`;
  const maxI = limits.maxInteractionsPerHour;
  if (maxI !== undefined && facts.interactionsLastHour >= maxI)
    return `${facts.interactionsLastHour} interactions this hour (max ${maxI})`;
  const maxE = limits.maxEscalationsPerHour;
  if (maxE !== undefined && facts.escalationsLastHour >= maxE)
    return `${facts.escalationsLastHour} escalations this hour (max ${maxE})`;
  return undefined;
}

/** How long the cool-down after the KW's last interaction still runs (0: over or off). */
export function cooldownLeftMs(limits: ProtectionLimits, facts: ProtectionFacts, now: number): number {
  if (limits.cooldownMs === undefined || facts.lastEndedAt === undefined) return 0;
  return Math.max(0, facts.lastEndedAt + limits.cooldownMs - now);
}

/** What a strategy chooses from, and what it may answer: the strategy's own types, not copies. */
export type SelectionInput = StrategyInput;
export type Choice = Selection;

/** The strategy's selection, checked: it may only name eligible members, within the limit. */
export function chooseOffer(strategy: Strategy, input: SelectionInput): Choice {
  const selection: Selection = strategy.select(input);
  if (selection.kind !== 'offer') return selection;
  const allowed = new Set(input.eligible.map((e) => e.uri));
  const kws = [...new Set(selection.kws)].filter((k) => allowed.has(k)).slice(0, input.limit);
  return kws.length > 0
    ? { kind: 'offer', kws }
    : { kind: 'wait', why: 'the strategy named nobody eligible' };
}
