/**
 * The contract of a routing strategy: a pure function from what the router
 * knows right now to whom to offer the interaction. The engine owns all state
 * (attempts, timers, the round-robin cursor) and passes it in.
 */

export interface EligibleMember {
  readonly uri: string;
  /** ms timestamp: since when the member has been idle (became Ready, or last interaction ended). */
  readonly idleSince: number;
}

export interface StrategyInput {
  /** All members of the routing point, in config order. */
  readonly members: readonly string[];
  /** Members that may be offered now (Ready, below capacity, not yet offered this interaction), in config order. */
  readonly eligible: readonly EligibleMember[];
  /** Members already offered this interaction (whatever the outcome). */
  readonly offered: ReadonlySet<string>;
  /** The interaction's user data, keys as the agent wrote them. */
  readonly userData: Readonly<Record<string, string>>;
  /** Round-robin: the member last offered an interaction on this routing point. */
  readonly cursor: string | undefined;
  /** At most this many members may be offered now (attempts left); ≥ 1. */
  readonly limit: number;
}

export type Selection =
  /** Offer to these members now (one, or several at once for broadcast). */
  | { readonly kind: 'offer'; readonly kws: readonly string[] }
  /** Nobody suitable now; someone may become suitable (wait for presence/capacity). */
  | { readonly kind: 'wait'; readonly why: string }
  /** Nobody suitable now or later: stop routing this interaction. */
  | { readonly kind: 'give-up'; readonly why: string };

export interface Strategy {
  readonly name: string;
  select(input: StrategyInput): Selection;
}
