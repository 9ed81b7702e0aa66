/**
 * InteractionLocks: one step at a time per interaction, across instances
 * (two InteractionLocks over one MemoryStoreState, as two router processes
 * over one Redis), in order within an instance, and an instance that dies in
 * a step blocks the interaction for one lease, no longer.
 */
import { describe, expect, it } from 'vitest';
import { InteractionBusyError, InteractionLocks, type Held } from '../../../router/interaction-lock.js';
import { MemoryStore, MemoryStoreState, StoreUnavailableError } from '../../../router/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';

const KEY = 'sip:rp@lab.local|0b8a3c52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';
const KEY2 = 'sip:rp@lab.local|1c9b4d63-8b2f-4d3c-8c9f-2a3b4c5d6e7f';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise that never settles: the step of an instance that died. */
const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('interaction locks: two instances', () => {
  it('steps on the same interaction from two instances never overlap', async () => {
    const state = new MemoryStoreState();
    const locks = ['A', 'B'].map(
      (instance) =>
        new InteractionLocks({
          store: new MemoryStore({ state }),
          instance,
          leaseMs: 5000,
          waitMs: 5000,
        }),
    );
    const log: string[] = [];
    const tokens: number[] = [];
    let inside = 0;
    let maxInside = 0;
    const step = (name: string) => async (held: Held) => {
      inside += 1;
      maxInside = Math.max(maxInside, inside);
      log.push(`enter ${name}`);
      tokens.push(held.token);
      // Interleave with whatever else is running (store calls are microtasks here).
      for (let i = 0; i < 3; i++) await nextTurn();
      log.push(`leave ${name}`);
      inside -= 1;
      return name;
    };
    const runs: Array<Promise<string>> = [];
    for (let i = 0; i < 4; i++) {
      runs.push(locks[0]?.withLock(KEY, step(`A${i}`)) ?? Promise.reject(new Error('no A')));
      runs.push(locks[1]?.withLock(KEY, step(`B${i}`)) ?? Promise.reject(new Error('no B')));
    }
    const results = await Promise.all(runs);
    expect(results).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'B2', 'A3', 'B3']);
    expect(maxInside).toBe(1);
    expect(log).toHaveLength(16);
    for (let i = 0; i < log.length; i += 2) {
      const entered = log[i];
      expect(entered).toMatch(/^enter /);
      expect(log[i + 1]).toBe(entered?.replace('enter', 'leave'));
    }
    // Each instance's own steps keep their order.
    const order = (prefix: string) =>
      log.filter((l) => l.startsWith(`enter ${prefix}`)).map((l) => l.slice('enter '.length));
    expect(order('A')).toEqual(['A0', 'A1', 'A2', 'A3']);
    expect(order('B')).toEqual(['B0', 'B1', 'B2', 'B3']);
    // Fencing: whoever holds the interaction later holds a token at least as high.
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
  });

  it('a finished step lets go at once: the other instance gets in without waiting for the lease', async () => {
    const clock = new FakeClock();
    const state = new MemoryStoreState();
    const sleeps: number[] = [];
    const make = (instance: string) =>
      new InteractionLocks({
        store: new MemoryStore({ state, now: () => clock.now() }),
        instance,
        leaseMs: 10_000,
        waitMs: 5000,
        sleep: (ms) => {
          sleeps.push(ms);
          clock.advance(ms);
          return nextTurn();
        },
      });
    const a = make('A');
    const b = make('B');
    const tokenA = await a.withLock(KEY, (held) => Promise.resolve(held.token));
    const started = clock.now();
    const tokenB = await b.withLock(KEY, (held) => Promise.resolve(held.token));
    expect(clock.now() - started).toBeLessThanOrEqual(2);
    expect(sleeps.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(2);
    expect(tokenB).toBeGreaterThan(tokenA);
  });

  it('a step that gave the interaction up (forgotten) leaves it free for a fresh claim', async () => {
    const state = new MemoryStoreState();
    const store = new MemoryStore({ state });
    let slept = 0;
    const make = (instance: string) =>
      new InteractionLocks({
        store: new MemoryStore({ state }),
        instance,
        leaseMs: 10_000,
        waitMs: 5000,
        sleep: () => {
          slept += 1;
          return nextTurn();
        },
      });
    const a = make('A');
    const b = make('B');
    await a.withLock(KEY, async (held) => {
      held.forgotten = await store.releaseInteraction(KEY, held.token);
    });
    expect(state.interactions.has(KEY)).toBe(false);
    await b.withLock(KEY, () => Promise.resolve());
    expect(slept).toBe(0);
  });

  it('a holder that dies inside a step blocks the other instance for one lease, no longer', async () => {
    const clock = new FakeClock();
    const state = new MemoryStoreState();
    const leaseMs = 2000;
    const make = (instance: string) =>
      new InteractionLocks({
        store: new MemoryStore({ state, now: () => clock.now() }),
        instance,
        leaseMs,
        waitMs: 60_000,
        // The back-off waits on the fake clock the leases expire on.
        sleep: (ms) => {
          clock.advance(ms);
          return nextTurn();
        },
      });
    const a = make('A');
    const b = make('B');
    let deadToken = 0;
    const aEntered = clock.now();
    void a.withLock(KEY, (held) => {
      deadToken = held.token;
      return never();
    });
    await nextTurn();
    expect(deadToken).toBeGreaterThan(0);

    let bEntered: number | undefined;
    const token = await b.withLock(KEY, (held) => {
      bEntered = clock.now();
      return Promise.resolve(held.token);
    });
    expect(bEntered).toBeDefined();
    const blocked = (bEntered ?? 0) - aEntered;
    expect(blocked).toBeGreaterThanOrEqual(leaseMs);
    // No longer than the lease plus one back-off pause (at most 50 ms).
    expect(blocked).toBeLessThanOrEqual(leaseMs + 50);
    // The dead step's token is fenced off: nothing it might still write is taken.
    expect(token).toBeGreaterThan(deadToken);
    const store = new MemoryStore({ state, now: () => clock.now() });
    expect(await store.saveInteraction(KEY, deadToken, { stale: true })).toBe(false);
    expect(await store.renewLease(KEY, 'A', deadToken, 1000)).toBe(false);
    expect(await store.saveInteraction(KEY, token, { fresh: true })).toBe(true);
  });

  it('waiting longer than waitMs for the other instance: InteractionBusyError naming the holder, the step never runs', async () => {
    const clock = new FakeClock();
    const state = new MemoryStoreState();
    const make = (instance: string, waitMs: number) =>
      new InteractionLocks({
        store: new MemoryStore({ state, now: () => clock.now() }),
        instance,
        leaseMs: 60_000,
        waitMs,
      });
    void make('A', 1000).withLock(KEY, never);
    await nextTurn();
    let ran = false;
    const started = Date.now();
    const error: unknown = await make('B', 60)
      .withLock(KEY, () => {
        ran = true;
        return Promise.resolve();
      })
      .catch((e: unknown) => e);
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(InteractionBusyError);
    expect(error).toMatchObject({ key: KEY, holder: 'A' });
    expect(ran).toBe(false);
    expect(waited).toBeGreaterThanOrEqual(55);
    expect(waited).toBeLessThan(1000);
  });
});

