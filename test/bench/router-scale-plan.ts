/**
 * What the router-at-scale benchmark runs and what it reports: the goals, the
 * variants (store × instances), the plan (which variants, which N, how many
 * runs) and the shape of one scenario's result. The plan is read from
 * `--quick` and the environment (see run.ts's header); nothing here runs
 * anything.
 */
import type { PresenceLoadResult } from './presence-load.js';
import type { Quantiles } from './stats.js';

export const ROUTER_SCALE_GOALS = {
  /** p99 of the routing decision at 10,000 KWs, with the Redis store. */
  decisionP99Ms: 5,
  decisionAtN: 10_000,
  decisionStore: 'redis',
  /** Whole interactions per second over Kamailio. */
  interactionsPerSecond: 200,
  /** Router RSS with all watches up, idle (each instance). */
  rssMb: 200,
} as const;

/** Presence changes per second once the router watches (a burst of N at 2000/s outruns the router). */
export const CHANGE_RATE = 500;
/** The routing point's user part; its members are kw0000 … kw(N-1). */
export const ROUTING_POINT_USER = 'scale-experts';

export type RouterStoreKind = 'memory' | 'redis';

/** How the router runs: its store, and how many router processes share it (2 only with Redis). */
export interface RouterVariant {
  readonly store: RouterStoreKind;
  readonly instances: 1 | 2;
}

export const ALL_VARIANTS: readonly RouterVariant[] = [
  { store: 'memory', instances: 1 },
  { store: 'redis', instances: 1 },
  { store: 'redis', instances: 2 },
];

/** `memory-1`, `redis-2`: the name used by KW_BENCH_ROUTER_VARIANTS and --variants. */
export const variantName = (v: RouterVariant): string => `${v.store}-${v.instances}`;
/** `memory×1`, `redis×2`: the table's column. */
export const variantLabel = (v: RouterVariant): string => `${v.store}×${v.instances}`;
/** The `--instance` names of the router processes of a variant. */
export const instanceNames = (v: RouterVariant): string[] => ['bench-a', 'bench-b'].slice(0, v.instances);

/** `memory-1,redis-2` → the variants, in the order given; throws on anything else. */
export function parseVariants(spec: string): RouterVariant[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new Error('no variant named');
  return names.map((name) => {
    const v = ALL_VARIANTS.find((a) => variantName(a) === name);
    if (v === undefined)
      throw new Error(
        `unknown router variant ${JSON.stringify(name)}: one of ${ALL_VARIANTS.map(variantName).join(', ')} (the memory store is per process, so memory runs one instance)`,
      );
    return v;
  });
}

export interface RouterScalePlan {
  /** The SIP servers, in order (Kamailio is skipped with a warning when it is not installed). */
  readonly servers: readonly ('lab' | 'kamailio')[];
  readonly variants: readonly RouterVariant[];
  readonly ns: readonly number[];
  /** Ready KWs that are real user agents. */
  readonly readyKws: number;
  /** Interactions at once per Ready KW (the routing point's capacity). */
  readonly capacity: number;
  readonly latencyRuns: number;
  readonly warmupRuns: number;
  readonly throughputSeconds: number;
}

/**
 * The plan of `npm run bench [-- --quick]`, narrowed by the environment or flags:
 * KW_BENCH_ROUTER_VARIANTS / --variants (memory-1,redis-1,redis-2),
 * KW_BENCH_ROUTER_NS (e.g. 200 or 1000,10000), KW_BENCH_ROUTER_SECONDS (throughput),
 * KW_BENCH_ROUTER_SERVERS (lab,kamailio). Throws on a value it cannot read.
 */
export function routerScalePlan(
  quick: boolean,
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv,
): RouterScalePlan {
  const variantsSpec = flagValue(argv, '--variants') ?? env.KW_BENCH_ROUTER_VARIANTS;
  const ns = env.KW_BENCH_ROUTER_NS;
  const seconds = env.KW_BENCH_ROUTER_SECONDS;
  const servers = env.KW_BENCH_ROUTER_SERVERS;
  return {
    servers: servers ? parseServers(servers) : ['lab', 'kamailio'],
    variants: variantsSpec ? parseVariants(variantsSpec) : ALL_VARIANTS,
    ns: ns ? positiveIntegers('KW_BENCH_ROUTER_NS', ns) : quick ? [1000] : [1000, 10_000],
    readyKws: 5,
    capacity: 2,
    latencyRuns: quick ? 100 : 500,
    warmupRuns: quick ? 10 : 30,
    throughputSeconds: seconds
      ? (positiveIntegers('KW_BENCH_ROUTER_SECONDS', seconds)[0] ?? 5)
      : quick
        ? 5
        : 15,
  };
}

function flagValue(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

function positiveIntegers(what: string, spec: string): number[] {
  const values = spec.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1))
    throw new Error(`${what}: positive integers, comma-separated (got ${JSON.stringify(spec)})`);
  return values;
}

function parseServers(spec: string): ('lab' | 'kamailio')[] {
  const out = spec.split(',').map((s) => s.trim());
  for (const s of out)
    if (s !== 'lab' && s !== 'kamailio')
      throw new Error(`KW_BENCH_ROUTER_SERVERS: lab and/or kamailio (got ${JSON.stringify(s)})`);
  return out as ('lab' | 'kamailio')[];
}

