import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../main/core/sip/backoff.js';
import { FAST_RECONNECT, FastReconnectWindow } from '../../../main/core/sip/fast-reconnect.js';
import { ConnectionRetryPolicy, REFUSED_RETRY } from '../../../main/core/sip/registration-retry.js';

const MIN = 60_000;

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now(): number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** No jitter: the waits are exactly the schedule's, so the test reads them. */
function window(clock = fakeClock()): FastReconnectWindow {
  return new FastReconnectWindow({ ...FAST_RECONNECT, jitter: 0 }, clock);
}

/** Runs rounds that all fail until the window hands over; each wait is taken in full. */
function waitsUntilClosed(w: FastReconnectWindow, clock: { advance(ms: number): void }): number[] {
  const waits: number[] = [];
  for (let delay = w.next(); delay !== undefined; delay = w.next()) {
    waits.push(delay);
    clock.advance(delay);
  }
  return waits;
}

describe('fast reconnect window', () => {
  it('after a loss: 50 ms, then every 100 ms until 10 s have passed, then it hands over', () => {
    const clock = fakeClock();
    const w = window(clock);
    w.connected();
    clock.advance(60_000);
    expect(w.lost()).toBe(true);
    expect(w.isOpen).toBe(true);
    const waits = waitsUntilClosed(w, clock);
    expect(waits.slice(0, 4)).toEqual([50, 100, 100, 100]);
    expect(new Set(waits.slice(1))).toEqual(new Set([100]));
    // 50 ms, then 100 ms each until the 10 s are over: 100 more, about 10 a second.
    expect(waits).toHaveLength(1 + 100);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(10_050);
    expect(w.isOpen).toBe(false);
  });

  it('never opens before a first connection, nor for one that lasted under a second', () => {
    const clock = fakeClock();
    const w = window(clock);
    expect(w.lost()).toBe(false);
    expect(w.next()).toBeUndefined();
    w.connected();
    clock.advance(999);
    expect(w.lost()).toBe(false);
    expect(w.isOpen).toBe(false);
    expect(w.next()).toBeUndefined();
  });

  it('a server that accepts and drops at once gets no tight loop: one loss, one window', () => {
    const clock = fakeClock();
    const w = window(clock);
    w.connected();
    clock.advance(5000);
    expect(w.lost()).toBe(true);
    // Reconnected at once, dropped again 10 ms later: JsSIP's floor applies, not the window.
    w.connected();
    clock.advance(10);
    expect(w.lost()).toBe(false);
    expect(w.next()).toBeUndefined();
  });

  it('each lasting connection lost opens a fresh window from the shortest wait', () => {
    const clock = fakeClock();
    const w = window(clock);
    w.connected();
    clock.advance(2000);
    w.lost();
    expect([w.next(), w.next(), w.next()]).toEqual([50, 100, 100]);
    w.connected();
    expect(w.isOpen).toBe(false);
    clock.advance(2000);
    expect(w.lost()).toBe(true);
    expect(w.next()).toBe(50);
  });

  it('jitter only shortens the waits, within its share', () => {
    const clock = fakeClock();
    const w = new FastReconnectWindow({ ...FAST_RECONNECT, jitter: 0.2 }, clock, () => 1);
    w.connected();
    clock.advance(2000);
    w.lost();
    expect([w.next(), w.next(), w.next()]).toEqual([40, 80, 80]);
  });
});

describe('connection retry policy with the fast window', () => {
  function policy(clock: ReturnType<typeof fakeClock>): ConnectionRetryPolicy {
    return new ConnectionRetryPolicy({
      transient: new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0 }),
      refused: new Backoff({ ...REFUSED_RETRY, jitter: 0 }),
      fast: window(clock),
    });
  }

  it('after a lost connection: short waits while recovering, then the usual backoff from its start', () => {
    const clock = fakeClock();
    const p = policy(clock);
    p.reset(); // connected
    clock.advance(30_000);
    expect(p.lost()).toBe(true);
    expect(p.recovering).toBe(true);
    let waited = 0;
    const waits: number[] = [];
    while (waited < 10_000) {
      const d = p.next(false);
      waits.push(d);
      waited += d;
      clock.advance(d);
    }
    expect(Math.max(...waits)).toBe(100);
    expect(p.recovering).toBe(false);
    expect([p.next(false), p.next(false), p.next(false)]).toEqual([1000, 2000, 4000]);
  });

  it('a refused certificate keeps the long backoff, even right after a loss', () => {
    const clock = fakeClock();
    const p = policy(clock);
    p.reset();
    clock.advance(30_000);
    p.lost();
    expect(p.next(true)).toBe(5 * MIN);
    expect(p.next(false)).toBe(50);
    expect(p.next(true)).toBe(10 * MIN);
  });

  it('without a window (never connected, or the default of the old constructor) it is the usual backoff', () => {
    const clock = fakeClock();
    const p = policy(clock);
    expect(p.lost()).toBe(false);
    expect(p.next(false)).toBe(1000);
    const plain = new ConnectionRetryPolicy({
      transient: new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0 }),
      refused: new Backoff({ ...REFUSED_RETRY, jitter: 0 }),
    });
    plain.reset();
    expect(plain.lost()).toBe(false);
    expect(plain.recovering).toBe(false);
    expect(plain.next(false)).toBe(1000);
  });
});
