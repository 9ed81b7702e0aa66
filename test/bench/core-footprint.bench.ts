/**
 * The KW core as it ships (one esbuild bundle, plain Node): process start →
 * registered + presence published against the lab server, RSS idle, and RSS
 * with 2,000 ended conversations in history (written with the real, encrypted
 * history store, its index file included, then a fresh process started on it). The same start under
 * tsx is the reference. Each figure is the median of fresh processes; RSS is
 * read by the child itself after a forced GC and a short settle (gc() is enabled
 * only after the start, so the child launches with the app's V8 flags). Times count
 * from the process's own start (`performance.now()`), Node's boot included: a
 * trivial script forked the same way, in the same run, gives that boot alone.
 *
 *   npx tsx test/bench/core-footprint.bench.ts --main [--quick]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { createLogger, silentLogger, type Logger } from '../../main/core/log.js';
import { FileHistoryStore } from '../../main/core/history/file-history-store.js';
import { SealedHistoryFiles } from '../../main/core/history/sealed-history-files.js';
import type { ChatMessage, Conversation } from '../../main/core/conversations/model.js';
import { labServer } from '../support/servers.js';
import { summarize } from './stats.js';

export interface CoreFootprintResult {
  readonly runs: number;
  readonly conversations: number;
  readonly messagesPerConversation: number;
  /** Process start → registered + presence published, ms (medians). */
  readonly startBundleMs: number;
  /** CPU time (user + system, all threads) the bundle's process used until then: steadier than wall time on a shared machine. */
  readonly startBundleCpuMs: number;
  /** Process start → the first line of a trivial script forked the same way: Node's own boot. */
  readonly nodeBootMs: number;
  /** Where the bundle's start goes (empty history), ms from the process's start (medians). */
  readonly phases: StartPhases;
  /** With the 2,000 conversations: process start → history restored (`start()` resolved). */
  readonly restoredWithHistoryMs: number;
  readonly startTsxMs: number;
  /** The same with the 2,000 conversations in history (restored before registering). */
  readonly startBundleWithHistoryMs: number;
  /** RSS after forced GCs, MB (medians): right after start, and after `IDLE_MS` of idling. */
  readonly rssIdleMb: number;
  readonly rssWithHistoryMb: number;
  readonly growthMb: number;
  readonly rssIdleSoonMb: number;
  readonly rssWithHistorySoonMb: number;
  readonly growthSoonMb: number;
  /** V8 heap in use after idling, MB: what is really kept. */
  readonly heapIdleMb: number;
  readonly heapWithHistoryMb: number;
  /** V8 heap reserved after idling, MB: back near the idle figure once the young generation shrank. */
  readonly heapTotalIdleMb: number;
  readonly heapTotalWithHistoryMb: number;
  /**
   * The growth after idling split (Linux, /proc/self/status; NaN elsewhere): anonymous memory
   * (the process's own) and file-backed pages (Node's binary: code first run during the load,
   * such as the optimizing compiler, shared with other processes and reclaimable).
   */
  readonly growthAnonMb: number;
  readonly growthFileMb: number;
}

export interface StartPhases {
  /** The bundle's first line runs (Node booted, the file read and compiled). */
  readonly bootMs: number;
  /** Every module of the bundle evaluated. */
  readonly evaluatedMs: number;
  /** The KwCore built. */
  readonly builtMs: number;
  /** The WebSocket open (REGISTER sent). */
  readonly connectedMs: number;
  /** REGISTER answered 200. */
  readonly registeredMs: number;
}

interface Memory {
  readonly rssMb: number;
  readonly rssAnonMb: number;
  readonly rssFileMb: number;
  readonly heapMb: number;
  readonly heapTotalMb: number;
}

