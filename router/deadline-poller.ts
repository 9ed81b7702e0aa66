/**
 * Fires the interactions' deadlines (preview timeout, wait for a member,
 * inactivity, forgetting a finished one) from the store: every instance
 * claims what is due every `intervalMs`, and the store hands each deadline to
 * exactly one of them, so a deadline set by an instance that died still fires
 * once, on another. The claimed key names its routing point
 * (SharedRouting.keyOf); that routing point's step does the rest.
 */
import type { Logger } from '../main/core/log.js';
import type { Clock } from './clock.js';
import type { RouterStore } from './store/types.js';

export interface DeadlineTarget {
  idOfKey(key: string): string | undefined;
  tick(interactionId: string): Promise<void>;
  retryFailed(): void;
}

export interface DeadlinePollerOptions {
  readonly store: RouterStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly targets: readonly DeadlineTarget[];
  /** Default 100 ms: how late a deadline may fire. */
  readonly intervalMs?: number;
  /** Deadlines claimed per round (the rest wait for the next round). */
  readonly batch?: number;
  readonly onStoreError?: (error: unknown) => void;
}

export class DeadlinePoller {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(private readonly options: DeadlinePollerOptions) {}

  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.schedule();
  }

  /** Stops claiming; waits for the round in progress (its deadlines are handled). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.round().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule();
      });
    }, this.options.intervalMs ?? 100);
  }

  private async round(): Promise<void> {
    const { store, clock, targets, logger } = this.options;
    for (const t of targets) t.retryFailed();
    let keys: string[];
    try {
      keys = await store.claimDue(clock.now(), this.options.batch ?? 256);
      if (this.failing) logger.info('deadlines claimed again: the store answers');
      this.failing = false;
    } catch (error) {
      this.options.onStoreError?.(error);
      if (!this.failing)
        logger.warn('cannot claim deadlines: the store does not answer', { error: String(error) });
      this.failing = true;
      return;
    }
    await Promise.all(keys.map((key) => this.fire(key)));
  }

  private async fire(key: string): Promise<void> {
    for (const t of this.options.targets) {
      const id = t.idOfKey(key);
      if (id !== undefined) return t.tick(id);
    }
    this.options.logger.warn('deadline of no routing point here: dropped', { key });
  }
}
