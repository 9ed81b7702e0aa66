/**
 * The Redis store against a real redis-server of its own (ephemeral port, AOF
 * on): the store contract, two router instances (two connections) racing, and
 * what the store does when Redis crashes, hangs and comes back.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  RedisStore,
  StoreUnavailableError,
  openStore,
  type RouterStore,
  type StoreSpec,
} from '../../router/store/index.js';
import { redisServerAvailable, startRedisServer, type TestRedis } from '../support/redis-server.js';
import { defineStoreContract, until } from '../unit/router/store-contract.js';

const canRun = await redisServerAvailable();

describe.runIf(canRun)('Redis router store', () => {
  let redis: TestRedis;
  const opened: RouterStore[] = [];
  const clientErrors: Error[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  /** A store on this test's Redis; `prefix` = namespace, so tests never see each other's keys. */
  async function open(prefix: string): Promise<RouterStore> {
    const s = await openStore(redis.url as StoreSpec, {
      prefix: `test:${prefix}:`,
      commandTimeoutMs: 1000,
      onError: (err) => clientErrors.push(err),
    });
    opened.push(s);
    return s;
  }

  defineStoreContract('redis', (namespace) => open(namespace));

  describe('two instances (two connections) racing', () => {
    it('500 concurrent reservations over 20 KWs of capacity 1: exactly 20 succeed, none over capacity', async () => {
      const ns = randomUUID();
      const a = await open(ns);
      const b = await open(ns);
      const kws = Array.from({ length: 20 }, (_, i) => `sip:kw${i}@lab.local`);
      const results = await Promise.all(
        Array.from({ length: 500 }, (_, i) => {
          const kw = `sip:kw${i % kws.length}@lab.local`;
          return (i % 2 ? a : b).reserve(kw, `ix-${i}`, 1).then((r) => ({ kw, r }));
        }),
      );
      const won = results.filter(({ r }) => r.ok);
      expect(won).toHaveLength(20);
      expect(new Set(won.map(({ kw }) => kw)).size).toBe(20);
      const tokens = won.map(({ r }) => (r.ok ? r.token : -1));
      expect(new Set(tokens).size).toBe(20);
      for (const { r } of results) if (!r.ok) expect(r.load).toBe(1);
      // Read back by a third connection: no KW over capacity.
      const c = await open(ns);
      const loads = await Promise.all(kws.map((kw) => c.load(kw)));
      expect(loads.filter((l) => l > 1)).toEqual([]);
      expect(loads.reduce((x, y) => x + y, 0)).toBe(20);
    });

    it('200 concurrent claimDue calls over 300 due keys: each key returned exactly once', async () => {
      const ns = randomUUID();
      const a = await open(ns);
      const b = await open(ns);
      const keys = Array.from({ length: 300 }, (_, i) => `deadline-${i}`);
      await Promise.all(keys.map((k, i) => (i % 2 ? a : b).schedule(k, 1_000 + i)));
      await a.schedule('later', 1_000_000);
      const batches = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).claimDue(10_000, 2)),
      );
      const claimed = batches.flat();
      expect(claimed).toHaveLength(300);
      expect(new Set(claimed).size).toBe(300);
      expect(new Set(claimed)).toEqual(new Set(keys));
      expect(await b.claimDue(10_000, 10)).toEqual([]);
      expect(await b.claimDue(1_000_000, 10)).toEqual(['later']);
    });
  });

  describe('when Redis fails', () => {
    async function waitUntilAnswering(s: RouterStore): Promise<void> {
      await until(
        () =>
          s.ping().then(
            () => true,
            () => undefined,
          ),
        50,
      );
    }

    it('killed (-9): calls reject with StoreUnavailableError; after a restart the AOF brought the reservations back', async () => {
      const ns = randomUUID();
      const s = await open(ns);
      const kept = await s.reserve('sip:kw1@lab.local', 'kept', 2);
      if (!kept.ok) throw new Error('not reserved');
      const claim = await s.claimInteraction('ix-1', 'A', 60_000);
      if (!claim.owner) throw new Error('not claimed');
      expect(await s.saveInteraction('ix-1', claim.token, { phase: 'routed' })).toBe(true);

      await redis.kill9();
      const outcomes = await Promise.allSettled([
        s.reserve('sip:kw1@lab.local', 'during-outage', 2),
        s.load('sip:kw1@lab.local'),
        s.claimDue(Date.now(), 10),
        s.ping(),
      ]);
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(StoreUnavailableError);
      }
      const err = await s.load('sip:kw1@lab.local').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as StoreUnavailableError).retryAfterSeconds).toBeGreaterThan(0);

      await redis.restart();
      await waitUntilAnswering(s);
      expect(await s.load('sip:kw1@lab.local')).toBe(1);
      expect(await s.reserve('sip:kw1@lab.local', 'kept', 2)).toEqual(kept);
      expect(await s.loadInteraction('ix-1')).toEqual({ phase: 'routed' });
      expect(await s.renewLease('ix-1', 'A', claim.token, 60_000)).toBe(true);
      // The counter survived too: new tokens are still higher.
      const after = await s.reserve('sip:kw1@lab.local', 'after-restart', 2);
      expect(after.ok && after.token > claim.token).toBe(true);
      expect(await s.release('sip:kw1@lab.local', 'kept', kept.token)).toBe(true);
      // The client's errors went to onError, not to an unhandled 'error' event.
      expect(clientErrors.length).toBeGreaterThan(0);
    });

    it('hung (SIGSTOP): a call in flight rejects with StoreUnavailableError (timeout) instead of hanging', async () => {
      const s = await open(randomUUID());
      await s.reserve('sip:kw1@lab.local', 'a', 1);
      redis.freeze();
      try {
        const err = await s.load('sip:kw1@lab.local').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect((err as StoreUnavailableError).reason).toBe('timeout');
      } finally {
        redis.thaw();
      }
      await waitUntilAnswering(s);
      expect(await s.load('sip:kw1@lab.local')).toBe(1);
    });

    it('no Redis at the address: opening rejects with StoreUnavailableError (connect)', async () => {
      const other = await startRedisServer();
      const url = other.url;
      await other.stop();
      const err = await RedisStore.open({
        host: '127.0.0.1',
        port: Number(new URL(url).port),
        database: 0,
        connectTimeoutMs: 300,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as StoreUnavailableError).reason).toBe('connect');
    });
  });
});
