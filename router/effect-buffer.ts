/**
 * The engine's effects held back during one shared-mode step: nothing leaves
 * the instance before the step's record is saved (a step whose save is refused
 * — another instance took the interaction over — sends nothing), and previews
 * wait for their reservation in the store. `take()` hands the step's effects
 * over in the order the engine made them.
 */
import type { ControlInput } from '../wire/control.js';
import type { Decline, EngineEffects, NotRoutedReason, CancelReason } from './engine.js';
import type { RouterEventInput } from './event-log.js';

export type HeldEffect =
  | { readonly kind: 'preview'; readonly kw: string; readonly preview: ControlInput<'preview'> }
  | {
      readonly kind: 'cancel';
      readonly kw: string;
      readonly interactionId: string;
      readonly reason: CancelReason;
    }
  | { readonly kind: 'routed'; readonly agent: string; readonly routed: ControlInput<'routed'> }
  | {
      readonly kind: 'not-routed';
      readonly agent: string;
      readonly interactionId: string;
      readonly reason: NotRoutedReason;
      readonly declines: readonly Decline[];
    }
  | { readonly kind: 'end'; readonly to: string; readonly interactionId: string; readonly reason: string }
  | { readonly kind: 'event'; readonly event: RouterEventInput }
  | {
      readonly kind: 'released';
      readonly kw: string;
      readonly interactionId: string;
      readonly token: number | undefined;
      readonly ended: boolean;
    };

export class EffectBuffer {
  private held: HeldEffect[] = [];

  /** The effects the engine is given: each is held (sends resolve at once; the step reports failures). */
  readonly effects: EngineEffects = {
    sendPreview: (kw, preview) => {
      this.held.push({ kind: 'preview', kw, preview });
      return Promise.resolve();
    },
    sendCancel: (kw, interactionId, reason) => this.held.push({ kind: 'cancel', kw, interactionId, reason }),
    sendRouted: (agent, routed) => {
      this.held.push({ kind: 'routed', agent, routed });
      return Promise.resolve();
    },
    sendNotRouted: (agent, interactionId, reason, declines) =>
      this.held.push({ kind: 'not-routed', agent, interactionId, reason, declines }),
    sendEnd: (to, interactionId, reason) => this.held.push({ kind: 'end', to, interactionId, reason }),
    event: (event) => this.held.push({ kind: 'event', event }),
    released: (kw, interactionId, token, ended) =>
      this.held.push({ kind: 'released', kw, interactionId, token, ended }),
  };

  /** The KWs previewed in this step so far. */
  previews(): string[] {
    return this.held.flatMap((e) => (e.kind === 'preview' ? [e.kw] : []));
  }

  /** An offer taken back before it left (the store refused the reservation): its preview and its `offered` event go. */
  dropOffer(kw: string): void {
    this.held = this.held.filter(
      (e) =>
        !(e.kind === 'preview' && e.kw === kw) &&
        !(e.kind === 'event' && e.event.event === 'offered' && e.event.kw === kw),
    );
  }

  /** Everything held, emptied. */
  take(): HeldEffect[] {
    const held = this.held;
    this.held = [];
    return held;
  }
}
