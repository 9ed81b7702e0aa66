/**
 * `npm run bench`: measures, prints a table, writes JSON (bench-results/latest.json,
 * or the file KW_BENCH_RESULTS names). Every figure is a median of many runs and
 * is also given as a ratio to the WebSocket echo round trip measured in the same
 * run. The router at scale (router-scale.bench.ts) has a table of its own:
 * p50/p99, rates and memory, per server × variant × N.
 *
 *   npm run bench [-- --quick] [-- --only router-scale|history-writes|core-footprint|ws-load] [-- --variants memory-1,redis-2]
 *                 [-- --skip router-scale,history-writes]   the whole run without those parts (absent from the JSON)
 *                 [-- --compare bench-results/baseline.json]   each figure next to a saved result's
 *
 * Router at scale: the variants are memory-1 (memory store, one router process),
 * redis-1 (Redis store, one process) and redis-2 (Redis store, two processes
 * sharing it); each runs on the lab server and on Kamailio (if installed), for
 * N = 1,000 and 10,000 (--quick: N = 1,000, fewer runs, 5 s of throughput).
 * The Redis variants need redis-server (skipped with a warning without it; each
 * scenario starts and stops its own, on loopback). Narrower runs:
 *
 *   KW_BENCH_ROUTER_VARIANTS=redis-2      (or --variants redis-2; comma-separated)
 *   KW_BENCH_ROUTER_NS=200                (comma-separated N)
 *   KW_BENCH_ROUTER_SECONDS=5             (throughput run, s)
 *   KW_BENCH_ROUTER_SERVERS=kamailio      (lab, kamailio)
 *   KW_BENCH_ROUTER_LOG=/tmp/router.log   (the routers' output, info level)
 *
 * e.g. KW_BENCH_ROUTER_NS=200 npx tsx test/bench/run.ts --quick --only router-scale --variants redis-2
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { createLogger } from '../../main/core/log.js';
import { labServer, kamailioServer, type ServerFactory } from '../support/servers.js';
import { summarize, type Summary } from './stats.js';
import { wsEchoRoundTrips } from './reference.js';
import { messageRoundTrips, recoveryAfterOutage } from './sip-core.bench.js';
import { coreFootprint, coreFootprintLines, type CoreFootprintResult } from './core-footprint.bench.js';
import { wsLoadSuite, wsLoadTable, type WsLoadResult } from './ws-load.bench.js';
import { imRouting } from './im-routing.bench.js';
import { chromiumAvailable, previewVisible } from './preview-visible.bench.js';
import { answerToAudio } from './call-answer.bench.js';
import { redisServerAvailable } from '../support/redis-server.js';
import { routerBaseline, routerScaleSuite } from './router-scale.bench.js';
import {
  ROUTER_SCALE_GOALS,
  routerScalePlan,
  type RouterScalePlan,
  type RouterScaleResult,
  type RouterStoreKind,
} from './router-scale-plan.js';
import { printRouterScale, type RouterBaseline } from './router-scale-table.js';
import { historyWrites } from './history-writes.bench.js';
import { compareArg, compareResults, comparisonTable, readResult, type SavedResult } from './compare.js';
import { compareFigures, figureTable } from './compare-figures.js';

interface Row {
  readonly name: string;
  readonly server: string;
  readonly unit: 'ms';
  readonly summary: Summary;
  readonly ratioToReference: number;
}

const quick = process.argv.includes('--quick');
/** `--only router-scale` (or `--only=router-scale`): run that part alone. */
const ONLY_PARTS = ['router-scale', 'history-writes', 'core-footprint', 'ws-load'] as const;
const only = onlyArg(process.argv);
const skip = skipArg(process.argv);
const RUNS = {
  reference: quick ? 50 : 500,
  message: quick ? 30 : 300,
  /** Recovery after an outage of this many ms: runs per server. */
  recovery: quick
    ? [
        { outageMs: 1000, runs: 3 },
        { outageMs: 5000, runs: 1 },
      ]
    : [
        { outageMs: 1000, runs: 10 },
        { outageMs: 5000, runs: 5 },
        { outageMs: 30_000, runs: 3 },
      ],
  routing: quick ? 10 : 100,
  previewVisible: quick ? 10 : 200,
  answer: quick ? 5 : 20,
};
/** WebSocket MESSAGE load on each server: the closed-loop maximum and an open loop at `rate`. */
const WS_LOAD = { pairs: 10, seconds: quick ? 3 : 10, rate: 5000, maxMessages: 200_000 };
const ROUTER_SCALE: RouterScalePlan = planOrExit();
const RESULTS_FILE = process.env.KW_BENCH_RESULTS || 'bench-results/latest.json';
/** `--compare FILE`: read before the run (a missing or broken file stops it at once), printed after. */
const COMPARE_FILE = compareArg(process.argv);
const COMPARE_WITH: SavedResult | undefined = COMPARE_FILE ? readCompareOrExit(COMPARE_FILE) : undefined;

