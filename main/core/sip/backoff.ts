/**
 * Bounded exponential backoff with jitter, for reconnecting and re-registering.
 * Pure: the random source is injected so tests can pin it.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
  /** 0..1: the delay is drawn from [d·(1-jitter), d]. */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    if (options.initialMs <= 0 || options.maxMs < options.initialMs) {
      throw new RangeError('backoff needs 0 < initialMs <= maxMs');
    }
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
    this.random = options.random ?? Math.random;
  }

  /** Number of delays handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const ceiling = Math.min(this.options.maxMs, this.options.initialMs * this.factor ** this.attempt);
    this.attempt += 1;
    const spread = ceiling * this.jitter * this.random();
    return Math.max(1, Math.round(ceiling - spread));
  }

  reset(): void {
    this.attempt = 0;
  }
}
