/**
 * Whether history reaches the disk. A failed write sets a problem (a sentence
 * for the UI) and schedules a retry; the store clears it when a write goes
 * through again. Logged once per distinct problem, not once per failed write.
 */
import { TypedEmitter } from '../events.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { HistoryStatus, UnreadableHistory } from './history-store.js';
import { historyErrorText } from './history-error-text.js';

interface HealthEvents extends Record<string, unknown> {
  change: HistoryStatus;
}

export interface HistoryHealthOptions {
  readonly dir: string;
  readonly clock: Clock;
  readonly retryMs: number;
  /** Tries the owed writes again; reports through `failed` / `recovered`. */
  readonly retry: () => Promise<void>;
  readonly logger: Logger;
}

export class HistoryHealth extends TypedEmitter<HealthEvents> {
  private current: HistoryStatus = { saving: true };
  private unreadable: UnreadableHistory | undefined;
  private timer: unknown;

  constructor(private readonly options: HistoryHealthOptions) {
    super();
  }

  status(): HistoryStatus {
    return this.current;
  }

  failed(error: unknown): void {
    const problem = historyErrorText(error, this.options.dir);
    if (problem !== this.current.problem) {
      this.options.logger.error('history cannot be saved: kept in memory, will retry', {
        dir: this.options.dir,
        error: String(error),
      });
      this.set({ saving: false, problem });
    }
    this.scheduleRetry();
  }

  recovered(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current.saving) return;
    this.options.logger.info('history is saved again', { dir: this.options.dir });
    this.set({ saving: true });
  }

  /** History from before was set aside unreadable: said until the process ends, whatever the writes do. */
  setUnreadable(unreadable: UnreadableHistory): void {
    this.unreadable = unreadable;
    this.set(this.current);
  }

  private set(status: HistoryStatus): void {
    const { saving, problem } = status;
    const { unreadable } = this;
    this.current = {
      saving,
      ...(problem !== undefined ? { problem } : {}),
      ...(unreadable !== undefined ? { unreadable } : {}),
    };
    this.emit('change', this.current);
  }

  private scheduleRetry(): void {
    if (this.timer !== undefined) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      void this.options.retry();
    }, this.options.retryMs);
    // A pending retry must not keep the process alive when everything else has stopped.
    unref(this.timer);
  }
}

function unref(handle: unknown): void {
  if (
    typeof handle === 'object' &&
    handle !== null &&
    'unref' in handle &&
    typeof handle.unref === 'function'
  )
    handle.unref();
}
