/**
 * Escalated calls through a routing point (DESIGN.md §4): an INVITE to the
 * routing point carrying X-Interaction-Id is redirected (302) to the voice
 * address of the KW who accepted that interaction; the SIP server follows the
 * redirect. Pure: the router gives it what it knows and sends the answer.
 *
 * Not yet: a new preview before the call (`previewEscalation`), and picking
 * another KW when that one is unavailable; the call is refused with a status
 * that says why instead.
 */
import type { InteractionSnapshot } from './engine.js';
import type { RoutingState } from './routing-state.js';

export type CallDecision =
  | { readonly kind: 'redirect'; readonly kw: string; readonly contact: string }
  | { readonly kind: 'refuse'; readonly status: number; readonly reason: string; readonly kw?: string };

export interface CallFacts {
  readonly interactionId: string | undefined;
  readonly interaction: InteractionSnapshot | undefined;
  readonly kwState: RoutingState | undefined;
  readonly voiceUri: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decideCall(facts: CallFacts): CallDecision {
  if (facts.interactionId === undefined)
    return { kind: 'refuse', status: 400, reason: 'Missing X-Interaction-Id' };
  if (!UUID.test(facts.interactionId))
    return { kind: 'refuse', status: 400, reason: 'Invalid X-Interaction-Id' };
  const kw = facts.interaction?.kw;
  // Routed, or routed and since ended or released (an agent may end the chat, then
  // transfer; a KW who logged out is released): the KW's state decides below.
  const phase = facts.interaction?.phase;
  if (kw === undefined || (phase !== 'routed' && phase !== 'ended' && phase !== 'released')) {
    return { kind: 'refuse', status: 404, reason: 'No Routed Interaction With That Id' };
  }
  const state = facts.kwState;
  if (!state || state.kind === 'LoggedOut')
    return { kind: 'refuse', status: 480, reason: 'Expert Logged Out', kw };
  if (state.kind === 'NotReady' && state.reason === 'on-the-phone') {
    return { kind: 'refuse', status: 486, reason: 'Expert In Another Call', kw };
  }
  if (state.kind === 'NotReady' && state.reason === 'dnd') {
    return { kind: 'refuse', status: 480, reason: 'Expert Set Do Not Disturb', kw };
  }
  return { kind: 'redirect', kw, contact: facts.voiceUri ?? kw };
}
