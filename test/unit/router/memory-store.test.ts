import { describe, expect, it } from 'vitest';
import {
  MemoryStore,
  MemoryStoreState,
  StoreSpecError,
  openStore,
  parseRedisSpec,
} from '../../../router/store/index.js';
import { defineStoreContract } from './store-contract.js';

// Handles on the same namespace share one state, as router instances share one Redis.
const states = new Map<string, MemoryStoreState>();
defineStoreContract('memory', (namespace) => {
  let state = states.get(namespace);
  if (!state) {
    state = new MemoryStoreState();
    states.set(namespace, state);
  }
  return Promise.resolve(new MemoryStore({ state }));
});

describe('memory store', () => {
  it('expires leases on its injected clock', async () => {
    let now = 1_000;
    const s = new MemoryStore({ now: () => now });
    const c = await s.claimInteraction('i1', 'A', 500);
    expect(c.owner).toBe(true);
    now = 1_499;
    expect(await s.takeOver('i1', 'B', 500)).toEqual({ owner: false, holder: 'A' });
    now = 1_500;
    expect(await s.takeOver('i1', 'B', 500)).toMatchObject({ owner: true, previous: 'A' });
  });
});

describe('openStore', () => {
  it('opens the memory store for "memory"', async () => {
    const s = await openStore('memory');
    expect(s.kind).toBe('memory');
    await s.close();
  });

  it('parses redis specs', () => {
    expect(parseRedisSpec('redis://127.0.0.1:6380/2')).toEqual({
      host: '127.0.0.1',
      port: 6380,
      database: 2,
    });
    expect(parseRedisSpec('rediss://user:p%40ss@redis.example:6379/0')).toEqual({
      host: 'redis.example',
      port: 6379,
      database: 0,
      username: 'user',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisSpec('redis://[::1]:6379/0')).toMatchObject({ host: '::1' });
  });

  it.each([
    ['', /expected "memory" or "redis:\/\/HOST:PORT\/DB"/],
    ['memroy', /expected "memory" or "redis:\/\/HOST:PORT\/DB"/],
    ['http://127.0.0.1:6379/0', /expected "memory"/],
    ['redis://127.0.0.1/0', /no port/],
    ['redis://127.0.0.1:6379', /no database number/],
    ['redis://127.0.0.1:6379/', /no database number/],
    ['redis://127.0.0.1:6379/x', /database "x" is not a number/],
    ['redis://127.0.0.1:99999/0', /not a URL|not in 1\.\.65535/],
    ['redis://127.0.0.1:6379/0?timeout=1', /query strings/],
    ['redis://:6379/0', /not a URL|no host/],
  ])('refuses %j with a clear error', async (spec, message) => {
    const err = await openStore(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreSpecError);
    expect((err as Error).message).toMatch(message);
  });

  it('does not print the password of a spec it refuses', async () => {
    const err = await openStore('redis://u:secret@127.0.0.1:6379/x').catch((e: unknown) => e);
    expect((err as Error).message).not.toContain('secret');
  });
});
