/**
 * The router's event log for reporting: one JSON object per line,
 * `{ts, event, interactionId, routingPoint, kw?, agent?, reason?, escalation?,
 * previousKw?, durationMs?}`, appended to a file and/or handed to an in-memory sink (tests,
 * a live view).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../main/core/log.js';

export const ROUTER_EVENTS = [
  'requested',
  'offered',
  'accepted',
  'declined',
  'timed-out',
  'cancelled',
  'routed',
  'not-routed',
  'ended',
  'call-requested',
  'call-offered',
  'call-accepted',
  'call-declined',
  'call-timed-out',
  'call-cancelled',
  'call-kw-changed',
  'call-redirected',
  'call-refused',
  'call-abandoned',
  // Protecting the experts and waiting for a DND to end (issue 16).
  'paused',
  'resumed',
  'waiting',
] as const;
export type RouterEventName = (typeof ROUTER_EVENTS)[number];

export interface RouterEvent {
  readonly ts: string;
  readonly event: RouterEventName;
  readonly interactionId: string;
  readonly routingPoint: string;
  readonly kw?: string;
  readonly agent?: string;
  readonly reason?: string;
  /** Call events: the X-Escalation kind (`transfer`, `conference`, or `call`). */
  readonly escalation?: string;
  /** `call-kw-changed`: the interaction's KW before the change. */
  readonly previousKw?: string;
  /**
   * `accepted`, `declined`, `timed-out`: offer → decision (answer time);
   * `ended` of a routed interaction: routed → end (chat duration). Milliseconds.
   */
  readonly durationMs?: number;
}

export type RouterEventInput = Omit<RouterEvent, 'ts'>;

/** The event as a JSON object (absent fields left out), e.g. for the store's event stream. */
export function eventJson(event: RouterEvent): Record<string, string | number> {
  const json: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(event) as Array<[string, string | number | undefined]>) {
    if (value !== undefined) json[key] = value;
  }
  return json;
}
export type RouterEventSink = (event: RouterEvent) => void;

export interface EventLogOptions {
  /** JSON lines are appended to this file (created with its directory). */
  readonly file?: string;
  readonly sink?: RouterEventSink;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class EventLog {
  private readonly stream: WriteStream | undefined;
  private failed = false;

  constructor(private readonly options: EventLogOptions) {
    if (options.file !== undefined) {
      mkdirSync(path.dirname(options.file), { recursive: true });
      this.stream = createWriteStream(options.file, { flags: 'a', encoding: 'utf8' });
      this.stream.on('error', (error) => {
        // Reporting must not take routing down: log once and keep routing.
        if (!this.failed)
          options.logger.error('event log file failed', { file: options.file, error: String(error) });
        this.failed = true;
      });
    }
  }

  write(input: RouterEventInput): RouterEvent {
    const event: RouterEvent = {
      ts: new Date((this.options.now ?? Date.now)()).toISOString(),
      ...withoutUndefined(input),
    };
    if (this.stream && !this.failed) this.stream.write(`${JSON.stringify(event)}\n`);
    try {
      this.options.sink?.(event);
    } catch (error) {
      this.options.logger.warn('event sink threw', { error: String(error) });
    }
    return event;
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.closed) return Promise.resolve();
    return new Promise((resolve) => stream.end(() => resolve()));
  }
}

function withoutUndefined(input: RouterEventInput): RouterEventInput {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) out[k] = v;
  return out as unknown as RouterEventInput;
}
