/**
 * The router at scale: one routing point whose members are N KWs
 * (`sip:kwNNNN@domain`), the router run as operators run it, processes of its
 * own through its CLI (router-cluster.ts), on the lab SIP server and on
 * Kamailio, in a variant: the memory store and one instance, or the Redis
 * store (a redis-server started for the scenario) with one or two instances.
 * With two, Kamailio forks every MESSAGE for the routing point to both (each
 * handles it under a per-interaction lock in Redis; the loser answers 409);
 * the lab server sends it to the most recent registration.
 *
 * - N − K KWs exist only as presence (busy, published by presence-load.ts over
 *   a few raw connections); K are real registered user agents (raw-ua.ts) that
 *   publish Available, answer the preview 200 and accept it at once, so every
 *   request is routed to one of them (router-floor.ts).
 * - Watches up: every instance's `kw_router_kws` gauge reads K Ready and N − K
 *   NotReady. A subscription being renewed also reads NotReady
 *   (`presence-unknown`), so every live watch is then proven: the N − K change to
 *   `away`, which the config's routing table maps to LoggedOut (only a NOTIFY
 *   can bring that), and back to busy; both rounds are figures too (N − K
 *   changes at CHANGE_RATE per second → all seen by every instance).
 * - Figures (router-scale-measure.ts): the routing decision seen from outside
 *   (the agent's MESSAGE sent → the preview MESSAGE arriving at the KW),
 *   sequential; whole interactions per second (request → preview → accept →
 *   routed → `end` to the KW and to the routing point) with K × capacity
 *   interactions at once for a bounded time; the routers' RSS (/proc/PID/status)
 *   once all N watches are up, idle; the CPU of the routers, of this process,
 *   of Kamailio and of Redis during the load.
 * - Nothing is asserted: a scenario that cannot be run (the server does not
 *   hold N subscriptions, a router does not see N states in time) is a result
 *   with the stage and the reason (and the routers' last lines), and the next
 *   scenario runs.
 *
 * Every process started here (the routers, Redis, Kamailio through its
 * factory) is stopped in `finally`, and by its PID on exit or a signal too.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIDF_CONTENT_TYPE } from '../../wire/content-types.js';
import { encodePidf } from '../../wire/presence/pidf.js';
import { presenceDocument } from '../../wire/presence/states.js';
import type { ServerFactory, ServerUnderTest } from '../support/servers.js';
import { kwUser, publishPresence } from './presence-load.js';
import { RawUa } from './raw-ua.js';
import { startRouterCluster, type RouterCluster } from './router-cluster.js';
import { Floor } from './router-floor.js';
import { procStat } from './proc-stats.js';
import {
  CHANGE_RATE,
  ROUTING_POINT_USER,
  variantLabel,
  type RouterScalePlan,
  type RouterScaleResult,
  type RouterStoreKind,
  type RouterVariant,
} from './router-scale-plan.js';
import { measureDecision, measureIdle, measureThroughput } from './router-scale-measure.js';
import { StageError, firstLine, stage, tailOf, warningsLogger } from './stages.js';
import { fmtS, sleep } from './time.js';

/** A gauge that does not move for this long while short of the expected states is a stall. */
const STALL_MS = 30_000;

type KwCounts = { readonly Ready: number; readonly NotReady: number; readonly LoggedOut: number };

const sameCounts = (states: Record<string, number | string>, expected: KwCounts): boolean =>
  Number(states.Ready ?? 0) === expected.Ready &&
  Number(states.NotReady ?? 0) === expected.NotReady &&
  Number(states.LoggedOut ?? 0) === expected.LoggedOut;

