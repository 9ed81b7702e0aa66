/**
 * The requests that ended without this KW taking them, newest first, at most
 * `max` (the oldest go). Each is unseen until the KW opens the Requests
 * section (`markSeen`), except what the KW did themselves (a decline). Kept
 * through a `RequestStore` (a file in the history folder in the app); a store
 * that fails never loses the list in memory, and is tried again on the next change.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '../events.js';
import type { Logger } from '../log.js';
import type { PreviewCancel } from '../../../wire/control.js';
import type { NewRequestRecord, RequestRecord } from './request-record.js';

export interface RequestStore {
  /** The saved records, newest first; [] when there are none yet. Throws when they cannot be read. */
  load(): Promise<readonly RequestRecord[]>;
  save(records: readonly RequestRecord[]): Promise<void>;
}

export const DEFAULT_MAX_REQUESTS = 100;

interface RequestLogEvents extends Record<string, unknown> {
  changed: readonly RequestRecord[];
}

export interface RequestLogOptions {
  readonly logger: Logger;
  /** Without one, the list lives in memory only. */
  readonly store?: RequestStore;
  readonly max?: number;
}

export class RequestLog extends TypedEmitter<RequestLogEvents> {
  private records: RequestRecord[] = [];
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly options: RequestLogOptions) {
    super();
  }

  /** Newest first. */
  list(): readonly RequestRecord[] {
    return this.records;
  }

  /** How many the KW has not seen: the tray's "N missed requests". */
  unseen(): number {
    return this.records.filter((r) => !r.seen).length;
  }

  /** Reads the store once at start; records added before it answered stay in front. */
  async load(): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    try {
      const saved = await store.load();
      const known = new Set(this.records.map((r) => r.id));
      this.records = this.bounded([...this.records, ...saved.filter((r) => !known.has(r.id))]);
      this.emit('changed', this.records);
    } catch (error) {
      this.options.logger.warn('missed requests could not be read: starting with an empty list', {
        error: messageOf(error),
      });
    }
  }

  record(input: NewRequestRecord): RequestRecord {
    // What the KW did themselves needs no reminder.
    const record: RequestRecord = { ...input, id: randomUUID(), seen: input.outcome === 'declined' };
    this.records = this.bounded([record, ...this.records]);
    this.options.logger.info('request recorded', {
      kind: record.kind,
      outcome: record.outcome,
      ...(record.interactionId ? { interactionId: record.interactionId } : {}),
    });
    this.changed();
    return record;
  }

  /**
   * The router's cancel arrived after the preview had expired here: it says
   * better what happened (taken by someone else, withdrawn). A timeout says
   * nothing new.
   */
  refine(interactionId: string, reason: PreviewCancel['reason']): void {
    if (reason === 'timeout') return;
    const i = this.records.findIndex((r) => r.interactionId === interactionId && r.outcome === 'expired');
    const record = this.records[i];
    if (!record || record.kind === 'call') return;
    this.records = this.records.with(i, { ...record, outcome: reason });
    this.changed();
  }

  /** The KW looked at the list: nothing is unseen any more. */
  markSeen(): void {
    if (this.unseen() === 0) return;
    this.records = this.records.map((r) => (r.seen ? r : { ...r, seen: true }));
    this.changed();
  }

  /** Resolves when what is in memory now has been handed to the store (or failed there). */
  flush(): Promise<void> {
    return this.saving;
  }

  private bounded(records: RequestRecord[]): RequestRecord[] {
    return records.slice(0, this.options.max ?? DEFAULT_MAX_REQUESTS);
  }

  private changed(): void {
    this.emit('changed', this.records);
    this.persist();
  }

  /** One save at a time; changes during a save are written by one more save after it. */
  private persist(): void {
    const store = this.options.store;
    if (!store) return;
    if (this.dirty) return;
    this.dirty = true;
    this.saving = this.saving.then(async () => {
      this.dirty = false;
      try {
        await store.save(this.records);
      } catch (error) {
        this.options.logger.warn('missed requests could not be saved: kept in memory', {
          error: messageOf(error),
        });
      }
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
