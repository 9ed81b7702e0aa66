/**
 * Opens the router's shared-state store from a spec: `memory` (in process, the
 * embedded default) or `redis://[user:password@]HOST:PORT/DB` (`rediss://` for
 * TLS). See README.md in this folder.
 */
import { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';
import type { RouterStore } from './types.js';

export * from './types.js';
export { MemoryStore, MemoryStoreState, type MemoryStoreOptions } from './memory-store.js';
export { DEFAULT_PREFIX, RedisStore, type RedisStoreOptions } from './redis-store.js';

export type StoreSpec = 'memory' | `redis://${string}` | `rediss://${string}`;

/** What `openStore` takes besides the spec (the Redis connection comes from the spec). */
export type OpenStoreOptions = Omit<
  RedisStoreOptions,
  'host' | 'port' | 'database' | 'username' | 'password' | 'tls'
> &
  Pick<MemoryStoreOptions, 'now'>;

/** A spec that is not `memory` or a Redis URL; the message says what is wrong. */
export class StoreSpecError extends Error {
  override readonly name = 'StoreSpecError';
}

const SPEC_HELP = 'expected "memory" or "redis://HOST:PORT/DB"';
/** Redis's own bound on `databases` is configurable; 0..(2^31-1) is what SELECT accepts. */
const MAX_DB = 2 ** 31 - 1;

/** The Redis connection a spec names, or an error naming what is wrong. */
export function parseRedisSpec(
  spec: string,
): Pick<RedisStoreOptions, 'host' | 'port' | 'database' | 'username' | 'password' | 'tls'> {
  const bad = (why: string): StoreSpecError => new StoreSpecError(`Invalid store "${redact(spec)}": ${why}`);
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw bad(`not a URL; ${SPEC_HELP}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw bad(`unknown scheme "${url.protocol.replace(/:$/, '')}"; ${SPEC_HELP}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw bad(`no host; ${SPEC_HELP}`);
  // URL drops the scheme's default port for special schemes only; redis: is not one, so "" means absent.
  if (url.port === '') throw bad(`no port; ${SPEC_HELP}`);
  const port = Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port ${url.port} is not in 1..65535`);
  const path = url.pathname.replace(/^\//, '');
  if (path === '') throw bad(`no database number; ${SPEC_HELP} (e.g. redis://127.0.0.1:6379/0)`);
  if (!/^\d+$/.test(path) || Number(path) > MAX_DB) throw bad(`database "${path}" is not a number`);
  if (url.search !== '' || url.hash !== '') throw bad('query strings and fragments are not supported');
  return {
    host,
    port,
    database: Number(path),
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: true } : {}),
  };
}

/** Opens the store; a Redis store is connected (or rejects with StoreUnavailableError `connect`). */
export async function openStore(
  spec: StoreSpec | string,
  options: OpenStoreOptions = {},
): Promise<RouterStore> {
  if (spec === 'memory') return new MemoryStore(options.now ? { now: options.now } : {});
  if (!/^rediss?:\/\//i.test(spec)) throw new StoreSpecError(`Invalid store "${redact(spec)}": ${SPEC_HELP}`);
  const { now: _now, ...redisOptions } = options;
  return RedisStore.open({ ...redisOptions, ...parseRedisSpec(spec) });
}

/** The spec without its password, for messages. */
function redact(spec: string): string {
  return spec.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
