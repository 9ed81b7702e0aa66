/**
 * The live view's connection: one EventSource on the router's snapshot stream.
 * The browser reconnects by itself after a network error (readyState
 * CONNECTING); a refused stream (401 after the session ended, 404) closes it
 * for good (readyState CLOSED), which means "sign in again". Every message is
 * checked with the wire schema; a bad one is logged and changes nothing.
 */
import * as v from 'valibot';
import { DASHBOARD_PROTOCOL, DashboardSnapshotSchema, type DashboardSnapshot } from '../../wire/dashboard.js';

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'refused' | 'outdated';

/** A message of the stream (the part of MessageEvent the feed reads). */
export interface StreamMessage {
  readonly data: string;
}

/** The part of EventSource the feed uses (a fake in tests). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: 'snapshot', listener: (event: StreamMessage) => void): void;
  close(): void;
}

export interface FeedListener {
  state(state: FeedState): void;
  snapshot(snapshot: DashboardSnapshot): void;
  /** A message the page could not use, in words (for the console). */
  rejected(why: string): void;
}

const CLOSED = 2;

export type SnapshotCheck =
  | { readonly ok: true; readonly snapshot: DashboardSnapshot }
  | { readonly ok: false; readonly outdated: boolean; readonly why: string };

/** Parses and checks one `snapshot` message. */
export function checkSnapshot(data: string): SnapshotCheck {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, outdated: false, why: 'a snapshot that is not JSON' };
  }
  const protocol =
    typeof json === 'object' && json !== null ? (json as { protocol?: unknown }).protocol : undefined;
  if (protocol !== DASHBOARD_PROTOCOL) {
    return { ok: false, outdated: true, why: `a snapshot of protocol ${String(protocol)}` };
  }
  const checked = v.safeParse(DashboardSnapshotSchema, json);
  if (!checked.success) {
    const issue = checked.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    return { ok: false, outdated: false, why: `a snapshot with a bad field ${path}: ${issue.message}` };
  }
  return { ok: true, snapshot: checked.output };
}

export class LiveFeed {
  private source: EventSourceLike | undefined;
  private opened = false;

  constructor(
    private readonly open: () => EventSourceLike,
    private readonly listener: FeedListener,
  ) {}

  start(): void {
    this.stop();
    this.opened = false;
    const source = this.open();
    this.source = source;
    this.listener.state('connecting');
    source.onopen = () => {
      this.opened = true;
      this.listener.state('live');
    };
    source.onerror = () => this.failed(source);
    source.addEventListener('snapshot', (event) => this.message(event.data));
  }

  stop(): void {
    this.source?.close();
    this.source = undefined;
  }

  private failed(source: EventSourceLike): void {
    if (source !== this.source) return;
    if (source.readyState === CLOSED) {
      this.stop();
      this.listener.state('refused');
    } else {
      this.listener.state(this.opened ? 'reconnecting' : 'connecting');
    }
  }

  private message(data: string): void {
    const checked = checkSnapshot(data);
    if (checked.ok) {
      this.listener.snapshot(checked.snapshot);
      return;
    }
    this.listener.rejected(checked.why);
    if (checked.outdated) {
      this.stop();
      this.listener.state('outdated');
    }
  }
}
