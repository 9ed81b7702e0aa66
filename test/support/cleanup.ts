/**
 * Teardown registered as things are made, run in reverse order after each test.
 *
 * `later(fn)` is a barrier: it runs alone, after everything registered after
 * it has finished (a server closes after its clients; a folder goes after what
 * writes to it). `later.peer(fn)` marks teardowns that depend on nothing
 * registered next to them (the SIP clients of one server: KW cores, agents,
 * the router): a run of consecutive peers stops together. Each graceful SIP
 * stop waits for its transactions (~2 s), so stopping four clients one by one
 * cost ~8 s a test.
 */
import { afterEach } from 'vitest';

export type Teardown = () => Promise<unknown>;

export interface Later {
  (fn: Teardown): void;
  /** A teardown that may run at the same time as the peers registered right before or after it. */
  peer(fn: Teardown): void;
}

interface Registered {
  readonly fn: Teardown;
  readonly peer: boolean;
}

export function cleanupAfterEach(): Later {
  const cleanups: Registered[] = [];
  afterEach(async () => {
    for (const batch of batches(cleanups.splice(0))) {
      await Promise.all(batch.map(({ fn }) => fn().catch(() => undefined)));
    }
  });
  return Object.assign((fn: Teardown) => void cleanups.unshift({ fn, peer: false }), {
    peer: (fn: Teardown) => void cleanups.unshift({ fn, peer: true }),
  });
}

/** Teardowns in run order, grouped: each run of consecutive peers is one batch, any other is alone. */
function batches(inRunOrder: readonly Registered[]): Registered[][] {
  const out: Registered[][] = [];
  for (const item of inRunOrder) {
    const last = out.at(-1);
    if (item.peer && last?.[0]?.peer) last.push(item);
    else out.push([item]);
  }
  return out;
}