interface ChildReport {
  readonly startMs: number;
  readonly startCpuMs: number;
  readonly phases: StartPhases;
  readonly restoredMs: number;
  /** Right after registered + published, three forced GCs 300 ms apart. */
  readonly soon: Memory;
  /** The same after `IDLE_MS` more of idling. */
  readonly idle: Memory;
  readonly listed: number;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONVERSATIONS = 2_000;
const MESSAGES = 20;
const ROUTING_POINT = 'sip:billing@lab.local';
const IDLE_MS = 6_000;

/** The child: a KwCore as the app builds it, on the lab server; reports when routable, then idles. */
function entrySource(): string {
  const at = (path: string) => JSON.stringify(join(ROOT, path));
  return `
const evaluatedMs = performance.now();
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { kwCoreFactory } from ${at('main/core/core-factory.ts')};
import { FileHistoryStore } from ${at('main/core/history/file-history-store.ts')};
import { SealedHistoryFiles } from ${at('main/core/history/sealed-history-files.ts')};
import { silentLogger } from ${at('main/core/log.ts')};
import { labSettings } from ${at('test/support/lab-settings.ts')};

const [server = '', dir = '', keyHex = ''] = process.argv.slice(2);
const settings = labSettings([server], { trustedRoutingPoints: [${JSON.stringify(ROUTING_POINT)}] });
const history = new FileHistoryStore({
  dir,
  logger: silentLogger,
  files: new SealedHistoryFiles({ state: 'ready', key: Buffer.from(keyHex, 'hex') }),
  maxConversations: 100000,
});
const core = kwCoreFactory({ history, logger: silentLogger })({
  account: { uri: settings.account.uri, displayName: settings.account.displayName, servers: settings.servers },
  initialPresence: settings.lastPresence,
  devices: { input: '', output: '' },
  trustedRoutingPoints: settings.trustedRoutingPoints,
});
const phases = { bootMs: globalThis.__kwBootMs ?? -1, evaluatedMs, builtMs: performance.now(), connectedMs: -1, registeredMs: -1 };
core.agent.on('state', (s) => {
  if (s.phase === 'registering' && phases.connectedMs < 0) phases.connectedMs = performance.now();
  if (s.phase === 'registered' && phases.registeredMs < 0) phases.registeredMs = performance.now();
});
let startMs = -1;
let startCpuMs = -1;
let restoredMs = -1;
const check = () => {
  if (startMs >= 0 || !core.agent.isRegistered) return;
  if (core.presence.snapshot().publication.kind !== 'published') return;
  // performance.now() counts from the process's start.
  startMs = performance.now();
  const cpu = process.cpuUsage();
  startCpuMs = (cpu.user + cpu.system) / 1000;
  process.send?.({ kind: 'ready' });
};
core.agent.on('state', check);
core.presence.on('change', check);
// gc() only once the start is measured: launched with --expose-gc, V8's flags differ from those
// Node's built-in code cache was made with, so it is rejected and every built-in module is compiled
// anew (and Node's own boot is slower), a cost the app never pays.
let gcNow;
const gc = () => {
  if (!gcNow) {
    setFlagsFromString('--expose-gc');
    gcNow = runInNewContext('gc');
  }
  gcNow();
};
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes) => bytes / 1048576;
async function settled() {
  for (let i = 0; i < 3; i += 1) { gc(); await wait(300); }
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), ...rssParts(), heapMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal) };
}
function rssParts() {
  let status = '';
  try { status = readFileSync('/proc/self/status', 'utf8'); } catch { /* not Linux */ }
  const kb = (name) => Number(new RegExp(name + ':[^0-9]*([0-9]+)').exec(status)?.[1] ?? NaN) / 1024;
  return { rssAnonMb: kb('RssAnon'), rssFileMb: kb('RssFile') };
}
process.on('message', (m) => {
  if (m === 'stop') void core.stop().finally(() => process.exit(0));
  if (typeof m !== 'object' || m === null || m.kind !== 'measure') return;
  void (async () => {
    const soon = await settled();
    // V8 shrinks the young generation a loading burst grew only at a GC after a quiet spell (~5 s).
    await wait(m.idleMs);
    const idle = await settled();
    process.send?.({ kind: 'report', startMs, startCpuMs, phases, restoredMs, soon, idle, listed: core.conversations.list().length });
  })();
});
void core.start().then(() => {
  restoredMs = performance.now();
  check();
});
`;
}

async function bundle(dir: string, entry: string): Promise<string> {
  const outfile = join(dir, 'core.cjs');
  await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    tsconfig: join(ROOT, 'main/core/tsconfig.json'),
    // As scripts/build-electron.mjs bundles the shipped main process.
    minifyWhitespace: true,
    minifySyntax: true,
    // Measurement only: when the bundle's first line runs.
    banner: { js: 'globalThis.__kwBootMs = performance.now();' },
  });
  return outfile;
}

