/**
 * What the router knows about each KW, shared by all routing points: the
 * routing state (from presence), the load (pending previews + routed
 * interactions, on any routing point — a KW in two routing points has one
 * desk), and since when they have been idle (for longest-idle).
 *
 * Listeners are told when a KW may have become offerable (Ready, or load went
 * down) and when a KW logged out (reservations are released).
 */
import { TypedEmitter } from '../main/core/events.js';
import type { Clock } from './clock.js';
import { sameRoutingState, type RoutingState } from './routing-state.js';

interface MemberRecord {
  state: RoutingState;
  /** When the member last went from not-Ready to Ready. */
  readySince: number | undefined;
  /** When the member's last routed interaction ended. */
  lastEndedAt: number | undefined;
  load: number;
}

export interface MemberChange {
  readonly uri: string;
  readonly previous: RoutingState;
  readonly current: RoutingState;
}

interface DirectoryEvents extends Record<string, unknown> {
  /** The routing state changed. */
  state: MemberChange;
  /** Load went down: a slot may be free. */
  freed: string;
}

/** Before the first NOTIFY the router cannot know: not offered (LoggedOut, as for no document). */
export const NO_PRESENCE_YET: RoutingState = { kind: 'LoggedOut' };

export class MemberDirectory extends TypedEmitter<DirectoryEvents> {
  private readonly members = new Map<string, MemberRecord>();

  constructor(private readonly clock: Clock) {
    super();
  }

  private record(uri: string): MemberRecord {
    let r = this.members.get(uri);
    if (!r) {
      r = { state: NO_PRESENCE_YET, readySince: undefined, lastEndedAt: undefined, load: 0 };
      this.members.set(uri, r);
    }
    return r;
  }

  state(uri: string): RoutingState {
    return this.members.get(uri)?.state ?? NO_PRESENCE_YET;
  }

  load(uri: string): number {
    return this.members.get(uri)?.load ?? 0;
  }

  /** Since when the member has been idle: the later of becoming Ready and the end of their last interaction. */
  idleSince(uri: string): number {
    const r = this.members.get(uri);
    return Math.max(r?.readySince ?? this.clock.now(), r?.lastEndedAt ?? Number.NEGATIVE_INFINITY);
  }

  setState(uri: string, state: RoutingState): void {
    const r = this.record(uri);
    const previous = r.state;
    if (sameRoutingState(previous, state)) return;
    r.state = state;
    if (state.kind === 'Ready' && previous.kind !== 'Ready') r.readySince = this.clock.now();
    this.emit('state', { uri, previous, current: state });
  }

  /** One more preview or interaction on this member. */
  reserve(uri: string): void {
    this.record(uri).load += 1;
  }

  /**
   * One less. `interactionEnded`: a routed interaction ended (idle time starts
   * again now); false for a preview that was declined, timed out or taken.
   */
  release(uri: string, interactionEnded: boolean): void {
    const r = this.record(uri);
    r.load = Math.max(0, r.load - 1);
    if (interactionEnded) r.lastEndedAt = this.clock.now();
    this.emit('freed', uri);
  }

  snapshot(): Array<{ uri: string; state: RoutingState; load: number; idleSince: number }> {
    return [...this.members.keys()].map((uri) => ({
      uri,
      state: this.state(uri),
      load: this.load(uri),
      idleSince: this.idleSince(uri),
    }));
  }
}
