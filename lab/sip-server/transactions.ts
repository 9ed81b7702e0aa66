/**
 * Client transactions of the server (proxy branches and its own NOTIFYs),
 * keyed by the branch of the Via it added, and the timers behind them. All
 * timers live in one TimerSet so close() can stop everything at once.
 */
import type { SipResponse } from './message.js';

export class TimerSet {
  private readonly live = new Set<NodeJS.Timeout>();

  /** `onError` keeps an exception in a timer callback from taking the process down. */
  constructor(private readonly onError: (err: unknown) => void) {}

  after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.live.delete(t);
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }, ms);
    t.unref();
    this.live.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.live.delete(t);
  }

  clearAll(): void {
    for (const t of this.live) clearTimeout(t);
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }
}

export type ClientEvent =
  | { readonly kind: 'response'; readonly response: SipResponse }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'closed' };

interface Entry {
  readonly connId: number;
  readonly handler: (ev: ClientEvent) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Timer F / B of RFC 3261: no final response in 64·T1. */
export const TRANSACTION_TIMEOUT_MS = 32_000;

export class ClientTransactions {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly timers: TimerSet) {}

  private static key(branch: string, method: string): string {
    // CANCEL reuses the INVITE's branch: the CSeq method tells them apart.
    return `${branch}|${method.toUpperCase()}`;
  }

  /** The handler stays registered until `finish()`; a timeout only notifies it. */
  start(
    branch: string,
    method: string,
    connId: number,
    timeoutMs: number,
    handler: (ev: ClientEvent) => void,
  ): void {
    const key = ClientTransactions.key(branch, method);
    const entry: Entry = { connId, handler, timer: undefined };
    this.entries.set(key, entry);
    this.arm(key, entry, timeoutMs);
  }

  /** Restarts the timeout (e.g. Timer C after a provisional response, or lingering after a 2xx). */
  rearm(branch: string, method: string, timeoutMs: number): void {
    const key = ClientTransactions.key(branch, method);
    const entry = this.entries.get(key);
    if (entry) this.arm(key, entry, timeoutMs);
  }

  finish(branch: string, method: string): void {
    const key = ClientTransactions.key(branch, method);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.timers.cancel(entry.timer);
    this.entries.delete(key);
  }

  /** False when no transaction matches (a stray or late response). */
  dispatch(branch: string, method: string, response: SipResponse): boolean {
    const entry = this.entries.get(ClientTransactions.key(branch, method));
    if (!entry) return false;
    entry.handler({ kind: 'response', response });
    return true;
  }

  /** Every transaction waiting on a connection that closed learns it. */
  connectionClosed(connId: number): void {
    for (const entry of [...this.entries.values()]) {
      if (entry.connId === connId) entry.handler({ kind: 'closed' });
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private arm(key: string, entry: Entry, timeoutMs: number): void {
    this.timers.cancel(entry.timer);
    entry.timer = this.timers.after(timeoutMs, () => {
      entry.timer = undefined;
      if (this.entries.get(key) === entry) entry.handler({ kind: 'timeout' });
    });
  }
}
