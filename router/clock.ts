/**
 * Time as the engine sees it: injected, so the state machine runs on a fake
 * clock in unit tests (test/support/fake-clock.ts) and on the real one in the
 * router. Same shape as the KW core's clock (main/core/clock.ts, which the lab
 * may not import), so one fake serves both.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type CancelTimer = () => void;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Starts a timer and returns the function that cancels it. */
export function startTimer(clock: Clock, ms: number, fn: () => void): CancelTimer {
  const handle = clock.setTimeout(fn, ms);
  return () => clock.clearTimeout(handle);
}
