/**
 * `npm run bench`: measures, prints a table, writes JSON (bench-results/).
 * Every figure is a median of many runs and is also given as a ratio to the
 * WebSocket echo round trip measured in the same run. The router at scale
 * (router-scale.bench.ts) has a table of its own: p50/p99, rates and memory.
 *
 *   npm run bench [-- --quick] [-- --only router-scale]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createLogger } from '../../main/core/log.js';
import { labServer, kamailioServer, type ServerFactory } from '../support/servers.js';
import { summarize, type Summary } from './stats.js';
import { wsEchoRoundTrips } from './reference.js';
import { messageRoundTrips, reRegistrations } from './sip-core.bench.js';
import { imRouting } from './im-routing.bench.js';
import { chromiumAvailable, previewVisible } from './preview-visible.bench.js';
import { answerToAudio } from './call-answer.bench.js';
import {
  ROUTER_SCALE_GOALS,
  printRouterScale,
  routerBaseline,
  routerScaleSuite,
  type RouterScalePlan,
  type RouterScaleResult,
} from './router-scale.bench.js';

interface Row {
  readonly name: string;
  readonly server: string;
  readonly unit: 'ms';
  readonly summary: Summary;
  readonly ratioToReference: number;
}

const quick = process.argv.includes('--quick');
/** `--only router-scale` (or `--only=router-scale`): run that part alone. */
const ONLY_PARTS = ['router-scale'] as const;
const only = onlyArg(process.argv);
const RUNS = {
  reference: quick ? 50 : 500,
  message: quick ? 30 : 300,
  reRegister: quick ? 3 : 10,
  routing: quick ? 10 : 100,
  previewVisible: quick ? 10 : 50,
  answer: quick ? 5 : 20,
};
const ROUTER_SCALE: RouterScalePlan = {
  ns: quick ? [1000] : [1000, 10_000],
  readyKws: 5,
  capacity: 2,
  latencyRuns: quick ? 100 : 500,
  warmupRuns: quick ? 10 : 30,
  throughputSeconds: quick ? 5 : 15,
};

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

interface RouterScaleRun {
  readonly baseline: Awaited<ReturnType<typeof routerBaseline>>;
  readonly results: RouterScaleResult[];
}

async function routerScale(): Promise<RouterScaleRun> {
  const servers: ServerFactory[] = [labServer];
  if (await kamailioServer.available()) servers.push(kamailioServer);
  else console.warn('kamailio not installed: its router-at-scale rows are missing');
  const baseline = await routerBaseline(labServer);
  const results = await routerScaleSuite(servers, ROUTER_SCALE, (line) => console.log(line));
  return { baseline, results };
}

function writeResult(result: object): void {
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/latest.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log('\nwritten: bench-results/latest.json');
}

const routerScaleJson = (run: RouterScaleRun): object => ({
  store: 'memory',
  instances: 1,
  goals: ROUTER_SCALE_GOALS,
  plan: ROUTER_SCALE,
  machine: { cpus: cpus().length },
  baselineOneMember: run.baseline,
  results: run.results,
});

async function main(): Promise<void> {
  if (only === 'router-scale') {
    const scale = await routerScale();
    printRouterScale(ROUTER_SCALE, scale.results, scale.baseline);
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
  const logger = createLogger(() => undefined, 'error');
  const reference = summarize(await wsEchoRoundTrips(RUNS.reference));
  const rows: Row[] = [];
  let callRatio: number | undefined;
  const add = (name: string, server: string, samples: number[]): void => {
    const summary = summarize(samples);
    rows.push({ name, server, unit: 'ms', summary, ratioToReference: summary.median / reference.median });
  };
  const servers: ServerFactory[] = [labServer];
  if (await kamailioServer.available()) servers.push(kamailioServer);
  else console.warn('kamailio not installed: its rows are missing');
  for (const factory of servers) {
    add(
      'MESSAGE round trip (agent → agent → 200 OK)',
      factory.kind,
      await messageRoundTrips(factory, RUNS.message, logger),
    );
    add(
      're-registration after server restart',
      factory.kind,
      await reRegistrations(factory, RUNS.reRegister, logger),
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
    add('Answer → audio both ways, KW Desktop (Chromium)', 'lab', answer.kwDesktop);
    add('Answer → audio both ways, page to page (ref.)', 'lab', answer.pageToPage);
    callRatio = summarize(answer.kwDesktop).median / summarize(answer.pageToPage).median;
  } else {
    console.warn(
      'chromium or the built renderer is missing: the page row is missing (run npm run build first)',
    );
  }
  const scale = await routerScale();
  print(reference, rows);
  if (callRatio !== undefined)
    console.log(`\nAnswer → audio both ways: KW Desktop / page-to-page reference = ${callRatio.toFixed(2)}`);
  printRouterScale(ROUTER_SCALE, scale.results, scale.baseline);
  const result = {
    callAnswerRatioToPageToPage: callRatio,
    at: new Date().toISOString(),
    node: process.version,
    reference: { name: 'WebSocket echo round trip', ...reference },
    rows,
    routerScale: routerScaleJson(scale),
  };
  writeResult(result);
}

function print(reference: Summary, rows: Row[]): void {
  const f = (n: number): string => n.toFixed(2).padStart(9);
  console.log(
    `reference: WebSocket echo round trip on loopback, median ${reference.median.toFixed(3)} ms over ${reference.runs} runs\n`,
  );
  console.log(
    `${'benchmark'.padEnd(48)} ${'server'.padEnd(9)} ${'runs'.padStart(5)} ${'median'.padStart(9)} ${'p10'.padStart(9)} ${'p90'.padStart(9)} ${'× ref'.padStart(9)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(48)} ${r.server.padEnd(9)} ${String(r.summary.runs).padStart(5)} ${f(r.summary.median)} ${f(r.summary.p10)} ${f(r.summary.p90)} ${r.ratioToReference.toFixed(1).padStart(9)}`,
    );
  }
}

await main();