/** Node's own boot: process start → the first line of a script that does nothing else, forked alike. */
async function nodeBoot(dir: string): Promise<number> {
  const script = join(dir, 'boot.cjs');
  await writeFile(script, 'process.send(performance.now(), () => process.exit(0));\n');
  return new Promise((resolve, reject) => {
    const child = fork(script, [], { execArgv: [], stdio: 'ignore' });
    child.once('message', (ms) => resolve(Number(ms)));
    child.once('error', reject);
  });
}

/** One fresh process: its start time and memory once it idles (`idleMs` more before the second reading). */
function runChild(script: string, execArgv: string[], args: string[], idleMs: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // No --expose-gc here: the child enables gc() itself after the start (see entrySource).
    const child = fork(script, args, { cwd: ROOT, execArgv, stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the core did not report within 60 s'));
    }, 60_000);
    child.on('message', (m: { kind: string } & ChildReport) => {
      if (m.kind === 'ready') child.send({ kind: 'measure', idleMs });
      if (m.kind !== 'report') return;
      clearTimeout(timer);
      child.send('stop');
      resolve(m);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`the core exited with ${String(code)}`));
    });
  });
}

function chatMessages(n: number, at: string): ChatMessage[] {
  return Array.from({ length: MESSAGES }, (_, i) => ({
    id: `m-${n}-${i}`,
    direction: i % 2 === 0 ? 'in' : 'out',
    text: `Message ${i} of conversation ${n}: the customer asks about invoice ${1000 + n} and its due date.`,
    at,
    ...(i % 2 === 1 ? { delivery: 'delivered' as const } : {}),
  }));
}

/** 2,000 ended conversations written through the real store (journals, encrypted per line). */
async function writeHistory(dir: string, key: Buffer): Promise<void> {
  const store = new FileHistoryStore({
    dir,
    logger: silentLogger,
    files: new SealedHistoryFiles({ state: 'ready', key }),
    maxConversations: 100_000,
  });
  await store.loadIndex();
  const now = Date.now();
  for (let n = 0; n < CONVERSATIONS; n += 1) {
    const startedAt = new Date(now - (CONVERSATIONS - n) * 60_000).toISOString();
    const c: Conversation = {
      interactionId: `bench-${String(n).padStart(5, '0')}`,
      agent: { uri: `sip:agent${n % 20}@lab.local`, displayName: `Agent ${n % 20}` },
      routingPoint: ROUTING_POINT,
      subject: `Invoice question ${n}`,
      userData: { CaseNumber: String(10_000 + n), Customer: `Customer ${n}` },
      state: 'ended',
      endedBy: 'me',
      startedAt,
      endedAt: startedAt,
      messages: chatMessages(n, startedAt),
    };
    await store.save(c);
  }
  await store.flushed();
  // The index file, as the app writes it 2 s after the last change to an ended conversation.
  await store.writeIndex();
}

