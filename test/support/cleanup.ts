/** Teardown registered as things are made, run in reverse order after each test. */
import { afterEach } from 'vitest';

export function cleanupAfterEach(): (fn: () => Promise<unknown>) => void {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0)) await fn().catch(() => undefined);
  });
  return (fn) => {
    cleanups.unshift(fn);
  };
}
