/**
 * Per routing point, its members and waiting interactions as the dashboard
 * shows them, pure: from the shared store's KW records (routing state, since
 * when, load) and what the event stream says is going on now.
 */
import type { MemberView, RoutingPointView } from '../../wire/dashboard.js';
import type { RouterConfig } from '../config.js';
import { limitsFor, type ProtectionLedger } from '../protection.js';
import { protectionBecause } from '../selection.js';
import type { KwStateRecord } from '../store/types.js';
import { strategyFor } from '../strategies/index.js';
import type { LiveInteractions } from './live-interactions.js';

/** A KW as the shared store has it. */
export interface KwFacts {
  /** Undefined: no presence seen yet (LoggedOut, as the router treats it). */
  readonly state: KwStateRecord | undefined;
  /** Reservations: pending previews + routed interactions, over all routing points. */
  readonly load: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function routingPointViews(
  config: RouterConfig,
  kws: ReadonlyMap<string, KwFacts>,
  live: LiveInteractions,
  subjects: ReadonlyMap<string, string>,
  nowMs: number,
  protection?: ProtectionLedger,
): RoutingPointView[] {
  const offeredNow = new Set(live.routing.flatMap((r) => r.offeredTo));
  return config.routingPoints.map((rp) => ({
    uri: rp.uri,
    name: rp.displayName,
    strategy: strategyFor(rp).name,
    members: rp.members.map((m): MemberView => {
      const facts = kws.get(m.uri);
      const state = facts?.state?.state ?? { kind: 'LoggedOut' as const };
      const offered = offeredNow.has(m.uri);
      const load = facts?.load ?? 0;
      const wrapUpUntil = wrapUpEnd(config, live, m.uri, nowMs);
      return {
        kw: m.uri,
        name: m.displayName,
        routingState: state.kind,
        // Protecting the expert (issue 16) says more than the presence: "cool-down (12 s left)".
        reason: 'reason' in state ? state.reason : (protectedReason(rp, m.uri, protection, nowMs) ?? ''),
        // '' = the router has seen no presence of this KW yet.
        since: facts?.state ? iso(facts.state.sinceMs) : '',
        // A preview out holds a reservation too; the view counts it as `offered`, not as an interaction.
        interactions: Math.max(0, load - (offered ? 1 : 0)),
        capacity: m.capacity ?? rp.capacity,
        offered,
        ...(wrapUpUntil !== undefined ? { wrapUpUntil: iso(wrapUpUntil) } : {}),
      };
    }),
    waiting: live.routing
      .filter((r) => r.routingPoint === rp.uri)
      .map((r) => ({
        interactionId: r.interactionId,
        agent: r.agent,
        subject: subjects.get(subjectKey(rp.uri, r.interactionId)) ?? '',
        since: iso(r.since),
        ...(r.offeredTo[0] !== undefined ? { offeredTo: r.offeredTo.join(', ').slice(0, 512) } : {}),
      })),
  }));
}

function protectedReason(
  rp: RouterConfig['routingPoints'][number],
  kw: string,
  ledger: ProtectionLedger | undefined,
  now: number,
): string | undefined {
  const limits = limitsFor(rp, kw);
  if (!limits || !ledger) return undefined;
  return protectionBecause({ limits, facts: ledger.facts(kw), now });
}

/** The store key of an interaction's record (router/shared-routing.ts). */
export function subjectKey(routingPoint: string, interactionId: string): string {
  return `${routingPoint}|${interactionId.toLowerCase()}`;
}

/** When the KW's wrap-up ends, if it is running now (the wrap-up of the routing point the interaction came from). */
export function wrapUpEnd(
  config: RouterConfig,
  live: LiveInteractions,
  kw: string,
  nowMs: number,
): number | undefined {
  const ended = live.lastEnded.get(kw);
  if (!ended) return undefined;
  const wrapUpMs = config.routingPoints.find((p) => p.uri === ended.routingPoint)?.wrapUpMs ?? 0;
  const until = ended.at + wrapUpMs;
  return until > nowMs ? until : undefined;
}