/** Memory of one process, MB. */
export interface MemoryMb {
  readonly rssMb: number;
  readonly peakRssMb: number;
}

export interface RouterScaleResult {
  readonly server: 'lab' | 'kamailio';
  readonly store: RouterStoreKind;
  /** Router processes serving the routing point (sharing the Redis store when 2). */
  readonly instances: 1 | 2;
  readonly n: number;
  readonly readyKws: number;
  readonly capacity: number;
  /** Set when the scenario stopped early: the stage and why. The figures measured before stay. */
  failure?: { readonly stage: string; readonly reason: string };
  /** Each PUBLISH round of the load generator: initial (busy), to away, back to busy. */
  presence?: Record<string, Omit<PresenceLoadResult, 'etags'>>;
  /**
   * Per change round (N − K PUBLISHes at CHANGE_RATE): first PUBLISH → every router
   * instance's gauge shows all N − K in the new state, and the part of that after the
   * last PUBLISH was answered (the routers' backlog).
   */
  presenceChanges?: Record<string, { readonly ms: number; readonly afterLastPublishMs: number }>;
  /** The slowest /metrics answer while the watches came up (a router's event loop was that late). */
  slowestScrapeMs?: number;
  /** "SIP connection lost" lines of the routers (summed) until all members were seen / by the end. */
  connectionLossesWhileSubscribing?: number;
  connectionLosses?: number;
  /** First router process start → every instance registered (/healthz 200). */
  registeredAfterMs?: number;
  /** First router process start → every instance sees all N members in a state from presence (kw_router_kws). */
  watchesUpAfterMs?: number;
  /** CPU seconds the routers had used by then (summed over the instances). */
  routerCpuAtWatchesUpS?: number;
  /** The machine's 1-minute load average when the scenario started (other work on the machine skews figures). */
  loadAverageAtStart?: number;
  /** With all watches up, idle: 4 s after the last state arrived; CPU over the last 3 s (% of one core). */
  idle?: {
    /** The largest instance's RSS (the goal is per instance). */
    readonly rssMb: number;
    /** Each instance's, by `--instance` name. */
    readonly rssMbByInstance: Readonly<Record<string, number>>;
    readonly heapUsedMb: number | undefined;
    /** Summed over the instances. */
    readonly routerCpuPercent: number;
  };
  /** Agent's MESSAGE sent → preview MESSAGE received at the KW, ms, sequential. */
  decision?: Quantiles & {
    /** The routers' own kw_router_routing_decision_seconds over the same runs (mean over all instances, ms). */
    readonly routerSideMeanMs: number | undefined;
    /** Reference, interleaved with the runs: agent → server → KW, a MESSAGE sent → received, ms. */
    readonly oneHop: Quantiles;
    /** CPU of everything but the routers, this process, Kamailio and Redis meanwhile (% of one core). */
    readonly otherProcessesCpuPercent: number;
  };
  throughput?: {
    readonly seconds: number;
    readonly concurrency: number;
    readonly completed: number;
    /** Agents' failed interactions, by reason. */
    readonly failed: Readonly<Record<string, number>>;
    /**
     * What the floor saw go wrong over the whole scenario (warm-up and decision runs
     * included), counted: `KW side: …` (preview-answer refused, preview-cancel, a second
     * preview for one interaction) and `agent side: …` (a second `routed` for one interaction).
     */
    readonly problems: Readonly<Record<string, number>>;
    /** Completed interactions / measured window (the first second is warm-up, not counted). */
    readonly perSecond: number;
    /** Completions per 1 s window: median and lowest. */
    readonly perSecondWindows: { readonly median: number; readonly min: number; readonly windows: number };
    /** One whole interaction, request sent → both `end`s answered, ms. */
    readonly interactionMs: Quantiles;
    /** Routing decisions each instance made during the run (kw_router_routing_decision_seconds_count). */
    readonly decisionsByInstance: Readonly<Record<string, number>>;
    /** Routers' CPU time over the run (summed) / interactions completed in it. */
    readonly routerCpuMsPerInteraction: number | undefined;
    /**
     * CPU over the run, % of one core: the router processes (summed); this process (the
     * raw agents and KWs, and the lab server, which runs in-process); Kamailio's
     * processes (undefined on the lab server); redis-server (undefined with the memory
     * store). The machine's cores are the limit.
     */
    readonly cpuPercent: {
      readonly router: number | undefined;
      readonly bench: number | undefined;
      readonly kamailio: number | undefined;
      readonly redis: number | undefined;
      /** Everything else on the machine (other work skews the figures; the machine has cpus() cores). */
      readonly others: number | undefined;
    };
  };
  /** After the throughput run: RSS now and the peak (VmHWM), the largest instance's, and each; Redis's. */
  after?: MemoryMb & {
    /** The largest heap in use among the instances (a heap that grew, or garbage not yet collected?). */
    readonly heapUsedMb: number | undefined;
    readonly byInstance: Readonly<Record<string, MemoryMb>>;
    readonly redis?: MemoryMb;
  };
}
