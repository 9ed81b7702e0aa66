/** The renderer's clock: one signal for every countdown and timer on a page. */
import { signal } from '@preact/signals';

/**
 * The time for preview countdowns and call timers. It stands still until the
 * page's entry calls `startClock`; from then on it ticks every 250 ms for as
 * long as the page runs, whether or not anything counts down.
 */
export const now = signal(Date.now());

/** Starts `now` ticking (it jumps to the time at once); returns the stopper. */
export function startClock(intervalMs = 250): () => void {
  now.value = Date.now();
  const timer = setInterval(() => {
    now.value = Date.now();
  }, intervalMs);
  return () => clearInterval(timer);
}
