/**
 * Time as the core sees it: injected, so previews, calls and conversations run
 * on a fake clock in unit tests (test/support/fake-clock.ts) and on the real
 * one in the app. The lab router has its own of the same shape
 * (router/clock.ts), so one fake serves both.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
