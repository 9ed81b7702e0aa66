/**
 * The first seconds after a lost connection: short waits between connection
 * rounds (at once, then after 50 ms, then every 100 ms), so a server that restarts
 * is found again a fraction of a second after it answers, instead of after
 * JsSIP's 1 s recovery floor or the long backoff. After the window the usual
 * backoff takes over.
 *
 * The window opens only for a connection that had stayed up at least
 * `stableMs` (default JsSIP's 1 s floor): a server that accepts and drops at
 * once is never reconnected faster than JsSIP would have. Pure: the clock and
 * the random source are injected so tests can pin them.
 */
import { Backoff } from './backoff.js';

export interface FastReconnectOptions {
  /** First wait after the immediate attempt. */
  readonly initialMs: number;
  /** Longest wait inside the window. */
  readonly maxMs: number;
  /** How long after the loss the short waits go on. */
  readonly windowMs: number;
  /** How long a connection must have been up for its loss to open the window. */
  readonly stableMs?: number;
  /** 0..1, as in Backoff: spreads a fleet of KWs that lost the same server. */
  readonly jitter?: number;
}

/**
 * Covers a restart of a few seconds (a 5 s outage plus the server's own
 * start-up); about 10 attempts a second, for 10 s, per connection lost
 * (docs/decisions.md).
 */
export const FAST_RECONNECT: FastReconnectOptions = { initialMs: 50, maxMs: 100, windowMs: 10_000 };

const JSSIP_FLOOR_MS = 1000;

export interface Clock {
  now(): number;
}

export class FastReconnectWindow {
  private readonly delays: Backoff;
  private readonly stableMs: number;
  private connectedAt: number | undefined;
  private openedAt: number | undefined;

  constructor(
    private readonly options: FastReconnectOptions,
    private readonly clock: Clock = Date,
    random?: () => number,
  ) {
    if (options.windowMs <= 0) throw new RangeError('the fast reconnect window must be positive');
    this.delays = new Backoff({
      initialMs: options.initialMs,
      maxMs: options.maxMs,
      jitter: options.jitter ?? 0.2,
      ...(random ? { random } : {}),
    });
    this.stableMs = options.stableMs ?? JSSIP_FLOOR_MS;
  }

  /** Whether waits now come from the window. */
  get isOpen(): boolean {
    return this.openedAt !== undefined && this.clock.now() - this.openedAt < this.options.windowMs;
  }

  /** A connection was made: any window closes, and this connection's age starts. */
  connected(): void {
    this.connectedAt = this.clock.now();
    this.openedAt = undefined;
    this.delays.reset();
  }

  /** The connection dropped: true when the window opens (reconnect at once). */
  lost(): boolean {
    const since = this.connectedAt;
    this.connectedAt = undefined;
    if (since === undefined || this.clock.now() - since < this.stableMs) return false;
    this.openedAt = this.clock.now();
    this.delays.reset();
    return true;
  }

  /** The wait before the next round while the window is open; undefined once it has closed. */
  next(): number | undefined {
    if (!this.isOpen) {
      this.openedAt = undefined;
      return undefined;
    }
    return this.delays.next();
  }
}
