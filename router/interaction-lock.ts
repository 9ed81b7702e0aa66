/**
 * One step at a time per interaction, across instances: a step holds the
 * interaction's ownership in the store (claim, or take over an expired lease)
 * for at most `leaseMs`, and lets go by shortening its lease to 1 ms. Steps of
 * the same interaction on this instance queue locally first, so the store only
 * ever sees one of them. An instance killed in a step blocks that interaction
 * for at most `leaseMs`; every write of the step is fenced by the token, so a
 * step that outlived its lease saves nothing.
 */
import type { FencingToken, RouterStore } from './store/types.js';
import { StepGate } from './step-gate.js';

export interface LockOptions {
  readonly store: RouterStore;
  readonly instance: string;
  /** How long a step may hold an interaction before another instance may take it. */
  readonly leaseMs: number;
  /** How long to wait for another instance's step before giving up (then the caller answers 503). */
  readonly waitMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Steps at once on this instance (all interactions); default 32. */
  readonly concurrency?: number;
}

/** Another instance holds the interaction longer than `waitMs`. */
export class InteractionBusyError extends Error {
  override readonly name = 'InteractionBusyError';
  constructor(
    readonly key: string,
    readonly holder: string,
  ) {
    super(`interaction ${key} is held by ${holder}`);
  }
}

export interface Held {
  readonly token: FencingToken;
  /** The step gave the interaction up in the store (releaseInteraction): nothing to unlock. */
  forgotten: boolean;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class InteractionLocks {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly gate: StepGate;

  constructor(private readonly options: LockOptions) {
    this.gate = new StepGate(options.concurrency ?? 32);
  }

  /** Runs `fn` while holding `key`, after the steps queued before it here. */
  withLock<T>(key: string, fn: (held: Held) => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const step = (): Promise<T> => this.gate.run(() => this.locked(key, fn));
    const run = previous.then(step, step);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  private async locked<T>(key: string, fn: (held: Held) => Promise<T>): Promise<T> {
    const held: Held = { token: await this.acquire(key), forgotten: false };
    try {
      return await fn(held);
    } finally {
      if (!held.forgotten) {
        await this.options.store.renewLease(key, this.options.instance, held.token, 1).catch(() => undefined); // the lease runs out on its own
      }
    }
  }

  private async acquire(key: string): Promise<FencingToken> {
    const { store, instance, leaseMs, waitMs } = this.options;
    const sleep = this.options.sleep ?? defaultSleep;
    const started = Date.now();
    let pause = 2;
    for (;;) {
      const claim = await store.claimInteraction(key, instance, leaseMs);
      if (claim.owner) return claim.token;
      const taken = await store.takeOver(key, instance, leaseMs);
      if (taken.owner) return taken.token;
      if (Date.now() - started >= waitMs) throw new InteractionBusyError(key, claim.holder);
      await sleep(pause);
      pause = Math.min(pause * 2, 50);
    }
  }
}
