/**
 * Presence → routing state for the router. The mapping itself is the core's
 * `routingStateOf` (wire/presence/routing-state.ts), so what the KW
 * Desktop shows as "the router sees you as …" is exactly what the router does.
 * This module adds what only the router meets: a configurable table from the
 * config file, the absence of a document (empty NOTIFY), a body it cannot read
 * and a subscription being renewed.
 *
 * Defaults (DEFAULT_ROUTING_TABLE plus routingStateOf's rules):
 *   open, no activity                 → Ready
 *   DND (kw:dnd, a DND note, Linphone's closed + busy) → NotReady `dnd`
 *   closed (not DND), unknown basic   → LoggedOut
 *   no document (never published, withdrawn) → LoggedOut
 *   open + activity                   → NotReady, reason = the first activity
 * The table maps a reason (an RPID activity, `dnd`, or `closed`) to a state,
 * e.g. `{"on-the-phone": "Ready", "away": "LoggedOut"}`.
 */
import * as v from 'valibot';
import type { ParsedPresence } from '../wire/presence/pidf.js';
import {
  DEFAULT_ROUTING_TABLE,
  routingStateOf,
  type RoutingState,
  type RoutingTable,
} from '../wire/presence/routing-state.js';

export type { RoutingState, RoutingTable } from '../wire/presence/routing-state.js';

/** What the router knows about a member's presence. */
export type PresenceView =
  /** No document: never published, or withdrawn (an empty NOTIFY). */
  | { readonly kind: 'none' }
  | { readonly kind: 'document'; readonly presence: ParsedPresence }
  /** A NOTIFY body that is not PIDF we can read: not offered, but not a logout either. */
  | { readonly kind: 'unreadable'; readonly error: string }
  /** The subscription ended and is being renewed: we cannot see the KW for now. */
  | { readonly kind: 'unknown' };

export const RoutingTableSchema = v.record(
  v.pipe(
    v.string(),
    v.regex(
      /^[a-z][a-z0-9-]*$/,
      'keys are reasons: an RPID activity (busy, away, on-the-phone…), dnd or closed',
    ),
  ),
  v.picklist(['Ready', 'NotReady', 'LoggedOut'] as const, 'must be Ready, NotReady or LoggedOut'),
  'must be an object {reason: state}',
);

/** The config's table over the defaults. */
export function routingTable(overrides: RoutingTable | undefined): RoutingTable {
  return { ...DEFAULT_ROUTING_TABLE, ...overrides };
}

export function mapPresence(view: PresenceView, table: RoutingTable = DEFAULT_ROUTING_TABLE): RoutingState {
  switch (view.kind) {
    case 'none':
      return routingStateOf(undefined, table);
    case 'document':
      return routingStateOf(view.presence, table);
    case 'unreadable':
      return { kind: 'NotReady', reason: 'presence-unreadable' };
    case 'unknown':
      return { kind: 'NotReady', reason: 'presence-unknown' };
  }
}

export function sameRoutingState(a: RoutingState, b: RoutingState): boolean {
  return (
    a.kind === b.kind && ('reason' in a ? a.reason : undefined) === ('reason' in b ? b.reason : undefined)
  );
}

/** `Ready`, `NotReady (busy)`, `LoggedOut`: for logs. */
export function routingStateText(s: RoutingState): string {
  return 'reason' in s ? `${s.kind} (${s.reason})` : s.kind;
}
