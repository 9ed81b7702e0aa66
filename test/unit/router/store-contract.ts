/**
 * The contract of `RouterStore` (router/store/types.ts), run against every
 * implementation: memory (test/unit/router/memory-store.test.ts) and a real
 * Redis (test/integration/router-store.redis.test.ts).
 *
 * `makeStore(namespace)` opens a handle on the store's state for that
 * namespace; two handles on the same namespace share the state, as two router
 * instances share one Redis (for Redis: two connections). Each test gets a
 * namespace of its own. No assertion is about time: lease expiry is waited
 * for as a condition.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StoreUnavailableError,
  type FencingToken,
  type RouterStore,
  type RoutingState,
} from '../../../router/store/index.js';

export type MakeStore = (namespace: string) => Promise<RouterStore>;

/** Polls `fn` until it returns something other than undefined (bounded by the test's timeout). */
export async function until<T>(fn: () => Promise<T | undefined>, intervalMs = 10): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const KW = 'sip:kw1@lab.local';
const KW2 = 'sip:kw2@lab.local';
const LONG_LEASE = 60_000;
const SHORT_LEASE = 30;

export function defineStoreContract(name: string, makeStore: MakeStore): void {
  describe(`RouterStore contract: ${name}`, () => {
    const opened: RouterStore[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    /** A fresh namespace and one handle on it. */
    async function store(): Promise<RouterStore> {
      const s = await makeStore(randomUUID());
      opened.push(s);
      return s;
    }
    /** A fresh namespace and two handles on it: two instances sharing the state. */
    async function stores(): Promise<[RouterStore, RouterStore]> {
      const ns = randomUUID();
      const a = await makeStore(ns);
      opened.push(a);
      const b = await makeStore(ns);
      opened.push(b);
      return [a, b];
    }

    /** Claims with a short lease, then waits until another instance can take over. */
    async function expiredClaim(a: RouterStore, b: RouterStore, id: string) {
      const claim = await a.claimInteraction(id, 'A', SHORT_LEASE);
      if (!claim.owner) throw new Error('claim failed');
      const taken = await until(async () => {
        const r = await b.takeOver(id, 'B', LONG_LEASE);
        return r.owner ? r : undefined;
      });
      return { oldToken: claim.token, taken };
    }

    describe('reservations', () => {
      it('refuses a reservation once the KW holds `capacity`, and reports the load', async () => {
        const s = await store();
        const results = [];
        for (let i = 0; i < 5; i++) results.push(await s.reserve(KW, `i${i}`, 3));
        expect(results.filter((r) => r.ok)).toHaveLength(3);
        expect(results.slice(3)).toEqual([
          { ok: false, load: 3 },
          { ok: false, load: 3 },
        ]);
        expect(await s.load(KW)).toBe(3);
        expect(await s.load(KW2)).toBe(0);
        expect(await s.reserve(KW2, 'i0', 3)).toMatchObject({ ok: true });
        expect(await s.reserve(KW2, 'x', 0)).toEqual({ ok: false, load: 1 });
      });

      it('is idempotent: the same (kw, interaction) gets the same token, also when the KW is full', async () => {
        const s = await store();
        const first = await s.reserve(KW, 'i1', 1);
        expect(first.ok).toBe(true);
        expect(await s.reserve(KW, 'i1', 1)).toEqual(first);
        expect(await s.reserve(KW, 'i1', 0)).toEqual(first);
        expect(await s.load(KW)).toBe(1);
        expect(await s.reserve(KW, 'i2', 1)).toEqual({ ok: false, load: 1 });
      });

      it('releases only with the token the reservation was made with', async () => {
        const s = await store();
        const r = await s.reserve(KW, 'i1', 2);
        if (!r.ok) throw new Error('not reserved');
        expect(await s.release(KW, 'i1', r.token + 1000)).toBe(false);
        expect(await s.release(KW2, 'i1', r.token)).toBe(false);
        expect(await s.load(KW)).toBe(1);
        expect(await s.release(KW, 'i1', r.token)).toBe(true);
        expect(await s.load(KW)).toBe(0);
        expect(await s.release(KW, 'i1', r.token)).toBe(false);
      });

      it('a stale token cannot release a newer reservation of the same interaction', async () => {
        const [a, b] = await stores();
        const old = await a.reserve(KW, 'i1', 1);
        if (!old.ok) throw new Error('not reserved');
        expect(await a.release(KW, 'i1', old.token)).toBe(true);
        const fresh = await b.reserve(KW, 'i1', 1);
        if (!fresh.ok) throw new Error('not reserved again');
        expect(fresh.token).toBeGreaterThan(old.token);
        // The late instance still holds the old token.
        expect(await a.release(KW, 'i1', old.token)).toBe(false);
        expect(await b.load(KW)).toBe(1);
        expect(await a.release(KW, 'i1', fresh.token)).toBe(true);
      });

      it('never exceeds capacity when two instances race for the same KWs', async () => {
        const [a, b] = await stores();
        const kws = Array.from({ length: 5 }, (_, i) => `sip:race${i}@lab.local`);
        const kw = (i: number): string => `sip:race${i % kws.length}@lab.local`;
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            (i % 2 ? a : b).reserve(kw(i), `ix${i}`, 2).then((r) => ({ kw: kw(i), r })),
          ),
        );
        expect(results.filter(({ r }) => r.ok)).toHaveLength(10);
        for (const k of kws) {
          expect(await a.load(k)).toBe(2);
          expect(results.filter((x) => x.kw === k && x.r.ok)).toHaveLength(2);
        }
        for (const { r } of results) if (!r.ok) expect(r.load).toBe(2);
      });
    });

    describe('fencing tokens', () => {
      it('strictly increase over reservations, claims and takeovers, across instances', async () => {
        const [a, b] = await stores();
        const tokens: FencingToken[] = [];
        const take = (t: FencingToken | undefined): void => {
          if (t === undefined) throw new Error('no token');
          tokens.push(t);
        };
        for (let i = 0; i < 4; i++) {
          const s = i % 2 ? a : b;
          const r = await s.reserve(`sip:t${i}@lab.local`, `r${i}`, 1);
          take(r.ok ? r.token : undefined);
          const c = await s.claimInteraction(`c${i}`, `inst${i}`, LONG_LEASE);
          take(c.owner ? c.token : undefined);
        }
        const { oldToken, taken } = await expiredClaim(a, b, 'expiring');
        take(oldToken);
        take(taken.token);
        const last = await a.reserve(KW, 'after', 1);
        take(last.ok ? last.token : undefined);
        for (const [i, t] of tokens.entries())
          if (i > 0) expect(t).toBeGreaterThan(tokens[i - 1] ?? Infinity);
        for (const t of tokens) expect(Number.isSafeInteger(t) && t > 0).toBe(true);
      });

      it('are unique when instances draw them concurrently', async () => {
        const [a, b] = await stores();
        const draws = await Promise.all(
          Array.from({ length: 100 }, async (_, i) => {
            const s = i % 2 ? a : b;
            if (i % 3 === 0) {
              const c = await s.claimInteraction(`ix${i}`, `inst${i % 2}`, LONG_LEASE);
              return c.owner ? c.token : -1;
            }
            const r = await s.reserve(`sip:u${i}@lab.local`, `ix${i}`, 1);
            return r.ok ? r.token : -1;
          }),
        );
        expect(draws).not.toContain(-1);
        expect(new Set(draws).size).toBe(draws.length);
      });
    });

    describe('interaction ownership', () => {
      it('the first claimer owns the interaction; others learn the holder; the owner may claim again', async () => {
        const [a, b] = await stores();
        const first = await a.claimInteraction('i1', 'A', LONG_LEASE);
        expect(first).toMatchObject({ owner: true });
        expect(await b.claimInteraction('i1', 'B', LONG_LEASE)).toEqual({ owner: false, holder: 'A' });
        expect(await b.claimInteraction('i1', 'A', LONG_LEASE)).toEqual(first);
      });

      it('exactly one of many concurrent claimers wins', async () => {
        const [a, b] = await stores();
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? a : b).claimInteraction('contended', `inst${i}`, LONG_LEASE),
          ),
        );
        const winners = results.flatMap((r, i) => (r.owner ? [`inst${i}`] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) if (!r.owner) expect(r.holder).toBe(winners[0]);
      });

      it('renews only for the owner with the current token', async () => {
        const [a, b] = await stores();
        const c = await a.claimInteraction('i1', 'A', LONG_LEASE);
        if (!c.owner) throw new Error('not owner');
        expect(await a.renewLease('i1', 'A', c.token, LONG_LEASE)).toBe(true);
        expect(await b.renewLease('i1', 'B', c.token, LONG_LEASE)).toBe(false);
        expect(await a.renewLease('i1', 'A', c.token + 1, LONG_LEASE)).toBe(false);
        expect(await a.renewLease('unknown', 'A', c.token, LONG_LEASE)).toBe(false);
      });

      it('refuses a takeover while the lease is live, and of an interaction nobody claimed', async () => {
        const [a, b] = await stores();
        const c = await a.claimInteraction('i1', 'A', LONG_LEASE);
        expect(c.owner).toBe(true);
        expect(await b.takeOver('i1', 'B', LONG_LEASE)).toEqual({ owner: false, holder: 'A' });
        expect(await b.takeOver('never-claimed', 'B', LONG_LEASE)).toEqual({ owner: false, holder: null });
        // Still A's.
        expect(await b.claimInteraction('i1', 'B', LONG_LEASE)).toEqual({ owner: false, holder: 'A' });
      });

      it('allows a takeover once the lease expired; the old token is refused from then on', async () => {
        const [a, b] = await stores();
        const { oldToken, taken } = await expiredClaim(a, b, 'i1');
        expect(taken.previous).toBe('A');
        expect(taken.token).toBeGreaterThan(oldToken);

        expect(await a.saveInteraction('i1', oldToken, { by: 'A' })).toBe(false);
        expect(await a.renewLease('i1', 'A', oldToken, LONG_LEASE)).toBe(false);
        expect(await a.releaseInteraction('i1', oldToken)).toBe(false);
        expect(await a.claimInteraction('i1', 'A', LONG_LEASE)).toEqual({ owner: false, holder: 'B' });

        expect(await b.saveInteraction('i1', taken.token, { by: 'B' })).toBe(true);
        expect(await a.loadInteraction('i1')).toEqual({ by: 'B' });
        expect(await b.renewLease('i1', 'B', taken.token, LONG_LEASE)).toBe(true);
        // B's lease is live: nobody takes it from B.
        expect(await a.takeOver('i1', 'A', LONG_LEASE)).toEqual({ owner: false, holder: 'B' });
      });

      it('a record written before a takeover stays readable; only the new owner may replace it', async () => {
        const [a, b] = await stores();
        const c = await a.claimInteraction('i1', 'A', SHORT_LEASE);
        if (!c.owner) throw new Error('not owner');
        expect(await a.saveInteraction('i1', c.token, { phase: 'routing', offers: ['kw1'] })).toBe(true);
        const taken = await until(async () => {
          const r = await b.takeOver('i1', 'B', LONG_LEASE);
          return r.owner ? r : undefined;
        });
        expect(await b.loadInteraction('i1')).toEqual({ phase: 'routing', offers: ['kw1'] });
        expect(await a.saveInteraction('i1', c.token, { phase: 'stale' })).toBe(false);
        expect(await b.saveInteraction('i1', taken.token, { phase: 'routed' })).toBe(true);
        expect(await a.loadInteraction('i1')).toEqual({ phase: 'routed' });
      });
    });

    describe('interaction records', () => {
      it('saves with the current token and loads a copy of what was saved', async () => {
        const [a, b] = await stores();
        const c = await a.claimInteraction('i1', 'A', LONG_LEASE);
        if (!c.owner) throw new Error('not owner');
        expect(await a.loadInteraction('i1')).toBeUndefined();
        const record = {
          phase: 'routed',
          kw: KW,
          attempts: 2,
          at: 1.5,
          done: false,
          note: null,
          tags: ['a', 'é'],
        };
        expect(await a.saveInteraction('i1', c.token, record)).toBe(true);
        const loaded = await b.loadInteraction('i1');
        expect(loaded).toEqual(record);
        (loaded?.tags as string[]).push('mutated');
        expect(await b.loadInteraction('i1')).toEqual(record);
      });

      it('refuses a write with a token that is not the current one, or for an unknown interaction', async () => {
        const s = await store();
        const c = await s.claimInteraction('i1', 'A', LONG_LEASE);
        if (!c.owner) throw new Error('not owner');
        expect(await s.saveInteraction('i1', c.token + 1, { x: 1 })).toBe(false);
        expect(await s.saveInteraction('unknown', c.token, { x: 1 })).toBe(false);
        expect(await s.loadInteraction('i1')).toBeUndefined();
        expect(await s.loadInteraction('unknown')).toBeUndefined();
      });

      it('forgets a released interaction, whose id may then be claimed afresh (with a higher token)', async () => {
        const [a, b] = await stores();
        const c = await a.claimInteraction('i1', 'A', LONG_LEASE);
        if (!c.owner) throw new Error('not owner');
        await a.saveInteraction('i1', c.token, { phase: 'ended' });
        expect(await a.releaseInteraction('i1', c.token + 1)).toBe(false);
        expect(await a.releaseInteraction('i1', c.token)).toBe(true);
        expect(await b.loadInteraction('i1')).toBeUndefined();
        const again = await b.claimInteraction('i1', 'B', LONG_LEASE);
        if (!again.owner) throw new Error('not claimed again');
        expect(again.token).toBeGreaterThan(c.token);
        expect(await a.saveInteraction('i1', c.token, { phase: 'stale' })).toBe(false);
        expect(await a.releaseInteraction('i1', c.token)).toBe(false);
      });
    });

    describe('deadlines', () => {
      it('claims due deadlines earliest first, leaves future ones, and returns each once', async () => {
        const s = await store();
        await s.schedule('late', 300);
        await s.schedule('early', 100);
        await s.schedule('future', 10_000);
        await s.schedule('mid', 200);
        expect(await s.claimDue(250, 10)).toEqual(['early', 'mid']);
        expect(await s.claimDue(250, 10)).toEqual([]);
        expect(await s.claimDue(300, 10)).toEqual(['late']);
        expect(await s.claimDue(9_999, 10)).toEqual([]);
        expect(await s.claimDue(10_000, 10)).toEqual(['future']);
      });

      it('claims at most `limit` at a time, the rest on the next call', async () => {
        const s = await store();
        for (let i = 0; i < 5; i++) await s.schedule(`k${i}`, 10 + i);
        expect(await s.claimDue(100, 2)).toEqual(['k0', 'k1']);
        expect(await s.claimDue(100, 2)).toEqual(['k2', 'k3']);
        expect(await s.claimDue(100, 2)).toEqual(['k4']);
      });

      it('schedule moves a deadline; cancel removes it', async () => {
        const [a, b] = await stores();
        await a.schedule('preview', 100);
        await b.schedule('preview', 5_000);
        await a.schedule('wait', 100);
        expect(await b.cancel('wait')).toBe(true);
        expect(await a.cancel('wait')).toBe(false);
        expect(await a.cancel('never')).toBe(false);
        expect(await a.claimDue(1_000, 10)).toEqual([]);
        expect(await b.claimDue(5_000, 10)).toEqual(['preview']);
        expect(await a.cancel('preview')).toBe(false);
      });

      it('gives each due key to exactly one of many concurrent claimers on two instances', async () => {
        const [a, b] = await stores();
        const keys = Array.from({ length: 120 }, (_, i) => `due${i}`);
        for (const [i, k] of keys.entries()) await (i % 2 ? a : b).schedule(k, i);
        await a.schedule('not-yet', 1_000_000);
        const batches = await Promise.all(
          Array.from({ length: 80 }, (_, i) => (i % 2 ? a : b).claimDue(500_000, 2)),
        );
        const claimed = batches.flat();
        expect(claimed).toHaveLength(keys.length);
        expect(new Set(claimed)).toEqual(new Set(keys));
        expect(await a.claimDue(500_000, 10)).toEqual([]);
        expect(await b.cancel('not-yet')).toBe(true);
      });
    });

    describe('KW state, idle-since, round robin', () => {
      it('stores the routing state and since when, shared by instances', async () => {
        const [a, b] = await stores();
        expect(await a.kwState(KW)).toBeUndefined();
        const states: RoutingState[] = [
          { kind: 'Ready' },
          { kind: 'NotReady', reason: 'on-the-phone' },
          { kind: 'LoggedOut' },
        ];
        for (const [i, state] of states.entries()) {
          await a.setKwState(KW, state, 1000 + i);
          expect(await b.kwState(KW)).toEqual({ state, sinceMs: 1000 + i });
        }
        expect(await b.kwState(KW2)).toBeUndefined();
      });

      it('keeps the later of the stored and the given last-ended time', async () => {
        const [a, b] = await stores();
        expect(await a.lastEnded(KW)).toBeUndefined();
        await a.setLastEnded(KW, 2000);
        await b.setLastEnded(KW, 1500);
        expect(await a.lastEnded(KW)).toBe(2000);
        await b.setLastEnded(KW, 2500);
        expect(await a.lastEnded(KW)).toBe(2500);
        // Independent of the routing state.
        await a.setKwState(KW, { kind: 'Ready' }, 3000);
        expect(await b.lastEnded(KW)).toBe(2500);
        expect(await b.kwState(KW)).toEqual({ state: { kind: 'Ready' }, sinceMs: 3000 });
      });

      it('keeps one round-robin cursor per routing point', async () => {
        const [a, b] = await stores();
        const rp1 = 'sip:billing@lab.local';
        const rp2 = 'sip:sales@lab.local';
        expect(await a.getCursor(rp1)).toBeUndefined();
        await a.setCursor(rp1, KW);
        await b.setCursor(rp2, KW2);
        expect(await b.getCursor(rp1)).toBe(KW);
        await b.setCursor(rp1, KW2);
        expect(await a.getCursor(rp1)).toBe(KW2);
        expect(await a.getCursor(rp2)).toBe(KW2);
      });
    });

    describe('releasing all of an interaction', () => {
      it("frees every KW the interaction holds, whatever the token, and no other interaction's", async () => {
        const [a, b] = await stores();
        const r1 = await a.reserve(KW, 'over', 2);
        const r2 = await b.reserve(KW2, 'over', 2);
        const other = await a.reserve(KW, 'other', 2);
        expect(r1.ok && r2.ok && other.ok).toBe(true);
        expect((await b.releaseAllOf('over')).sort()).toEqual([KW, KW2].sort());
        expect(await a.load(KW)).toBe(1);
        expect(await a.load(KW2)).toBe(0);
        expect(await a.releaseAllOf('over')).toEqual([]);
        // A later token release of the freed one is refused; the other interaction's still works.
        if (r1.ok) expect(await a.release(KW, 'over', r1.token)).toBe(false);
        if (other.ok) expect(await b.release(KW, 'other', other.token)).toBe(true);
        expect(await a.load(KW)).toBe(0);
        // Released one by one, the interaction no longer lists the KW.
        const again = await a.reserve(KW2, 'later', 1);
        if (again.ok) await a.release(KW2, 'later', again.token);
        expect(await b.releaseAllOf('later')).toEqual([]);
      });
    });

    describe('event stream', () => {
      it('keeps the events appended, oldest first, as JSON objects; every instance reads the same stream', async () => {
        const [a, b] = await stores();
        await a.appendEvent({ event: 'requested', interactionId: 'i1', n: 1 });
        await b.appendEvent({ event: 'routed', interactionId: 'i1', kw: 'sip:kw1@x', nested: { ok: true } });
        await a.appendEvent({ event: 'ended', interactionId: 'i1' });
        expect(await b.recentEvents(2)).toEqual([
          { event: 'routed', interactionId: 'i1', kw: 'sip:kw1@x', nested: { ok: true } },
          { event: 'ended', interactionId: 'i1' },
        ]);
        expect((await a.recentEvents(10)).map((e) => e['event'])).toEqual(['requested', 'routed', 'ended']);
        await expect(a.recentEvents(0)).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('arguments and life cycle', () => {
      it('rejects invalid arguments before doing anything', async () => {
        const s = await store();
        await expect(s.reserve('', 'i1', 1)).rejects.toBeInstanceOf(TypeError);
        await expect(s.reserve(KW, 'i1', 1.5)).rejects.toBeInstanceOf(RangeError);
        await expect(s.reserve(KW, 'i1', -1)).rejects.toBeInstanceOf(RangeError);
        await expect(s.release(KW, 'i1', 0)).rejects.toBeInstanceOf(RangeError);
        await expect(s.claimInteraction('i1', 'A', 0)).rejects.toBeInstanceOf(RangeError);
        await expect(s.claimDue(100, 0)).rejects.toBeInstanceOf(RangeError);
        await expect(s.schedule('k', Number.NaN)).rejects.toBeInstanceOf(RangeError);
        await expect(s.setKwState(KW, { kind: 'Busy' } as unknown as RoutingState, 1)).rejects.toBeInstanceOf(
          TypeError,
        );
        await expect(
          s.saveInteraction('i1', 1, [] as unknown as Record<string, never>),
        ).rejects.toBeInstanceOf(TypeError);
        expect(await s.load(KW)).toBe(0);
        expect(await s.claimDue(100, 10)).toEqual([]);
      });

      it('answers ping; once closed, every call rejects with StoreUnavailableError', async () => {
        const [a, b] = await stores();
        await a.ping();
        await a.reserve(KW, 'i1', 1);
        await a.close();
        await a.close();
        const err = await a.load(KW).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect((err as StoreUnavailableError).reason).toBe('closed');
        await expect(a.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
        // The other instance is not affected, nor the shared state.
        expect(await b.load(KW)).toBe(1);
      });
    });
  });
}
