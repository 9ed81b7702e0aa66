/**
 * Presence → routing state (docs/design.md §1): what a router makes of a presence
 * document. Shared by the router (lab) and the KW core's "what the router would
 * see". The table is configurable; the defaults follow the design: Available →
 * Ready, closed or nothing published → LoggedOut, everything else → NotReady
 * with the activity (or dnd) as the reason.
 */
import type { ParsedPresence } from './pidf.js';

export type RoutingState =
  | { readonly kind: 'Ready' }
  | { readonly kind: 'NotReady'; readonly reason: string }
  | { readonly kind: 'LoggedOut' };

/** Per reason (an RPID activity, `dnd`, or `closed`), what the router does with it. */
export type RoutingTable = Readonly<Record<string, 'Ready' | 'NotReady' | 'LoggedOut'>>;

export const DEFAULT_ROUTING_TABLE: RoutingTable = { closed: 'LoggedOut' };

export function routingStateOf(
  presence: ParsedPresence | undefined,
  table: RoutingTable = DEFAULT_ROUTING_TABLE,
): RoutingState {
  if (!presence || presence.basic !== 'open') {
    // Linphone-style DND is closed + busy: it is NotReady, not logged out.
    if (presence?.dnd) return fromTable('dnd', table);
    return presence ? fromTable('closed', table) : { kind: 'LoggedOut' };
  }
  if (presence.dnd) return fromTable('dnd', table);
  const activity = presence.activities[0];
  if (activity === undefined) return { kind: 'Ready' };
  return fromTable(activity, table);
}

function fromTable(reason: string, table: RoutingTable): RoutingState {
  const kind = table[reason] ?? (reason === 'closed' ? 'LoggedOut' : 'NotReady');
  if (kind === 'Ready') return { kind };
  if (kind === 'LoggedOut') return { kind };
  return { kind, reason };
}

export function describeRoutingState(state: RoutingState): string {
  switch (state.kind) {
    case 'Ready':
      return 'the router sees you as Ready';
    case 'NotReady':
      return `the router sees you as Not Ready (${state.reason})`;
    case 'LoggedOut':
      return 'the router sees you as logged out';
  }
}
