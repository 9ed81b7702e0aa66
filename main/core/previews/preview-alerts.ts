/**
 * A request the KW has not seen gets louder (issue 16, point 5): the popup
 * chimes when it arrives; if the KW neither looks at it (hovers or focuses its
 * card) nor answers, it chimes again louder and the tray flashes (level 2),
 * then a native notification joins (level 3). Nothing steals focus. A preview
 * that is seen, answered, withdrawn or expires stops its alerts.
 */
import { TypedEmitter } from '../events.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { PreviewInbox } from './preview-inbox.js';

export type AlertLevel = 2 | 3;

export interface PreviewAlert {
  readonly interactionId: string;
  readonly level: AlertLevel;
}

interface AlertEvents extends Record<string, unknown> {
  alert: PreviewAlert;
  /** No preview is alerting any more (all seen or ended). */
  calm: undefined;
}

export type AlertSteps = Readonly<Record<AlertLevel, number>>;

/** After how long unseen a preview reaches each level. */
export const ALERT_STEPS_MS: AlertSteps = { 2: 8_000, 3: 16_000 };

export class PreviewAlerts extends TypedEmitter<AlertEvents> {
  private readonly timers = new Map<string, unknown[]>();
  private readonly alerting = new Set<string>();
  private readonly clock: Clock;

  constructor(
    inbox: PreviewInbox,
    private readonly logger: Logger,
    clock?: Clock,
    /** Only tests shorten these (the browser harness's e2e): the app always uses the defaults. */
    private readonly steps: AlertSteps = ALERT_STEPS_MS,
  ) {
    super();
    this.clock = clock ?? systemClock;
    inbox.on('added', (p) => this.arm(p.preview.interactionId));
    inbox.on('removed', ({ interactionId }) => this.stop(interactionId));
  }

  /** The KW looked at it: no more alerts for this one. */
  markSeen(interactionId: string): void {
    if (!this.timers.has(interactionId)) return;
    this.logger.debug('preview seen: alerts stop', { interactionId });
    this.stop(interactionId);
  }

  isAlerting(): boolean {
    return this.alerting.size > 0;
  }

  dispose(): void {
    for (const id of [...this.timers.keys()]) this.stop(id);
  }

  private arm(interactionId: string): void {
    const steps = ([2, 3] as const).map((level) =>
      this.clock.setTimeout(() => this.raise(interactionId, level), this.steps[level]),
    );
    this.timers.set(interactionId, steps);
  }

  private raise(interactionId: string, level: AlertLevel): void {
    this.alerting.add(interactionId);
    this.logger.info('preview not seen: alert', { interactionId, level });
    this.emit('alert', { interactionId, level });
  }

  private stop(interactionId: string): void {
    for (const timer of this.timers.get(interactionId) ?? []) this.clock.clearTimeout(timer);
    this.timers.delete(interactionId);
    if (this.alerting.delete(interactionId) && this.alerting.size === 0) this.emit('calm', undefined);
  }
}