export async function coreFootprint(
  logger: Logger,
  options: { runs?: number } = {},
): Promise<CoreFootprintResult> {
  const runs = options.runs ?? 5;
  const work = await mkdtemp(join(tmpdir(), 'kw-core-footprint-'));
  const server = await labServer.start({ logger: logger.child('lab') });
  try {
    const entry = join(work, 'core-entry.ts');
    await writeFile(entry, entrySource());
    const bundled = await bundle(work, entry);
    const key = randomBytes(32);
    const empty = join(work, 'history-empty');
    const full = join(work, 'history-2000');
    await writeHistory(full, key);
    logger.info('core footprint: history written', { conversations: CONVERSATIONS });
    const args = (dir: string) => [server.url, dir, key.toString('hex')];
    const idle: ChildReport[] = [];
    const withHistory: ChildReport[] = [];
    const tsx: ChildReport[] = [];
    const boots: number[] = [];
    // Interleaved, so a busy moment of the machine falls on every kind alike.
    for (let i = 0; i < runs; i += 1) {
      idle.push(await runChild(bundled, [], args(empty), IDLE_MS));
      withHistory.push(await runChild(bundled, [], args(full), IDLE_MS));
      tsx.push(await runChild(entry, ['--import', 'tsx'], args(empty), 0));
      boots.push(await nodeBoot(work));
    }
    const listed = withHistory[0]?.listed ?? 0;
    if (listed !== CONVERSATIONS)
      throw new Error(`the core listed ${listed} conversations, not ${CONVERSATIONS}`);
    const med = (rows: ChildReport[], pick: (r: ChildReport) => number) => summarize(rows.map(pick)).median;
    const rssIdleMb = med(idle, (r) => r.idle.rssMb);
    const rssWithHistoryMb = med(withHistory, (r) => r.idle.rssMb);
    const rssIdleSoonMb = med(idle, (r) => r.soon.rssMb);
    const rssWithHistorySoonMb = med(withHistory, (r) => r.soon.rssMb);
    return {
      runs,
      conversations: CONVERSATIONS,
      messagesPerConversation: MESSAGES,
      startBundleMs: med(idle, (r) => r.startMs),
      startBundleCpuMs: med(idle, (r) => r.startCpuMs),
      nodeBootMs: summarize(boots).median,
      phases: {
        bootMs: med(idle, (r) => r.phases.bootMs),
        evaluatedMs: med(idle, (r) => r.phases.evaluatedMs),
        builtMs: med(idle, (r) => r.phases.builtMs),
        connectedMs: med(idle, (r) => r.phases.connectedMs),
        registeredMs: med(idle, (r) => r.phases.registeredMs),
      },
      restoredWithHistoryMs: med(withHistory, (r) => r.restoredMs),
      startTsxMs: med(tsx, (r) => r.startMs),
      startBundleWithHistoryMs: med(withHistory, (r) => r.startMs),
      rssIdleMb,
      rssWithHistoryMb,
      growthMb: rssWithHistoryMb - rssIdleMb,
      rssIdleSoonMb,
      rssWithHistorySoonMb,
      growthSoonMb: rssWithHistorySoonMb - rssIdleSoonMb,
      heapIdleMb: med(idle, (r) => r.idle.heapMb),
      heapWithHistoryMb: med(withHistory, (r) => r.idle.heapMb),
      heapTotalIdleMb: med(idle, (r) => r.idle.heapTotalMb),
      heapTotalWithHistoryMb: med(withHistory, (r) => r.idle.heapTotalMb),
      growthAnonMb: med(withHistory, (r) => r.idle.rssAnonMb) - med(idle, (r) => r.idle.rssAnonMb),
      growthFileMb: med(withHistory, (r) => r.idle.rssFileMb) - med(idle, (r) => r.idle.rssFileMb),
    };
  } finally {
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** The figures as lines of text, for this file's CLI and `npm run bench`. */
export function coreFootprintLines(r: CoreFootprintResult): string[] {
  const f = (n: number) => n.toFixed(1);
  return [
    `KW core footprint (medians of ${r.runs} fresh processes; ${r.conversations} ended conversations × ${r.messagesPerConversation} messages)`,
    `start → registered + published, bundle: ${f(r.startBundleMs)} ms, CPU ${f(r.startBundleCpuMs)} ms (tsx: ${f(r.startTsxMs)} ms)`,
    `  of which: Node's own boot ${f(r.nodeBootMs)} ms (a trivial script forked alike); bundle's first line ${f(r.phases.bootMs)}, evaluated ${f(r.phases.evaluatedMs)}, core built ${f(r.phases.builtMs)}, socket open ${f(r.phases.connectedMs)}, REGISTER 200 ${f(r.phases.registeredMs)} ms`,
    `start → registered + published, bundle with history: ${f(r.startBundleWithHistoryMs)} ms (history restored at ${f(r.restoredWithHistoryMs)} ms)`,
    `RSS idle: ${f(r.rssIdleMb)} MB (V8 heap in use ${f(r.heapIdleMb)} MB of ${f(r.heapTotalIdleMb)} MB)`,
    `RSS with history: ${f(r.rssWithHistoryMb)} MB (V8 heap in use ${f(r.heapWithHistoryMb)} MB of ${f(r.heapTotalWithHistoryMb)} MB), growth ${f(r.growthMb)} MB`,
    `  growth split: anonymous ${f(r.growthAnonMb)} MB, file-backed (Node's own code pages) ${f(r.growthFileMb)} MB`,
    `right after start (no quiet spell before the GC): ${f(r.rssIdleSoonMb)} MB / ${f(r.rssWithHistorySoonMb)} MB, growth ${f(r.growthSoonMb)} MB`,
  ];
}

async function main(): Promise<void> {
  const logger = createLogger((r) => process.stderr.write(`${r.msg}\n`), 'info');
  const r = await coreFootprint(logger, { runs: process.argv.includes('--quick') ? 3 : 5 });
  process.stdout.write(`${coreFootprintLines(r).join('\n')}\n`);
}

if (process.argv.includes('--main') || import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