describe('interaction locks: one instance', () => {
  it('steps on one interaction run one after the other, in the order they came', async () => {
    const locks = new InteractionLocks({
      store: new MemoryStore(),
      instance: 'A',
      leaseMs: 5000,
      waitMs: 1000,
    });
    const log: string[] = [];
    // The first steps take the longest: if they ran side by side the later ones would finish first.
    const runs = [0, 1, 2, 3].map((i) =>
      locks.withLock(KEY, async () => {
        log.push(`enter ${i}`);
        await realSleep((4 - i) * 5);
        log.push(`leave ${i}`);
        return i;
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(log).toEqual([
      'enter 0',
      'leave 0',
      'enter 1',
      'leave 1',
      'enter 2',
      'leave 2',
      'enter 3',
      'leave 3',
    ]);
  });

  it('a step that fails rejects its caller and does not stop the next one', async () => {
    const locks = new InteractionLocks({
      store: new MemoryStore(),
      instance: 'A',
      leaseMs: 5000,
      waitMs: 1000,
    });
    const first = locks.withLock(KEY, () => Promise.reject(new Error('step failed')));
    const second = locks.withLock(KEY, () => Promise.resolve('second'));
    await expect(first).rejects.toThrow('step failed');
    expect(await second).toBe('second');
  });

  it('steps on different interactions do not wait for each other', async () => {
    const locks = new InteractionLocks({
      store: new MemoryStore(),
      instance: 'A',
      leaseMs: 5000,
      waitMs: 1000,
    });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The step on KEY waits for the step on KEY2: it would never finish if they were serialized.
    const first = locks.withLock(KEY, () => gate.then(() => 'first'));
    const second = locks.withLock(KEY2, () => {
      open();
      return Promise.resolve('second');
    });
    const timeout = realSleep(1000).then(() => 'timed out');
    expect(await Promise.race([Promise.all([first, second]), timeout])).toEqual(['first', 'second']);
  });

  it('the store unavailable when claiming: the step is refused with StoreUnavailableError and never runs', async () => {
    const store = new MemoryStore();
    await store.close();
    const locks = new InteractionLocks({ store, instance: 'A', leaseMs: 5000, waitMs: 1000 });
    let ran = false;
    await expect(
      locks.withLock(KEY, () => {
        ran = true;
        return Promise.resolve();
      }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(ran).toBe(false);
  });
});
