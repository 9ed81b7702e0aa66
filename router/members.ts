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
  /** Not offered before this time (wrap-up after an interaction). */
  wrapUpUntil: number;
  wrapUpTimer: unknown;
  load: number;
  /** When `load` last changed. */
  loadAt: number;
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
  /** When each KW's Do not disturb ends (RPID `until`), while they publish one. */
  private readonly dndEnds = new Map<string, number>();

  /**
   * `loadHintTtlMs` (shared mode): the local load is only a hint, since another
   * instance may give back a reservation made here; older than this, it no
   * longer keeps the KW from being offered (the store's reservation decides).
   */
  constructor(
    private readonly clock: Clock,
    private readonly loadHintTtlMs?: number,
  ) {
    super();
  }

  private record(uri: string): MemberRecord {
    let r = this.members.get(uri);
    if (!r) {
      r = {
        state: NO_PRESENCE_YET,
        readySince: undefined,
        lastEndedAt: undefined,
        wrapUpUntil: 0,
        wrapUpTimer: undefined,
        load: 0,
        loadAt: 0,
      };
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

  /** The load routing decisions go by: `load`, or 0 once the hint is stale (see the constructor). */
  loadHint(uri: string): number {
    const r = this.members.get(uri);
    if (!r) return 0;
    if (this.loadHintTtlMs !== undefined && this.clock.now() - r.loadAt > this.loadHintTtlMs) return 0;
    return r.load;
  }

  /** The store says how many reservations the KW holds (a reservation was refused). */
  setLoad(uri: string, load: number): void {
    const r = this.record(uri);
    r.load = load;
    r.loadAt = this.clock.now();
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

  /** The end of the KW's Do not disturb from their presence (RPID `until`); undefined: none given. */
  setDndUntil(uri: string, ms: number | undefined): void {
    if (ms === undefined) this.dndEnds.delete(uri);
    else this.dndEnds.set(uri, ms);
  }

  /** When the KW's Do not disturb ends, if they are in DND and said when. */
  dndUntil(uri: string): number | undefined {
    const state = this.state(uri);
    return state.kind === 'NotReady' && state.reason === 'dnd' ? this.dndEnds.get(uri) : undefined;
  }

  /** One more preview or interaction on this member. */
  reserve(uri: string): void {
    const r = this.record(uri);
    r.load += 1;
    r.loadAt = this.clock.now();
  }

  /**
   * One less. `interactionEnded`: a routed interaction ended (idle time starts
   * again now); false for a preview that was declined, timed out or taken.
   * `wrapUpMs`: after an interaction, the KW is not offered another for this long
   * (on any routing point: one desk); listeners hear `freed` again when it is over.
   */
  release(uri: string, interactionEnded: boolean, wrapUpMs = 0): void {
    const r = this.record(uri);
    r.load = Math.max(0, r.load - 1);
    r.loadAt = this.clock.now();
    if (interactionEnded) {
      r.lastEndedAt = this.clock.now();
      if (wrapUpMs > 0) this.startWrapUp(uri, r, wrapUpMs);
    }
    this.emit('freed', uri);
  }

  /** In wrap-up: not offered until it is over. */
  inWrapUp(uri: string): boolean {
    return (this.members.get(uri)?.wrapUpUntil ?? 0) > this.clock.now();
  }

  private startWrapUp(uri: string, r: MemberRecord, wrapUpMs: number): void {
    if (r.wrapUpTimer !== undefined) this.clock.clearTimeout(r.wrapUpTimer);
    r.wrapUpUntil = this.clock.now() + wrapUpMs;
    r.wrapUpTimer = this.clock.setTimeout(() => {
      r.wrapUpTimer = undefined;
      this.emit('freed', uri);
    }, wrapUpMs);
  }

  /** Stops the wrap-up timers (the router is closing). */
  close(): void {
    for (const r of this.members.values()) {
      if (r.wrapUpTimer !== undefined) this.clock.clearTimeout(r.wrapUpTimer);
      r.wrapUpTimer = undefined;
    }
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
