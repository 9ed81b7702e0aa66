/**
 * What is going on now, pure, from the shared event stream: the interactions
 * still being routed (waiting, or with previews out) and the KWs' last ended
 * interaction (for wrap-up). Read from events, not from one instance's
 * memory, so every instance shows the same.
 */
import type { TimedEvent } from './aggregate.js';

export interface RoutingNow {
  readonly interactionId: string;
  readonly routingPoint: string;
  readonly agent: string;
  /** When it was requested (epoch ms). */
  readonly since: number;
  /** KWs with a preview out now, in the order offered. */
  readonly offeredTo: readonly string[];
}

export interface LiveInteractions {
  /** Being routed, oldest first. */
  readonly routing: RoutingNow[];
  /** Per KW: the end of their last routed interaction, and its routing point. */
  readonly lastEnded: ReadonlyMap<string, { readonly at: number; readonly routingPoint: string }>;
}

interface Tracked {
  readonly interactionId: string;
  readonly routingPoint: string;
  readonly agent: string;
  readonly since: number;
  readonly pending: Set<string>;
}

const SETTLED = new Set(['accepted', 'declined', 'timed-out', 'cancelled']);

export function liveInteractions(events: readonly TimedEvent[]): LiveInteractions {
  const routing = new Map<string, Tracked>();
  const lastEnded = new Map<string, { at: number; routingPoint: string }>();
  for (const { at, event: e } of events) {
    const key = `${e.routingPoint}\n${e.interactionId.toLowerCase()}`;
    if (e.event === 'requested') {
      routing.set(key, {
        interactionId: e.interactionId,
        routingPoint: e.routingPoint,
        agent: e.agent ?? '',
        since: at,
        pending: new Set(),
      });
    } else if (e.event === 'offered' && e.kw !== undefined) routing.get(key)?.pending.add(e.kw);
    else if (SETTLED.has(e.event) && e.kw !== undefined) routing.get(key)?.pending.delete(e.kw);
    else if (e.event === 'routed' || e.event === 'not-routed') routing.delete(key);
    else if (e.event === 'ended') {
      routing.delete(key);
      // Only a routed interaction's end carries its duration; only that one starts a wrap-up.
      if (e.kw !== undefined && e.durationMs !== undefined)
        lastEnded.set(e.kw, { at, routingPoint: e.routingPoint });
    }
  }
  return {
    routing: [...routing.values()]
      .sort((a, b) => a.since - b.since)
      .map(({ pending, ...rest }) => ({ ...rest, offeredTo: [...pending] })),
    lastEnded,
  };
}
