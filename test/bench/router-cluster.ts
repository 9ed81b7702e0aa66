/**
 * The routers under test for one variant: one or two router CLI processes
 * (`--instance bench-a`, `bench-b`), and with the Redis store a redis-server
 * of their own (test/support/redis-server.ts: loopback, ephemeral port, own
 * temp dir) that they share (`--store redis://127.0.0.1:PORT/0`). Read as one:
 * healthy when every instance is, its gauges per instance, its CPU summed, its
 * RSS per instance and the largest. `stop()` stops the routers (cleanly, in
 * parallel), then the Redis it started; nothing else.
 */
import { freePort } from '../../lab/kamailio/launcher.js';
import { startRedisServer, type TestRedis } from '../support/redis-server.js';
import { memoryOf, type CpuPids } from './proc-stats.js';
import {
  decisionHistogram,
  kwStates,
  metricValue,
  scrape,
  type DecisionHistogram,
} from './router-metrics.js';
import { spawnRouter, waitHealthy, type RouterProcess } from './router-process.js';
import { instanceNames, type MemoryMb, type RouterVariant } from './router-scale-plan.js';
import { tailOf } from './stages.js';

export interface RouterCluster {
  readonly variant: RouterVariant;
  readonly routers: readonly RouterProcess[];
  readonly redis: TestRedis | undefined;
  /** The first router process's start. */
  readonly startedAt: number;
  readonly cpuPids: CpuPids;
  /** Throws (with its output) if a router process has exited. */
  checkAlive(): void;
  /** "SIP connection lost" lines, summed over the instances. */
  connectionLosses(): number;
  /** The last lines of each router's output, for a failure's reason. */
  tails(): string;
  /** Every instance's /healthz 200 (registered, and the store answering). */
  waitHealthy(withinMs?: number): Promise<void>;
  /** Each instance's kw_router_kws by state (a failed scrape: `{ scrape: why }`), and the slowest scrape. */
  states(): Promise<{ byInstance: Record<string, Record<string, number | string>>; slowestMs: number }>;
  /** Each instance's routing-decision histogram. */
  decisions(): Promise<Record<string, DecisionHistogram>>;
  /** The largest heap in use among the instances, MB. */
  heapUsedMb(): Promise<number | undefined>;
  /** RSS and peak: the largest instance's, each instance's, and redis-server's. */
  memory(): MemoryMb & { byInstance: Record<string, MemoryMb>; redis?: MemoryMb };
  /** Routers first (a clean stop unsubscribes N watches), then the Redis started here. Idempotent. */
  stop(): Promise<void>;
}

export interface RouterClusterOptions {
  readonly variant: RouterVariant;
  readonly configFile: string;
  readonly serverUrl: string;
}

/** Starts the Redis (if any) and the router processes; does not wait for them to be healthy. */
export async function startRouterCluster(options: RouterClusterOptions): Promise<RouterCluster> {
  const { variant } = options;
  if (variant.store === 'memory' && variant.instances !== 1)
    throw new Error('the memory store is per process: one instance only');
  const redis = variant.store === 'redis' ? await startRedisServer() : undefined;
  const routers: RouterProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.allSettled(routers.map((r) => r.stop()));
      await redis?.stop();
    })());
  try {
    for (const name of instanceNames(variant)) {
      routers.push(
        spawnRouter({
          configFile: options.configFile,
          serverUrl: options.serverUrl,
          httpPort: await freePort(),
          instance: name,
          ...(redis ? { store: redis.url } : {}),
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const byName = <T>(values: readonly T[]): Record<string, T> =>
    Object.fromEntries(routers.map((r, i) => [r.name, values[i] as T]));
  return {
    variant,
    routers,
    redis,
    startedAt: Math.min(...routers.map((r) => r.startedAt)),
    cpuPids: { routers: routers.map((r) => r.pid), ...(redis ? { redis: redis.pid } : {}) },
    checkAlive() {
      const dead = routers.find((r) => r.exited());
      if (dead) throw new Error(`the router ${dead.name} exited:\n${dead.output()}`);
    },
    connectionLosses: () => routers.reduce((sum, r) => sum + r.connectionLosses(), 0),
    tails: () => routers.map((r) => tailOf(`router ${r.name}`, r.output())).join(''),
    async waitHealthy(withinMs) {
      await Promise.all(routers.map((r) => waitHealthy(r, withinMs)));
    },
    async states() {
      let slowestMs = 0;
      const all = await Promise.all(
        routers.map(async (r) => {
          const asked = performance.now();
          // A router busy with N NOTIFYs may not answer a scrape in time: that is no progress, not a failure.
          const states: Record<string, number | string> = await scrape(r.base).then(
            kwStates,
            (error: unknown) => ({ scrape: String(error).slice(0, 60) }),
          );
          slowestMs = Math.max(slowestMs, performance.now() - asked);
          return states;
        }),
      );
      return { byInstance: byName(all), slowestMs };
    },
    async decisions() {
      return byName(await Promise.all(routers.map(async (r) => decisionHistogram(await scrape(r.base)))));
    },
    async heapUsedMb() {
      const heaps = await Promise.all(
        routers.map(async (r) => metricValue(await scrape(r.base), 'nodejs_heap_size_used_bytes')),
      );
      const known = heaps.filter((h): h is number => h !== undefined);
      return known.length === 0 ? undefined : Math.max(...known) / 1024 / 1024;
    },
    memory() {
      const each = routers.map((r) => memoryOf(r.pid));
      return {
        rssMb: Math.max(...each.map((m) => m.rssMb)),
        peakRssMb: Math.max(...each.map((m) => m.peakRssMb)),
        byInstance: byName(each),
        ...(redis ? { redis: memoryOf(redis.pid) } : {}),
      };
    },
    stop,
  };
}

/** Sums the instances' histograms, and `after − before` per instance (counts). */
export function decisionsBetween(
  before: Record<string, DecisionHistogram>,
  after: Record<string, DecisionHistogram>,
): { total: DecisionHistogram; countByInstance: Record<string, number> } {
  const countByInstance: Record<string, number> = {};
  let sum = 0;
  let count = 0;
  for (const [name, a] of Object.entries(after)) {
    const b = before[name] ?? { sum: 0, count: 0 };
    countByInstance[name] = a.count - b.count;
    sum += a.sum - b.sum;
    count += a.count - b.count;
  }
  return { total: { sum, count }, countByInstance };
}
