/**
 * Escalated calls through a routing point (docs/design.md §4), the pure part: what
 * to do with an INVITE carrying X-Interaction-Id, which status refuses it, and
 * the preview a KW gets before the call. The stateful part (previews out, the
 * caller ringing) is call-escalation.ts; the SIP part is router.ts.
 */
import { LIMITS, encodeControlMessage, parseControlMessage, type ControlInput } from '../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../wire/content-types.js';
import type { InteractionSnapshot } from './engine.js';
import type { RoutingState } from './routing-state.js';

export interface Refusal {
  readonly status: number;
  readonly reason: string;
}

export type CallDecision =
  /** The interaction's KW is available and no preview is configured: 302 now. */
  | { readonly kind: 'redirect'; readonly kw: string; readonly contact: string }
  /** `previewEscalation`: ask the interaction's KW first, redirect on accept. */
  | { readonly kind: 'preview'; readonly kw: string }
  /** The interaction's KW is not available: another member, else `refusal`. */
  | { readonly kind: 'reroute'; readonly kw: string; readonly refusal: Refusal }
  | { readonly kind: 'refuse'; readonly status: number; readonly reason: string; readonly kw?: string };

export interface CallFacts {
  readonly interactionId: string | undefined;
  readonly interaction: InteractionSnapshot | undefined;
  readonly kwState: RoutingState | undefined;
  readonly voiceUri: string | undefined;
  readonly previewEscalation?: boolean;
}

export const NO_EXPERT_AVAILABLE: Refusal = { status: 480, reason: 'No Expert Available' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Why the interaction's own KW cannot take the call, or undefined when they
 * can. Busy and Away still can: a KW in the chat often sets Busy, and the call
 * is about that chat.
 */
export function kwUnavailable(state: RoutingState | undefined): Refusal | undefined {
  if (!state || state.kind === 'LoggedOut') return { status: 480, reason: 'Expert Logged Out' };
  if (state.kind === 'NotReady' && state.reason === 'on-the-phone')
    return { status: 486, reason: 'Expert In Another Call' };
  if (state.kind === 'NotReady' && state.reason === 'dnd')
    return { status: 480, reason: 'Expert Set Do Not Disturb' };
  return undefined;
}

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
  const unavailable = kwUnavailable(facts.kwState);
  if (unavailable) return { kind: 'reroute', kw, refusal: unavailable };
  if (facts.previewEscalation === true) return { kind: 'preview', kw };
  return { kind: 'redirect', kw, contact: facts.voiceUri ?? kw };
}

export type EscalationKind = 'transfer' | 'conference' | 'call';

/** The X-Escalation header as a kind; absent or unknown → a plain `call`. */
export function escalationKind(header: string | undefined): EscalationKind {
  const value = header?.trim().toLowerCase();
  return value === 'transfer' || value === 'conference' ? value : 'call';
}

export interface CallPreviewInput {
  readonly interactionId: string;
  readonly escalation: EscalationKind;
  readonly caller: { readonly uri: string; readonly displayName: string };
  readonly routingPoint: string;
  /** The chat's request, when the router still knows it. */
  readonly original:
    | {
        readonly subject: string;
        readonly text: string;
        readonly agent?: { readonly uri: string; readonly displayName: string };
      }
    | undefined;
  /** Whether the KW is new to the interaction (they get the agent's question too). */
  readonly newKw: boolean;
  /** The INVITE's user data, then the chat's; the first that a preview can carry is used. */
  readonly userData: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly expiresAt: string;
}

/**
 * The preview a KW gets before an escalated call: the same control message as
 * for a chat, its text saying what comes ("Incoming transfer"), so the KW
 * Desktop needs nothing new to show it.
 */
export function callPreview(input: CallPreviewInput): ControlInput<'preview'> {
  // The KW knows the interaction by its agent; after a blind transfer the caller is the
  // customer, so the caller is named in the text and the agent stays the chat's.
  const agent = input.original?.agent ?? input.caller;
  const callerIsAgent = input.caller.uri === agent.uri;
  const headline = `Incoming ${input.escalation}${callerIsAgent ? '' : ` — ${input.caller.displayName || input.caller.uri} on the line`}`;
  const question = input.original?.text.trim();
  const text = input.newKw && question ? `${headline}. The agent's question was: ${question}` : headline;
  const base = {
    interactionId: input.interactionId,
    agent: {
      uri: agent.uri,
      displayName: (agent.displayName || agent.uri).slice(0, LIMITS.displayName),
    },
    routingPoint: input.routingPoint,
    subject: (input.original?.subject || headline).slice(0, LIMITS.subject),
    text: text.slice(0, LIMITS.text),
    expiresAt: input.expiresAt,
  };
  // User data from headers may hold what a preview cannot (a key that is not a token…):
  // fall back rather than have every KW refuse the preview.
  for (const userData of [...input.userData, {}]) {
    const preview = { ...base, userData: { ...userData } };
    if (parseControlMessage(CONTROL_CONTENT_TYPE, encodeControlMessage('preview', preview)).ok)
      return preview;
  }
  return { ...base, userData: {} };
}
