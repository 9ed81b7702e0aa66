/**
 * The Redis store: the router's shared state in one Redis database (a single
 * primary, with or without replicas/Sentinel; not Redis Cluster: scripts touch
 * keys of several slots). Every read-modify-write is one Lua script (EVALSHA,
 * falling back to EVAL when the server's script cache is empty, e.g. after a
 * restart), so it is atomic across instances. Key layout and scripts: README.md
 * in this folder.
 *
 * Time: deadlines and states carry the caller's epoch-ms times (`atMs`,
 * `nowMs`, `sinceMs`), so instances must keep their clocks in sync (NTP);
 * leases are `SET … PX leaseMs`, expired by Redis on its own clock, so a lease
 * does not depend on any instance's clock. No script reads `TIME`.
 *
 * Failure: commands are never queued while disconnected (they reject at
 * once) and time out after `commandTimeoutMs`, also once sent; both, and any
 * transport error, reject with `StoreUnavailableError`. The client reconnects
 * in the background with capped backoff (never giving up once connected); its
 * `error` events go to `onError`, never unhandled.
 */
import { createHash } from 'node:crypto';
import { ErrorReply, TimeoutError, TimeoutReadError, createClient } from 'redis';
import {
  EVENT_STREAM_MAX,
  StoreError,
  StoreUnavailableError,
  type ClaimResult,
  type EventPage,
  type FencingToken,
  type JsonObject,
  type KwStateRecord,
  type ReserveResult,
  type RouterStore,
  type RoutingState,
  type TakeOverResult,
} from './types.js';
import {
  MAX_CLAIM_LIMIT,
  checkInt,
  checkLease,
  checkName,
  checkRecord,
  checkRoutingState,
  checkTime,
  checkToken,
  isJsonObject,
  isRoutingState,
} from './validate.js';

export interface RedisStoreOptions {
  readonly host: string;
  readonly port: number;
  readonly database: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: boolean;
  /** Namespace of every key (default `kwr:`), so deployments and tests can share a Redis. */
  readonly prefix?: string;
  /** A command without its reply by then rejects (StoreUnavailableError `timeout`); default 1000. */
  readonly commandTimeoutMs?: number;
  /** The first connection gives up after this long (StoreUnavailableError `connect`); default 5000. */
  readonly connectTimeoutMs?: number;
  /** Reconnect backoff: 50 ms doubling up to this (plus ≤ 10 % jitter); default 1000. */
  readonly maxReconnectDelayMs?: number;
  /** The client's errors (each failed reconnect included); default: ignored. */
  readonly onError?: (err: Error) => void;
}

export const DEFAULT_PREFIX = 'kwr:';
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 1000;

/** Server errors that mean "not now" rather than "wrong": the call may be retried later. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|OOM)\b/;

interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function script(name: string, source: string): Script {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * The scripts. Tokens are stored as decimal strings and compared as strings:
 * the caller passes `String(token)`, INCR's integer is stored by HSET as the
 * same decimal text.
 */
