/**
 * Who may be offered an interaction and whom the strategy picks: the one
 * place these rules live, shared by the engine (every routing step) and the
 * dashboard's dry run (router/dashboard/dry-run.ts), so a dry run gives the
 * choice the router then makes.
 */
import type { RoutingState } from './routing-state.js';
import type { EligibleMember, Selection, Strategy } from './strategies/index.js';

/** What routing looks at of one member, now. */
export interface MemberFacts {
  readonly state: RoutingState;
  /** Pending previews + routed interactions, on every routing point (one desk). */
  readonly load: number;
  readonly capacity: number;
  readonly inWrapUp: boolean;
}

/** Why a member may not be offered now, in words; undefined when they may. */
export function notOfferableBecause(facts: MemberFacts): string | undefined {
  if (facts.state.kind === 'LoggedOut') return 'logged out';
  if (facts.state.kind === 'NotReady') return `not ready (${facts.state.reason})`;
  if (facts.load >= facts.capacity) return `at capacity (${facts.load} of ${facts.capacity})`;
  if (facts.inWrapUp) return 'in wrap-up';
  return undefined;
}

export interface SelectionInput {
  /** All members of the routing point, in config order. */
  readonly members: readonly string[];
  /** Members that may be offered now and were not offered this interaction, in config order. */
  readonly eligible: readonly EligibleMember[];
  readonly offered: ReadonlySet<string>;
  readonly userData: Readonly<Record<string, string>>;
  readonly cursor: string | undefined;
  /** Attempts left (≥ 1). */
  readonly limit: number;
}

export type Choice =
  | { readonly kind: 'offer'; readonly kws: readonly string[] }
  | { readonly kind: 'wait'; readonly why: string }
  | { readonly kind: 'give-up'; readonly why: string };

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
