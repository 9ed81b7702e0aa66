/**
 * A token bucket on an injected clock: `capacity` tokens, refilled at
 * `perSecond`. Taking is all-or-nothing, and a refusal says how long until
 * enough tokens are back (for a Retry-After).
 */
import type { Clock } from '../clock.js';

export interface BucketRate {
  /** Most tokens held: the burst allowed after a quiet spell. */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: BucketRate,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    if (!(rate.capacity >= 1) || !(rate.perSecond > 0))
      throw new RangeError('a bucket needs capacity ≥ 1 and a positive rate');
    this.tokens = rate.capacity;
    this.updatedAt = clock.now();
  }

  /** Milliseconds until `count` tokens are there (0: now). */
  waitMs(count = 1): number {
    this.refill();
    const missing = count - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / this.rate.perSecond) * 1000);
  }

  /** Takes `count` tokens; call only after `waitMs(count)` said 0. */
  take(count = 1): void {
    this.refill();
    this.tokens -= count;
  }

  /** Full again: nothing to remember about this sender. */
  get isFull(): boolean {
    this.refill();
    return this.tokens >= this.rate.capacity;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.rate.capacity, this.tokens + elapsed * this.rate.perSecond);
    this.updatedAt = now;
  }
}