const SCRIPTS = {
  /** KEYS: res:{kw}, fence, resby:{id}. ARGV: interactionId, capacity, kw. → {1, token} | {0, load} */
  reserve: script(
    'reserve',
    `local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then return {1, tonumber(held)} end
local load = redis.call('HLEN', KEYS[1])
if load >= tonumber(ARGV[2]) then return {0, load} end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], token)
redis.call('SADD', KEYS[3], ARGV[3])
return {1, token}`,
  ),
  /** KEYS: res:{kw}, resby:{id}. ARGV: interactionId, token, kw. → 1 | 0 */
  release: script(
    'release',
    `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[3])
  return 1
end
return 0`,
  ),
  /**
   * KEYS: resby:{id}. ARGV: interactionId, the res: key prefix. → the KWs freed.
   * Touches res:{kw} keys it reads from the set (single Redis primary, not Cluster).
   */
  releaseAll: script(
    'releaseAll',
    `local kws = redis.call('SMEMBERS', KEYS[1])
for _, kw in ipairs(kws) do redis.call('HDEL', ARGV[2] .. kw, ARGV[1]) end
redis.call('DEL', KEYS[1])
return kws`,
  ),
  /** KEYS: ix:{id}, lease:{id}, fence. ARGV: instance, leaseMs. → {1, token} | {0, holder} */
  claim: script(
    'claim',
    `local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then
  if owner ~= ARGV[1] then return {0, owner} end
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return {1, tonumber(redis.call('HGET', KEYS[1], 'token'))}
end
local token = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {1, token}`,
  ),
  /** KEYS: ix:{id}, lease:{id}. ARGV: instance, token, leaseMs. → 1 | 0 */
  renew: script(
    'renew',
    `local cur = redis.call('HMGET', KEYS[1], 'owner', 'token')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
  return 1
end
return 0`,
  ),
  /** KEYS: ix:{id}, lease:{id}, fence. ARGV: instance, leaseMs. → {1, token, previous} | {0, holder} | {0} */
  takeOver: script(
    'takeOver',
    `local previous = redis.call('HGET', KEYS[1], 'owner')
if not previous then return {0} end
local holder = redis.call('GET', KEYS[2])
if holder then return {0, holder} end
local token = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {1, token, previous}`,
  ),
  /** KEYS: ix:{id}. ARGV: token, record JSON. → 1 | 0 */
  save: script(
    'save',
    `if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'record', ARGV[2])
  return 1
end
return 0`,
  ),
  /** KEYS: ix:{id}, lease:{id}. ARGV: token. → 1 | 0 */
  drop: script(
    'drop',
    `if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0`,
  ),
  /** KEYS: due. ARGV: nowMs, limit. → the keys claimed, earliest first */
  claimDue: script(
    'claimDue',
    `local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, key in ipairs(keys) do redis.call('ZREM', KEYS[1], key) end
return keys`,
  ),
  /** KEYS: kw:{kw}. ARGV: field, ms. Keeps the larger value. → 1 if written */
  setMax: script(
    'setMax',
    `local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and tonumber(cur) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`,
  ),
} as const;

/** Doubles as Redis writes them back; JS's String() round-trips exactly. */
const num = (n: number): string => String(n);

function connectClient(options: RedisStoreOptions, onError: (err: Error) => void) {
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxDelay = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
  const started = Date.now();
  let everReady = false;
  const client = createClient({
    socket: {
      host: options.host,
      port: options.port,
      ...(options.tls ? { tls: true as const } : {}),
      connectTimeout: Math.min(commandTimeoutMs, connectTimeoutMs),
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!everReady && Date.now() - started >= connectTimeoutMs) {
          return new StoreUnavailableError('connect', `cannot connect to Redis: ${cause.message}`, { cause });
        }
        const delay = Math.min(50 * 2 ** Math.min(retries, 16), maxDelay);
        return Math.round(delay + Math.random() * delay * 0.1);
      },
    },
    database: options.database,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    // Fail fast while disconnected instead of queueing until Redis is back.
    disableOfflineQueue: true,
    // The timeout also covers a command already sent (a hung server); see the module comment.
    commandOptions: { timeout: commandTimeoutMs, rejectInFlight: true },
    // Redis Enterprise maintenance hints and CLIENT SETINFO (7.2+) are not needed.
    maintNotifications: 'disabled',
    disableClientInfo: true,
  });
  client.on('error', (err: unknown) => onError(err instanceof Error ? err : new Error(String(err))));
  client.on('ready', () => {
    everReady = true;
  });
  return client;
}

type Client = ReturnType<typeof connectClient>;

export class RedisStore implements RouterStore {
  readonly kind = 'redis';
  private readonly prefix: string;
  private closed = false;

  private constructor(
    private readonly client: Client,
    prefix: string,
  ) {
    this.prefix = prefix;
  }

