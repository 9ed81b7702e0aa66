/**
 * Keeps the KW's presence: the manual state, the automatic conditions (call,
 * idle, screen lock), and the publication that tells the world. Re-publishes on
 * every change of the effective state; `Expires: 0` happens when the SIP agent
 * stops (it withdraws all publications).
 */
import { TypedEmitter } from '../events.js';
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
}

export class PresenceManager extends TypedEmitter<PresenceEvents> {
  private manual: ManualState;
  private auto: AutomaticConditions = { inCall: false, idle: false, locked: false };
  private published: EffectiveState | undefined;

  constructor(private readonly options: PresenceManagerOptions) {
    super();
    this.manual = options.initial ?? 'available';
    options.publisher.on('state', () => this.emit('change', this.snapshot()));
  }

  snapshot(): PresenceSnapshot {
    return {
      manual: this.manual,
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
    this.manual = manual;
    return this.publish();
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
    if (!force && effective === this.published) {
      this.emit('change', this.snapshot());
      return this.options.publisher.state;
    }
    this.published = effective;
    this.options.logger.info('presence', { manual: this.manual, effective });
    this.emit('change', this.snapshot());
    return this.options.publisher.publish(encodePidf(presenceDocument(this.options.entity, effective)));
  }
}
