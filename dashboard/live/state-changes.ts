/**
 * Routing-state changes of each member as this page saw them in the live
 * stream, to point out a KW who flaps (Ready, Not ready, Ready…) — a presence
 * client or a network that keeps dropping. Only what the page saw since it
 * opened; the snapshot itself carries the last change alone.
 */
import type { DashboardSnapshot } from '../../wire/dashboard.js';

/** Changes within this window count. */
export const FLAP_WINDOW_MS = 5 * 60_000;
/** This many changes within the window mark a member as flapping. */
export const FLAP_CHANGES = 3;

interface Seen {
  state: string;
  changes: number[];
}

export class StateChanges {
  private readonly seen = new Map<string, Seen>();

  /** Takes a snapshot; a change is counted when a member's state differs from the one seen before. */
  observe(snapshot: DashboardSnapshot, nowMs: number): void {
    for (const point of snapshot.routingPoints) {
      for (const member of point.members) {
        const key = `${point.uri} ${member.kw}`;
        const before = this.seen.get(key);
        if (!before) {
          this.seen.set(key, { state: member.routingState, changes: [] });
          continue;
        }
        if (before.state !== member.routingState) {
          before.state = member.routingState;
          before.changes.push(nowMs);
        }
        before.changes = before.changes.filter((at) => nowMs - at <= FLAP_WINDOW_MS);
      }
    }
  }

  /** Changes within the window, when they are enough to call it flapping; 0 otherwise. */
  flapping(pointUri: string, kw: string, nowMs: number): number {
    const changes =
      this.seen.get(`${pointUri} ${kw}`)?.changes.filter((at) => nowMs - at <= FLAP_WINDOW_MS) ?? [];
    return changes.length >= FLAP_CHANGES ? changes.length : 0;
  }
}
