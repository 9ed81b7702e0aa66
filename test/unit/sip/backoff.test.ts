import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../main/core/sip/backoff.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the maximum, without jitter', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(b.attempts).toBe(6);
  });

  it('starts again from the initial delay after reset', () => {
    const b = new Backoff({ initialMs: 50, maxMs: 400, jitter: 0 });
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(50);
  });

  it('draws jitter below the ceiling only, within the jitter share', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.2, random: () => 1 });
    const high = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.2, random: () => 0 });
    expect(low.next()).toBe(800);
    expect(high.next()).toBe(1000);
  });

  it('never exceeds the maximum, whatever the attempt count', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 30_000 });
    for (let i = 0; i < 200; i += 1) expect(b.next()).toBeLessThanOrEqual(30_000);
  });

  it('refuses nonsensical bounds', () => {
    expect(() => new Backoff({ initialMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 100, maxMs: 10 })).toThrow(RangeError);
  });
});