export async function routerScale(
  factory: ServerFactory,
  variant: RouterVariant,
  n: number,
  plan: RouterScalePlan,
  report: (line: string) => void = () => undefined,
): Promise<RouterScaleResult> {
  const k = Math.min(plan.readyKws, n);
  const tag = `${factory.kind} ${variantLabel(variant)} N=${n}`;
  const result: RouterScaleResult = {
    server: factory.kind,
    store: variant.store,
    instances: variant.instances,
    n,
    readyKws: k,
    capacity: plan.capacity,
    loadAverageAtStart: loadavg()[0],
  };
  const warnings = warningsLogger();
  let routers: RouterCluster | undefined;
  const closers: Array<() => Promise<unknown>> = [];
  const later = (fn: () => Promise<unknown>): void => void closers.unshift(fn);
  const stopOnSignal = (): void => {
    // Stop what this scenario started, then let the exit hooks (router PIDs, Redis, Kamailio group) run.
    void Promise.allSettled(closers.map((fn) => fn())).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const server: ServerUnderTest = await stage('start server', () =>
      factory.start({ logger: warnings.logger }),
    );
    later(() => server.close());
    const domain = server.domain;
    const rp = `sip:${ROUTING_POINT_USER}@${domain}`;
    const users = Array.from({ length: n }, (_, i) => kwUser(i, n));

    // K real KWs and the agents, registered, each on its own connection.
    const concurrency = k * plan.capacity;
    const kws: RawUa[] = [];
    const agents: RawUa[] = [];
    later(async () => {
      for (const ua of [...kws, ...agents]) ua.close();
    });
    await stage('register KWs and agents', async () => {
      for (const user of users.slice(0, k))
        kws.push(await RawUa.connect(server.url, `sip:${user}@${domain}`));
      for (let i = 0; i < concurrency; i += 1)
        agents.push(await RawUa.connect(server.url, `sip:bench-agent${i}@${domain}`));
      await Promise.all([...kws, ...agents].map((ua) => ua.register(600)));
      // The Ready KWs publish their own presence, over their own connection.
      for (const kw of kws) {
        const r = await kw.request('PUBLISH', kw.aor, {
          headers: ['Event: presence', 'Expires: 3600'],
          contentType: PIDF_CONTENT_TYPE,
          body: encodePidf(presenceDocument(kw.aor, 'available')),
        });
        if (r.status !== 200) throw new Error(`PUBLISH ${kw.aor}: ${r.status} ${r.reason}`);
      }
    });
    const floor = new Floor(kws, agents, rp);

    // The other N − K publish busy (NotReady) through the load generator: before the
    // routers start at 2000/s, later changes at CHANGE_RATE.
    const others = users.slice(k);
    let etags: ReadonlyMap<string, string> = new Map();
    const publishRound = async (round: string, state: 'busy' | 'away', rate: number): Promise<void> => {
      const r = await stage(`publish presence (${round})`, () =>
        publishPresence({
          url: server.url,
          domain,
          presentities: others.map((user) => ({ user, state, etag: etags.get(user) })),
          connections: 2,
          maxInFlight: 32,
          ratePerSecond: rate,
        }),
      );
      etags = r.etags;
      const summary = {
        requested: r.requested,
        published: r.published,
        failures: r.failures,
        notSent: r.notSent,
        elapsedMs: r.elapsedMs,
      };
      result.presence = { ...result.presence, [round]: summary };
      report(`  ${tag}: ${r.published}/${r.requested} ${state} published (${round}) in ${fmtS(r.elapsedMs)}`);
      if (r.published < r.requested) {
        throw new StageError(
          `publish presence (${round})`,
          `${r.published} of ${r.requested} published (${JSON.stringify(r.failures)}, ${r.notSent} not sent in time)`,
        );
      }
    };
    await publishRound('initial', 'busy', 2000);

    // The routers, processes of their own, members kw0000 … kw(N-1). `away` counts as
    // LoggedOut: a state that a subscription being renewed (NotReady
    // presence-unknown) cannot fake, so the gauge proves every watch is live.
    const dir = await mkdtemp(join(tmpdir(), 'kw-router-scale-'));
    later(() => rm(dir, { recursive: true, force: true }));
    const configFile = join(dir, 'router.json');
    await writeFile(
      configFile,
      JSON.stringify({
        domain,
        routingTable: { away: 'LoggedOut' },
        routingPoints: [
          {
            uri: ROUTING_POINT_USER,
            strategy: 'longest-idle',
            members: users,
            capacity: plan.capacity,
            previewTimeoutSeconds: 10,
            waitForAvailableSeconds: 5,
          },
        ],
      }),
    );
    const cluster = await stage('start routers', () =>
      startRouterCluster({ variant, configFile, serverUrl: server.url }),
    );
    routers = cluster;
    later(() => cluster.stop());

    await stage('router registered', async () => {
      await cluster.waitHealthy(30_000);
      result.registeredAfterMs = performance.now() - cluster.startedAt;
    });

    /** Polls every instance's kw_router_kws until each reads `expected`; fails on a stall, the deadline or an exit. */
    const waitForStates = async (what: string, expected: KwCounts, deadlineMs: number): Promise<void> => {
      const t0 = performance.now();
      let last = '';
      let lastChange = t0;
      let lastReport = t0;
      slowest = 0;
      for (;;) {
        cluster.checkAlive();
        const { byInstance, slowestMs } = await cluster.states();
        slowest = Math.max(slowest, slowestMs);
        const all = Object.values(byInstance);
        if (all.every((states) => sameCounts(states, expected))) return;
        const now = performance.now();
        const seen = JSON.stringify(all.length === 1 ? all[0] : byInstance);
        const who = all.length === 1 ? 'the router sees' : 'the routers see';
        if (now - lastReport > 10_000) {
          lastReport = now;
          report(`  ${tag}: ${what}: after ${fmtS(now - t0)} ${who} ${seen}`);
        }
        if (seen !== last && !all.some((states) => 'scrape' in states)) {
          last = seen;
          lastChange = now;
        }
        if (now - lastChange > STALL_MS || now - t0 > deadlineMs) {
          const why = now - t0 > deadlineMs ? 'time is up' : `no change for ${STALL_MS / 1000} s`;
          throw new Error(
            `${what}: ${who} ${seen}, expected ${JSON.stringify(expected)}; ${why}; ` +
              `SIP connection lost ${cluster.connectionLosses()} time(s)` +
              cluster.tails() +
              tailOf('server warnings', warnings.last().join('\n')),
          );
        }
        await sleep(200);
      }
    };
    let slowest = 0;
    const allSeen = { Ready: k, NotReady: n - k, LoggedOut: 0 };
    // Each instance subscribes to all N: the server carries instances × N watches.
    const deadline = 60_000 + n * 10 * variant.instances;
    // First NOTIFY of every watch (or, for a few, the NotReady of a subscription being renewed).
    await stage('watches up', async () => {
      try {
        await waitForStates('watches up', allSeen, deadline);
      } finally {
        result.slowestScrapeMs = slowest;
        result.connectionLossesWhileSubscribing = cluster.connectionLosses();
      }
      result.watchesUpAfterMs = performance.now() - cluster.startedAt;
      result.routerCpuAtWatchesUpS = cluster.routers.reduce(
        (sum, r) => sum + (procStat(r.pid)?.cpuS ?? Number.NaN),
        0,
      );
    });
    report(
      `  ${tag}: router${variant.instances > 1 ? 's' : ''} registered after ${fmtS(result.registeredAfterMs)}, ${n} members seen after ${fmtS(result.watchesUpAfterMs)}`,
    );
    // Every watch live: all N − K change to away (LoggedOut), then back to busy.
    for (const [round, state, expected] of [
      ['to away', 'away', { Ready: k, NotReady: 0, LoggedOut: n - k }],
      ['back to busy', 'busy', allSeen],
    ] as const) {
      const t0 = performance.now();
      await publishRound(round, state, CHANGE_RATE);
      const published = performance.now();
      await stage(`presence change (${round})`, () => waitForStates(`presence ${round}`, expected, deadline));
      const now = performance.now();
      result.presenceChanges = {
        ...result.presenceChanges,
        [round]: { ms: now - t0, afterLastPublishMs: now - published },
      };
    }
    report(
      `  ${tag}: ${n - k} presence changes at ${CHANGE_RATE}/s seen in ${fmtS(result.presenceChanges?.['to away']?.ms)} and ${fmtS(result.presenceChanges?.['back to busy']?.ms)}`,
    );

    result.idle = await stage('idle memory', () => measureIdle(cluster));
    result.decision = await stage('decision latency', () =>
      measureDecision(cluster, floor, agents[0] as RawUa, kws, plan),
    );
    report(
      `  ${tag}: decision p50 ${result.decision.p50.toFixed(2)} ms, p99 ${result.decision.p99.toFixed(2)} ms`,
    );
    const load = await stage('throughput', () => measureThroughput(cluster, floor, agents, plan));
    result.throughput = load.throughput;
    result.after = load.after;
    report(
      `  ${tag}: ${result.throughput.perSecond.toFixed(1)} interactions/s, ${result.throughput.completed} completed`,
    );
  } catch (error) {
    result.failure =
      error instanceof StageError
        ? { stage: error.stage, reason: error.message }
        : { stage: 'unexpected', reason: error instanceof Error ? error.message : String(error) };
    // What the routers and the server said last (warnings and worse), unless the reason has it already.
    if (!result.failure.reason.includes('--- ')) {
      result.failure = {
        ...result.failure,
        reason:
          result.failure.reason +
          (routers?.tails() ?? '') +
          tailOf('server warnings', warnings.last().join('\n')),
      };
    }
    report(`  ${tag}: FAILED at ${result.failure.stage}: ${firstLine(result.failure.reason)}`);
  } finally {
    // Before the routers stop (a clean stop logs no loss).
    if (routers) result.connectionLosses = routers.connectionLosses();
    for (const fn of closers.splice(0)) await fn().catch(() => undefined);
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
  return result;
}

/**
 * The router process with one member, registered and idle, with the given
 * store: the RSS that does not depend on N (Node, tsx's loader, JsSIP,
 * prom-client, the Redis client, the code).
 */
export async function routerBaseline(
  factory: ServerFactory,
  store: RouterStoreKind = 'memory',
): Promise<{ rssMb: number } | { failure: string }> {
  const warnings = warningsLogger();
  const server = await factory.start({ logger: warnings.logger });
  const dir = await mkdtemp(join(tmpdir(), 'kw-router-scale-'));
  let routers: RouterCluster | undefined;
  try {
    const configFile = join(dir, 'router.json');
    await writeFile(
      configFile,
      JSON.stringify({
        domain: server.domain,
        routingPoints: [{ uri: ROUTING_POINT_USER, strategy: 'longest-idle', members: ['kw0000'] }],
      }),
    );
    routers = await startRouterCluster({
      variant: { store, instances: 1 },
      configFile,
      serverUrl: server.url,
    });
    await routers.waitHealthy(30_000);
    await sleep(4000);
    return { rssMb: routers.memory().rssMb };
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error) };
  } finally {
    await routers?.stop();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every server × variant × N of the plan, one after another. */
export async function routerScaleSuite(
  factories: readonly ServerFactory[],
  plan: RouterScalePlan,
  report: (line: string) => void,
): Promise<RouterScaleResult[]> {
  const results: RouterScaleResult[] = [];
  for (const factory of factories) {
    for (const variant of plan.variants) {
      for (const n of plan.ns) {
        report(`router at scale: ${factory.kind}, ${variantLabel(variant)}, N = ${n} …`);
        results.push(await routerScale(factory, variant, n, plan, report));
      }
    }
  }
  return results;
}
