import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { now, startClock } from '../../../renderer/shared/clock.js';

describe('the renderer clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not tick on import: it stands still until an entry starts it', () => {
    const before = now.value;
    vi.advanceTimersByTime(5000);
    expect(now.value).toBe(before);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ticks every 250 ms once started, whether or not anything counts down, and stops with its stopper', () => {
    const stop = startClock();
    expect(now.value).toBe(1_000_000);
    vi.advanceTimersByTime(250);
    expect(now.value).toBe(1_000_250);
    vi.advanceTimersByTime(1000);
    expect(now.value).toBe(1_001_250);
    stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(now.value).toBe(1_001_250);
  });
});