function readCompareOrExit(file: string): SavedResult {
  try {
    return readResult(file);
  } catch (error) {
    console.error(`bench: --compare ${file}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

function planOrExit(): RouterScalePlan {
  try {
    return routerScalePlan(quick);
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

function onlyArg(argv: readonly string[]): (typeof ONLY_PARTS)[number] | undefined {
  const at = argv.indexOf('--only');
  const value = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (value === undefined) return undefined;
  const part = ONLY_PARTS.find((p) => p === value);
  if (part === undefined) {
    console.error(`bench: --only takes one of: ${ONLY_PARTS.join(', ')} (got ${JSON.stringify(value)})`);
    process.exit(2);
  }
  return part;
}

/** `--skip a,b` (or `--skip=a,b`): parts of the whole run left out. */
function skipArg(argv: readonly string[]): ReadonlySet<(typeof ONLY_PARTS)[number]> {
  const at = argv.indexOf('--skip');
  const value = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--skip='))?.slice('--skip='.length);
  const parts = new Set<(typeof ONLY_PARTS)[number]>();
  for (const name of value?.split(',') ?? []) {
    const part = ONLY_PARTS.find((p) => p === name);
    if (part === undefined) {
      console.error(`bench: --skip takes some of: ${ONLY_PARTS.join(', ')} (got ${JSON.stringify(name)})`);
      process.exit(2);
    }
    parts.add(part);
  }
  return parts;
}

interface RouterScaleRun {
  /** The plan as run: without the variants or servers this machine cannot run. */
  readonly plan: RouterScalePlan;
  /** The router with one member, per store in the plan (lab server). */
  readonly baselines: Partial<Record<RouterStoreKind, RouterBaseline>>;
  readonly results: RouterScaleResult[];
}

async function routerScale(): Promise<RouterScaleRun> {
  const servers: ServerFactory[] = [];
  if (ROUTER_SCALE.servers.includes('lab')) servers.push(labServer);
  if (ROUTER_SCALE.servers.includes('kamailio')) {
    if (await kamailioServer.available()) servers.push(kamailioServer);
    else console.warn('kamailio not installed: its router-at-scale rows are missing');
  }
  let variants = ROUTER_SCALE.variants;
  if (variants.some((v) => v.store === 'redis') && !(await redisServerAvailable())) {
    console.warn('redis-server not installed: the Redis router-at-scale rows are missing');
    variants = variants.filter((v) => v.store !== 'redis');
  }
  const plan: RouterScalePlan = { ...ROUTER_SCALE, servers: servers.map((s) => s.kind), variants };
  const baselines: Partial<Record<RouterStoreKind, RouterBaseline>> = {};
  for (const store of new Set(variants.map((v) => v.store)))
    baselines[store] = await routerBaseline(labServer, store);
  const results = await routerScaleSuite(servers, plan, (line) => console.log(line));
  return { plan, baselines, results };
}

function writeResult(result: object): void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten: ${RESULTS_FILE}`);
}

const routerScaleJson = (run: RouterScaleRun): object => ({
  variants: run.plan.variants,
  goals: ROUTER_SCALE_GOALS,
  plan: run.plan,
  machine: { cpus: cpus().length },
  baselineOneMember: run.baselines,
  results: run.results,
});

async function main(): Promise<void> {
  if (only === 'history-writes')
    return writeResult({ only, at: new Date().toISOString(), historyWrites: await historyWrites() });
  if (only === 'core-footprint') {
    const footprint = await coreFootprint(quietLogger(), { runs: quick ? 3 : 5 });
    console.log(coreFootprintLines(footprint).join('\n'));
    return writeResult({ only, at: new Date().toISOString(), coreFootprint: footprint });
  }
  if (only === 'ws-load') {
    const load = await wsLoadSuite(await allServers(), WS_LOAD, quietLogger());
    console.log(wsLoadTable(load));
    return writeResult({ only, at: new Date().toISOString(), wsLoad: load });
  }
  if (only === 'router-scale') {
    const scale = await routerScale();
    printRouterScale(scale.plan, scale.results, scale.baselines);
    writeResult({
      only,
      quick,
      at: new Date().toISOString(),
      node: process.version,
      rows: [],
      routerScale: routerScaleJson(scale),
    });
    return;
  }
  const logger = quietLogger();
  const reference = summarize(await wsEchoRoundTrips(RUNS.reference));
  const rows: Row[] = [];
  let callRatio: number | undefined;
  let callRatioMic: number | undefined;
  let callRatioOnePage: number | undefined;
  const add = (name: string, server: string, samples: number[]): void => {
    const summary = summarize(samples);
    rows.push({ name, server, unit: 'ms', summary, ratioToReference: summary.median / reference.median });
  };
  const servers = await allServers();
  for (const factory of servers) {
    add(
      'MESSAGE round trip (agent → agent → 200 OK)',
      factory.kind,
      await messageRoundTrips(factory, RUNS.message, logger),
    );
    for (const { outageMs, runs } of RUNS.recovery)
      add(
        `re-registered after a ${outageMs / 1000} s outage (from the server's return)`,
        factory.kind,
        await recoveryAfterOutage(factory, outageMs, runs, logger),
      );
    const routing = await imRouting(factory, RUNS.routing, logger);
    add("agent's MESSAGE → preview event in the KW core", factory.kind, routing.toPreview);
    add('accept → routed at the agent', factory.kind, routing.acceptToRouted);
  }
  if (chromiumAvailable()) {
    add(
      "agent's MESSAGE → preview visible in the page (Chromium)",
      'lab',
      await previewVisible(RUNS.previewVisible, logger),
    );
    const answer = await answerToAudio(RUNS.answer, logger);
    add('Answer → audio both ways, KW Desktop, media window (Chromium)', 'lab', answer.kwDesktop);
    add('Answer → audio both ways, KW Desktop (Chromium)', 'lab', answer.kwDesktopOnePage);
    add('Answer → audio both ways, page to page (ref.)', 'lab', answer.pageToPage);
    add('Answer → audio, page to page, mic on Answer', 'lab', answer.pageToPageMic);
    callRatio = summarize(answer.kwDesktop).median / summarize(answer.pageToPage).median;
    callRatioMic = summarize(answer.kwDesktop).median / summarize(answer.pageToPageMic).median;
    callRatioOnePage = summarize(answer.kwDesktopOnePage).median / summarize(answer.pageToPage).median;
  } else {
    console.warn(
      'chromium or the built renderer is missing: the page row is missing (run npm run build first)',
    );
  }
  const footprint = skip.has('core-footprint')
    ? undefined
    : await coreFootprint(logger, { runs: quick ? 3 : 5 });
  const load = skip.has('ws-load') ? undefined : await wsLoadSuite(servers, WS_LOAD, logger);
  const history = skip.has('history-writes') ? undefined : await historyWrites();
  const scale = skip.has('router-scale') ? undefined : await routerScale();
  print(reference, rows);
  printFootprintAndLoad(footprint, load);
  if (callRatio !== undefined && callRatioMic !== undefined && callRatioOnePage !== undefined)
    console.log(
      `\nAnswer → audio both ways: KW Desktop (media window) / page-to-page reference = ${callRatio.toFixed(2)}` +
        ` (against the page that opens its microphone on Answer: ${callRatioMic.toFixed(2)};` +
        ` media host in the main page: ${callRatioOnePage.toFixed(2)})`,
    );
  if (scale) printRouterScale(scale.plan, scale.results, scale.baselines);
  if (skip.size > 0) console.log(`\nleft out (--skip): ${[...skip].join(', ')}`);
  const result = {
    // As in earlier results: the media host in the main page (comparable with them).
    callAnswerRatioToPageToPage: callRatioOnePage,
    callAnswerRatioMediaWindowToPageToPage: callRatio,
    callAnswerRatioToPageToPageMic: callRatioMic,
    at: new Date().toISOString(),
    node: process.version,
    reference: { name: 'WebSocket echo round trip', ...reference },
    rows,
    routerScale: scale && routerScaleJson(scale),
    historyWrites: history,
    coreFootprint: footprint,
    wsLoad: load,
  };
  writeResult(result);
  if (COMPARE_WITH) {
    console.log(
      `\n${comparisonTable(compareResults(COMPARE_WITH, result), COMPARE_WITH.at ?? COMPARE_FILE)}`,
    );
    console.log(`\n${figureTable(compareFigures(COMPARE_WITH, result))}`);
  }
}

const quietLogger = () => createLogger(() => undefined, 'error');

/** The lab server, and Kamailio when installed. */
async function allServers(): Promise<ServerFactory[]> {
  const servers: ServerFactory[] = [labServer];
  if (await kamailioServer.available()) servers.push(kamailioServer);
  else console.warn('kamailio not installed: its rows are missing');
  return servers;
}

function printFootprintAndLoad(
  footprint: CoreFootprintResult | undefined,
  load: readonly WsLoadResult[] | undefined,
): void {
  if (footprint) console.log(`\n${coreFootprintLines(footprint).join('\n')}`);
  if (!load) return;
  console.log(
    `\nWebSocket MESSAGE load, ${WS_LOAD.pairs} pairs, ${WS_LOAD.seconds} s each (maximum, then open loop at ${WS_LOAD.rate}/s, then the same with the server and the generator on separate CPUs):`,
  );
  console.log(wsLoadTable(load));
}

function print(reference: Summary, rows: Row[]): void {
  const f = (n: number): string => n.toFixed(2).padStart(9);
  console.log(
    `reference: WebSocket echo round trip on loopback, median ${reference.median.toFixed(3)} ms over ${reference.runs} runs\n`,
  );
  console.log(
    `${'benchmark'.padEnd(48)} ${'server'.padEnd(9)} ${'runs'.padStart(5)} ${'median'.padStart(9)} ${'p10'.padStart(9)} ${'p90'.padStart(9)} ${'p99'.padStart(9)} ${'× ref'.padStart(9)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(48)} ${r.server.padEnd(9)} ${String(r.summary.runs).padStart(5)} ${f(r.summary.median)} ${f(r.summary.p10)} ${f(r.summary.p90)} ${f(r.summary.p99)} ${r.ratioToReference.toFixed(1).padStart(9)}`,
    );
  }
}

await main();