  /** Connects (bounded by `connectTimeoutMs`); rejects with StoreUnavailableError `connect`. */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    checkName('prefix', prefix);
    const onError = options.onError ?? (() => undefined);
    const client = connectClient(options, onError);
    try {
      await client.connect();
    } catch (err) {
      client.destroy();
      if (err instanceof StoreUnavailableError) throw err;
      const cause = (err as { originalError?: unknown }).originalError ?? err;
      if (cause instanceof StoreUnavailableError) throw cause;
      throw new StoreUnavailableError('connect', `cannot connect to Redis: ${String(err)}`, { cause: err });
    }
    return new RedisStore(client, prefix);
  }

  private key(kind: string, name?: string): string {
    return name === undefined ? `${this.prefix}${kind}` : `${this.prefix}${kind}:${name}`;
  }

  /** Runs one call, turning client failures into StoreUnavailableError / StoreError. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('closed', 'the store is closed');
    try {
      return await fn();
    } catch (err) {
      throw this.translate(what, err);
    }
  }

  private translate(what: string, err: unknown): Error {
    if (err instanceof StoreUnavailableError || err instanceof StoreError) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ErrorReply) {
      if (TRANSIENT_REPLY.test(message)) {
        return new StoreUnavailableError('server', `${what}: Redis is not available (${message})`, {
          cause: err,
        });
      }
      return new StoreError(`${what}: Redis refused: ${message}`, { cause: err });
    }
    if (err instanceof TimeoutError || err instanceof TimeoutReadError) {
      return new StoreUnavailableError('timeout', `${what}: Redis did not answer in time`, { cause: err });
    }
    if (this.closed) return new StoreUnavailableError('closed', 'the store is closed', { cause: err });
    return new StoreUnavailableError('disconnected', `${what}: Redis is unreachable (${message})`, {
      cause: err,
    });
  }

  /** EVALSHA, then EVAL when the server does not know the script (first use, restart). */
  private async run(s: Script, keys: string[], args: string[]): Promise<unknown> {
    return this.call(s.name, async () => {
      try {
        return await this.client.evalSha(s.sha, { keys, arguments: args });
      } catch (err) {
        if (!(err instanceof ErrorReply) || !err.message.startsWith('NOSCRIPT')) throw err;
        return await this.client.eval(s.source, { keys, arguments: args });
      }
    });
  }

  async reserve(kw: string, interactionId: string, capacity: number): Promise<ReserveResult> {
    checkName('kw', kw);
    checkName('interactionId', interactionId);
    checkInt('capacity', capacity, 0);
    const reply = await this.run(
      SCRIPTS.reserve,
      [this.key('res', kw), this.key('fence'), this.key('resby', interactionId)],
      [interactionId, num(capacity), kw],
    );
    const [ok, n] = tuple('reserve', reply, 2);
    return int('reserve', ok) === 1
      ? { ok: true, token: int('reserve', n) }
      : { ok: false, load: int('reserve', n) };
  }

  async release(kw: string, interactionId: string, token: FencingToken): Promise<boolean> {
    checkName('kw', kw);
    checkName('interactionId', interactionId);
    checkToken(token);
    const reply = await this.run(
      SCRIPTS.release,
      [this.key('res', kw), this.key('resby', interactionId)],
      [interactionId, num(token), kw],
    );
    return int('release', reply) === 1;
  }

  async releaseAllOf(interactionId: string): Promise<string[]> {
    checkName('interactionId', interactionId);
    const reply = await this.run(
      SCRIPTS.releaseAll,
      [this.key('resby', interactionId)],
      [interactionId, `${this.key('res')}:`],
    );
    if (!Array.isArray(reply)) throw unexpected('releaseAllOf', reply);
    return reply.map((kw) => str('releaseAllOf', kw));
  }

  async load(kw: string): Promise<number> {
    checkName('kw', kw);
    return int('load', await this.call('load', () => this.client.hLen(this.key('res', kw))));
  }

  async claimInteraction(interactionId: string, instance: string, leaseMs: number): Promise<ClaimResult> {
    checkName('interactionId', interactionId);
    checkName('instance', instance);
    checkLease(leaseMs);
    const reply = await this.run(
      SCRIPTS.claim,
      [this.key('ix', interactionId), this.key('lease', interactionId), this.key('fence')],
      [instance, num(leaseMs)],
    );
    const [ok, v] = tuple('claim', reply, 2);
    return int('claim', ok) === 1
      ? { owner: true, token: int('claim', v) }
      : { owner: false, holder: str('claim', v) };
  }

  async renewLease(
    interactionId: string,
    instance: string,
    token: FencingToken,
    leaseMs: number,
  ): Promise<boolean> {
    checkName('interactionId', interactionId);
    checkName('instance', instance);
    checkToken(token);
    checkLease(leaseMs);
    const reply = await this.run(
      SCRIPTS.renew,
      [this.key('ix', interactionId), this.key('lease', interactionId)],
      [instance, num(token), num(leaseMs)],
    );
    return int('renew', reply) === 1;
  }

  async takeOver(interactionId: string, instance: string, leaseMs: number): Promise<TakeOverResult> {
    checkName('interactionId', interactionId);
    checkName('instance', instance);
    checkLease(leaseMs);
    const reply = await this.run(
      SCRIPTS.takeOver,
      [this.key('ix', interactionId), this.key('lease', interactionId), this.key('fence')],
      [instance, num(leaseMs)],
    );
    if (!Array.isArray(reply) || reply.length === 0) throw unexpected('takeOver', reply);
    if (int('takeOver', reply[0]) === 1) {
      const [, token, previous] = tuple('takeOver', reply, 3);
      return { owner: true, token: int('takeOver', token), previous: str('takeOver', previous) };
    }
    return { owner: false, holder: reply.length > 1 ? str('takeOver', reply[1]) : null };
  }

  async saveInteraction(interactionId: string, token: FencingToken, record: JsonObject): Promise<boolean> {
    checkName('interactionId', interactionId);
    checkToken(token);
    const json = checkRecord(record);
    const reply = await this.run(SCRIPTS.save, [this.key('ix', interactionId)], [num(token), json]);
    return int('saveInteraction', reply) === 1;
  }

  async loadInteraction(interactionId: string): Promise<JsonObject | undefined> {
    checkName('interactionId', interactionId);
    const json = await this.call('loadInteraction', () =>
      this.client.hGet(this.key('ix', interactionId), 'record'),
    );
    if (json === null || json === undefined) return undefined;
    const value = parseJson('loadInteraction', str('loadInteraction', json));
    if (!isJsonObject(value)) throw unexpected('loadInteraction', json);
    return value;
  }

  async releaseInteraction(interactionId: string, token: FencingToken): Promise<boolean> {
    checkName('interactionId', interactionId);
    checkToken(token);
    const reply = await this.run(
      SCRIPTS.drop,
      [this.key('ix', interactionId), this.key('lease', interactionId)],
      [num(token)],
    );
    return int('releaseInteraction', reply) === 1;
  }

  async schedule(key: string, atMs: number): Promise<void> {
    checkName('key', key);
    checkTime('atMs', atMs);
    await this.call('schedule', () => this.client.zAdd(this.key('due'), { score: atMs, value: key }));
  }

  async cancel(key: string): Promise<boolean> {
    checkName('key', key);
    return int('cancel', await this.call('cancel', () => this.client.zRem(this.key('due'), key))) === 1;
  }

  async claimDue(nowMs: number, limit: number): Promise<string[]> {
    checkTime('nowMs', nowMs);
    checkInt('limit', limit, 1, MAX_CLAIM_LIMIT);
    const reply = await this.run(SCRIPTS.claimDue, [this.key('due')], [num(nowMs), num(limit)]);
    if (!Array.isArray(reply)) throw unexpected('claimDue', reply);
    return reply.map((k: unknown) => str('claimDue', k));
  }

  async setKwState(kw: string, state: RoutingState, sinceMs: number): Promise<void> {
    checkName('kw', kw);
    const json = checkRoutingState(state);
    checkTime('sinceMs', sinceMs);
    // One HSET: both fields change together.
    await this.call('setKwState', () =>
      this.client.hSet(this.key('kw', kw), { state: json, since: num(sinceMs) }),
    );
  }

  async kwState(kw: string): Promise<KwStateRecord | undefined> {
    checkName('kw', kw);
    const [state, since] = await this.call('kwState', () =>
      this.client.hmGet(this.key('kw', kw), ['state', 'since']),
    );
    if (state === null || state === undefined || since === null || since === undefined) return undefined;
    const parsed = parseJson('kwState', str('kwState', state));
    if (!isRoutingState(parsed)) throw unexpected('kwState', state);
    return { state: parsed, sinceMs: numberOf('kwState', since) };
  }

  async setLastEnded(kw: string, ms: number): Promise<void> {
    checkName('kw', kw);
    checkTime('ms', ms);
    await this.run(SCRIPTS.setMax, [this.key('kw', kw)], ['lastEnded', num(ms)]);
  }

  async lastEnded(kw: string): Promise<number | undefined> {
    checkName('kw', kw);
    const v = await this.call('lastEnded', () => this.client.hGet(this.key('kw', kw), 'lastEnded'));
    return v === null || v === undefined ? undefined : numberOf('lastEnded', v);
  }

  async appendEvent(event: JsonObject): Promise<void> {
    const json = checkRecord(event);
    await this.call('appendEvent', () =>
      this.client.xAdd(
        this.key('events'),
        '*',
        { json },
        { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: EVENT_STREAM_MAX } },
      ),
    );
  }

  async recentEvents(limit: number): Promise<JsonObject[]> {
    checkInt('limit', limit, 1, EVENT_STREAM_MAX);
    const entries = await this.call('recentEvents', () =>
      this.client.xRevRange(this.key('events'), '+', '-', { COUNT: limit }),
    );
    return (entries ?? []).reverse().map((entry) => {
      const parsed: unknown = JSON.parse(str('recentEvents', entry.message['json']));
      if (!isJsonObject(parsed)) throw unexpected('recentEvents', parsed);
      return parsed;
    });
  }

  async eventsAfter(after: string | undefined, limit: number): Promise<EventPage> {
    checkInt('limit', limit, 1, EVENT_STREAM_MAX);
    if (after !== undefined && !/^\d+-\d+$/.test(after))
      throw new TypeError(`eventsAfter: not a cursor: ${after}`);
    const entries = await this.call('eventsAfter', () =>
      this.client.xRange(this.key('events'), after === undefined ? '-' : `(${after}`, '+', { COUNT: limit }),
    );
    const list = entries ?? [];
    const events = list.map((entry) => {
      const parsed: unknown = JSON.parse(str('eventsAfter', entry.message['json']));
      if (!isJsonObject(parsed)) throw unexpected('eventsAfter', parsed);
      return parsed;
    });
    return { events, cursor: list.at(-1)?.id ?? after };
  }

  async getCursor(rp: string): Promise<string | undefined> {
    checkName('rp', rp);
    const v = await this.call('getCursor', () => this.client.get(this.key('rr', rp)));
    return v === null || v === undefined ? undefined : str('getCursor', v);
  }

  async setCursor(rp: string, kw: string): Promise<void> {
    checkName('rp', rp);
    checkName('kw', kw);
    await this.call('setCursor', () => this.client.set(this.key('rr', rp), kw));
  }

  async ping(): Promise<void> {
    const reply = await this.call('ping', () => this.client.ping());
    if (reply !== 'PONG') throw unexpected('ping', reply);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.close();
    } catch {
      // Not connected (or already torn down): nothing to drain.
    }
    this.client.destroy();
  }
}

function unexpected(what: string, reply: unknown): StoreError {
  return new StoreError(`${what}: unexpected reply from Redis: ${JSON.stringify(reply)}`);
}

function tuple(what: string, reply: unknown, length: number): unknown[] {
  if (!Array.isArray(reply) || reply.length < length) throw unexpected(what, reply);
  return reply;
}

function int(what: string, v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  throw unexpected(what, v);
}

function str(what: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  throw unexpected(what, v);
}

function numberOf(what: string, v: unknown): number {
  const n = Number(str(what, v));
  if (!Number.isFinite(n)) throw unexpected(what, v);
  return n;
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StoreError(`${what}: stored value is not JSON`, { cause: err });
  }
}
