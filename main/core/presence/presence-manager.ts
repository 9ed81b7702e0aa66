/**
 * Keeps the KW's presence: the manual state, the automatic conditions (call,
 * idle, screen lock), and the publication that tells the world. Re-publishes on
 * every change of the effective state; `Expires: 0` happens when the SIP agent
 * stops (it withdraws all publications).
 */
import { TypedEmitter } from '../events.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Publisher, PublicationState } from '../sip/publisher.js';
import { encodePidf } from '../../../wire/presence/pidf.js';
import {
  effectiveState,
  presenceDocument,
  type AutomaticConditions,
  type EffectiveState,
  type ManualState,
} from '../../../wire/presence/states.js';

export interface PresenceSnapshot {
  readonly manual: ManualState;
  /** A timed Do not disturb: when it ends (ms since epoch), after which `returnTo` comes back by itself. */
  readonly until?: number;
  readonly returnTo?: ManualState;
  readonly effective: EffectiveState;
  readonly auto: AutomaticConditions;
  readonly publication: PublicationState;
}

interface PresenceEvents extends Record<string, unknown> {
  change: PresenceSnapshot;
}

export interface PresenceManagerOptions {
  readonly entity: string;
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly initial?: ManualState;
  /** A timed Do not disturb that was on when the app last stopped. */
  readonly initialTimed?: TimedState;
  readonly clock?: Clock;
}

/** Do not disturb until a time, then back to the state before it. */
export interface TimedState {
  readonly until: number;
  readonly returnTo: ManualState;
}

/** The longest timed Do not disturb (a week): longer is a mistake, not a plan. */
export const MAX_TIMED_MS = 7 * 24 * 3600_000;

export class PresenceManager extends TypedEmitter<PresenceEvents> {
  private manual: ManualState;
  private auto: AutomaticConditions = { inCall: false, idle: false, locked: false };
  private published: EffectiveState | undefined;
  private publishedUntil: number | undefined;
  private timed: TimedState | undefined;
  private timer: unknown;
  private readonly clock: Clock;

  constructor(private readonly options: PresenceManagerOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.manual = options.initial ?? 'available';
    const timed = options.initialTimed;
    // A timed DND that ended while the app was not running: the state before it, as promised.
    if (timed && timed.until > this.clock.now()) this.startTimed('dnd', timed);
    else if (timed) this.manual = timed.returnTo;
    options.publisher.on('state', () => this.emit('change', this.snapshot()));
  }

  snapshot(): PresenceSnapshot {
    return {
      manual: this.manual,
      ...(this.timed ? { until: this.timed.until, returnTo: this.timed.returnTo } : {}),
      effective: effectiveState(this.manual, this.auto),
      auto: this.auto,
      publication: this.options.publisher.state,
    };
  }

  /** Publishes the current state (call once the agent is started). */
  start(): Promise<PublicationState> {
    return this.publish(true);
  }

  set(manual: ManualState): Promise<PublicationState> {
    this.stopTimed();
    this.manual = manual;
    return this.publish();
  }

  /** Do not disturb until `until` (ms since epoch), then back to the current state by itself. */
  setDndUntil(until: number): Promise<PublicationState> {
    const now = this.clock.now();
    if (!(until > now) || until - now > MAX_TIMED_MS)
      throw new RangeError('the end of Do not disturb must be in the next 7 days');
    const returnTo = this.timed?.returnTo ?? (this.manual === 'dnd' ? 'available' : this.manual);
    this.startTimed('dnd', { until, returnTo });
    return this.publish();
  }

  stop(): void {
    this.stopTimed();
  }

  private startTimed(manual: ManualState, timed: TimedState): void {
    this.stopTimed();
    this.manual = manual;
    this.timed = timed;
    this.timer = this.clock.setTimeout(() => this.endTimed(), Math.max(0, timed.until - this.clock.now()));
  }

  private endTimed(): void {
    const timed = this.timed;
    this.timer = undefined;
    if (!timed) return;
    this.options.logger.info('timed Do not disturb ended', { returnTo: timed.returnTo });
    void this.set(timed.returnTo);
  }

  private stopTimed(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timed = undefined;
  }

  setInCall(inCall: boolean): Promise<PublicationState> {
    return this.setAuto({ inCall });
  }

  setIdle(idle: boolean): Promise<PublicationState> {
    return this.setAuto({ idle });
  }

  setLocked(locked: boolean): Promise<PublicationState> {
    return this.setAuto({ locked });
  }

  /** On quit: tell watchers we are gone before the publication is withdrawn. */
  publishClosed(): Promise<PublicationState> {
    this.published = 'offline';
    return this.options.publisher.publish(encodePidf(presenceDocument(this.options.entity, 'offline')));
  }

  private setAuto(change: Partial<AutomaticConditions>): Promise<PublicationState> {
    this.auto = { ...this.auto, ...change };
    return this.publish();
  }

  private async publish(force = false): Promise<PublicationState> {
    const effective = effectiveState(this.manual, this.auto);
    const until = effective === 'dnd' ? this.timed?.until : undefined;
    if (!force && effective === this.published && until === this.publishedUntil) {
      this.emit('change', this.snapshot());
      return this.options.publisher.state;
    }
    this.published = effective;
    this.publishedUntil = until;
    this.options.logger.info('presence', {
      manual: this.manual,
      effective,
      ...(until !== undefined ? { until: new Date(until).toISOString() } : {}),
    });
    this.emit('change', this.snapshot());
    const document = presenceDocument(
      this.options.entity,
      effective,
      undefined,
      until !== undefined ? new Date(until) : undefined,
    );
    return this.options.publisher.publish(encodePidf(document));
  }
}
