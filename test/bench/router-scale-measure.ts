/**
 * The figures of one router-at-scale scenario once every watch is up: the
 * routers idle (RSS, CPU), the routing decision seen from outside
 * (sequential, with a one-hop reference interleaved), and whole interactions
 * per second with K × capacity at once for a bounded time. Whatever the
 * variant, the agents talk to the routing point; which instance answers is
 * the SIP server's business. CPU is summed over the router processes, RSS is
 * the largest instance's (and each one's).
 */
import { cpuNow, cpuPercent, othersCpuS } from './proc-stats.js';
import { decisionsBetween, type RouterCluster } from './router-cluster.js';
import type { Floor } from './router-floor.js';
import type { RawUa } from './raw-ua.js';
import type { RouterScalePlan, RouterScaleResult } from './router-scale-plan.js';
import { percentile, quantiles } from './stats.js';
import { sleep } from './time.js';

type Figures = Required<Pick<RouterScaleResult, 'idle' | 'decision' | 'throughput' | 'after'>>;

/** All watches up, idle: 1 s to settle, then CPU over 3 s, then RSS and heap. */
export async function measureIdle(cluster: RouterCluster): Promise<Figures['idle']> {
  await sleep(1000);
  const before = cpuNow(cluster.cpuPids);
  await sleep(3000);
  const after = cpuNow(cluster.cpuPids);
  const heapUsedMb = await cluster.heapUsedMb();
  const memory = cluster.memory();
  return {
    rssMb: memory.rssMb,
    rssMbByInstance: Object.fromEntries(Object.entries(memory.byInstance).map(([k, m]) => [k, m.rssMb])),
    heapUsedMb,
    routerCpuPercent: cpuPercent(before, after, (c) => c.router) ?? Number.NaN,
  };
}

/** Agent's MESSAGE sent → preview at the KW, one at a time, after a warm-up; the one-hop reference interleaved. */
export async function measureDecision(
  cluster: RouterCluster,
  floor: Floor,
  agent: RawUa,
  kws: readonly RawUa[],
  plan: RouterScalePlan,
): Promise<Figures['decision']> {
  for (let i = 0; i < plan.warmupRuns; i += 1) await floor.interaction(agent, `warm-up ${i}`);
  const before = await cluster.decisions();
  const cpuBefore = cpuNow(cluster.cpuPids);
  const samples: number[] = [];
  const hops: number[] = [];
  for (let i = 0; i < plan.latencyRuns; i += 1) {
    // Interleaved, so both see the same conditions.
    hops.push(await floor.oneHop(agent, (kws[i % kws.length] as RawUa).aor));
    const t = await floor.interaction(agent, `run ${i}`);
    samples.push(t.previewAt - t.sentAt);
  }
  const cpuAfter = cpuNow(cluster.cpuPids);
  const { total } = decisionsBetween(before, await cluster.decisions());
  return {
    ...quantiles(samples),
    routerSideMeanMs: total.count > 0 ? (total.sum / total.count) * 1000 : undefined,
    oneHop: quantiles(hops),
    otherProcessesCpuPercent: cpuPercent(cpuBefore, cpuAfter, othersCpuS) ?? Number.NaN,
  };
}

/**
 * `concurrency` agents, each running whole interactions back to back for
 * plan.throughputSeconds (a failure is counted and the agent pauses 50 ms).
 */
export async function measureThroughput(
  cluster: RouterCluster,
  floor: Floor,
  agents: readonly RawUa[],
  plan: RouterScalePlan,
): Promise<{ throughput: Figures['throughput']; after: Figures['after'] }> {
  const concurrency = agents.length;
  const failed: Record<string, number> = {};
  const done: Array<{ at: number; ms: number }> = [];
  const decisionsBefore = await cluster.decisions();
  const cpuBefore = cpuNow(cluster.cpuPids);
  const start = performance.now();
  const stopAt = start + plan.throughputSeconds * 1000;
  await Promise.all(
    agents.map(async (agent, i) => {
      let j = 0;
      while (performance.now() < stopAt) {
        try {
          const t = await floor.interaction(agent, `load ${i}.${j}`);
          done.push({ at: t.endedAt, ms: t.endedAt - t.sentAt });
        } catch (error) {
          const key = (error instanceof Error ? error.message : String(error)).slice(0, 80);
          failed[key] = (failed[key] ?? 0) + 1;
          await sleep(50);
        }
        j += 1;
      }
    }),
  );
  const cpuAfter = cpuNow(cluster.cpuPids);
  const { countByInstance } = decisionsBetween(decisionsBefore, await cluster.decisions());
  // The first second is warm-up; the window ends at the last start's deadline.
  const from = start + 1000;
  const counted = done.filter((d) => d.at >= from && d.at < stopAt);
  const windows: number[] = [];
  for (let w = from; w + 1000 <= stopAt; w += 1000)
    windows.push(counted.filter((d) => d.at >= w && d.at < w + 1000).length);
  const sortedWindows = [...windows].sort((a, b) => a - b);
  const memory = cluster.memory();
  const heapUsedMb = await cluster.heapUsedMb();
  return {
    throughput: {
      seconds: plan.throughputSeconds,
      concurrency,
      completed: done.length,
      failed,
      problems: { ...floor.problems },
      perSecond: counted.length / ((stopAt - from) / 1000),
      perSecondWindows: {
        median: percentile(sortedWindows, 0.5),
        min: sortedWindows[0] ?? 0,
        windows: windows.length,
      },
      interactionMs: quantiles(done.map((d) => d.ms)),
      decisionsByInstance: countByInstance,
      routerCpuMsPerInteraction:
        done.length > 0 ? ((cpuAfter.router - cpuBefore.router) * 1000) / done.length : undefined,
      cpuPercent: {
        router: cpuPercent(cpuBefore, cpuAfter, (c) => c.router),
        bench: cpuPercent(cpuBefore, cpuAfter, (c) => c.bench),
        kamailio: cpuPercent(cpuBefore, cpuAfter, (c) => c.kamailio),
        redis: cpuPercent(cpuBefore, cpuAfter, (c) => c.redis),
        others: cpuPercent(cpuBefore, cpuAfter, othersCpuS),
      },
    },
    after: { ...memory, heapUsedMb },
  };
}
