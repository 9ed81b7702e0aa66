/**
 * WebSocket MESSAGE load on a SIP server: N pairs of raw WebSocket clients
 * (ws-load-client.ts) register, then MESSAGEs go between the two of each pair
 * and are answered 200 by the receiver; bounded in count and time. Open loop
 * at a given rate (latency at a known load) or closed loop (the server's
 * maximum throughput). The clients run in forked worker processes
 * (ws-load-worker.ts) so that the generator is not the bottleneck; their
 * reports are merged (ws-load-result.ts). The lab server runs in this process
 * (its CPU is this process's), Kamailio in its own process group.
 *
 *   npx tsx test/bench/ws-load.bench.ts [--pairs 10] [--seconds 10] [--rate 5000]
 *        [--max 200000] [--workers 2] [--window 20] [--servers lab,kamailio]
 *        [--runs max,open,pinned]
 * prints, per server: closed-loop maximum, open loop at --rate, and the open loop
 * again with the server and the generator on separate CPUs (as in npm run bench).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleSink, createLogger, type Logger } from '../../main/core/log.js';
import { kamailioServer, labServer, type ServerFactory, type ServerUnderTest } from '../support/servers.js';
import { cpuNow, cpuPercent, type CpuSample } from './proc-stats.js';
import { absNow } from './ws-load-driver.js';
import { affinityOf, childGroupPids, defaultPlacement, pin, type Placement } from './ws-load-pin.js';
import { mergeReports, split, type LoadFigures, type WorkerReport } from './ws-load-result.js';
import type { FromWorker, ToWorker, WorkerSetup } from './ws-load-worker.js';

export interface WsLoadOptions {
  readonly pairs: number;
  /** MESSAGEs per second (open loop); absent: closed loop, `window` in flight per pair. */
  readonly rate?: number;
  readonly seconds: number;
  readonly maxMessages: number;
  /** Worker processes (default 2, at most `pairs`). */
  readonly workers?: number;
  /** Closed loop: MESSAGEs in flight per pair (default 20). */
  readonly window?: number;
  /** A MESSAGE without a final response after this counts as an error (default 5,000 ms). */
  readonly timeoutMs?: number;
  /** Server and generator pinned to these CPUs (taskset); absent: wherever the scheduler puts them. */
  readonly placement?: Placement;
}

export interface WsLoadResult extends LoadFigures {
  readonly server: 'lab' | 'kamailio';
  readonly mode: string;
  /** The server's CPU during the load, % of one core (the lab's: this process's). */
  readonly serverCpu: number | undefined;
  /** The whole machine's busy CPU during the load, % of one core (200 = both cores of a 2-core box). */
  readonly machineCpu: number | undefined;
  /** The CPUs the server and the generator were pinned to, when they were (the setup of this row). */
  readonly placement: Placement | undefined;
  /** What else ran meanwhile (machine − server − generator − this process), % of one core: a disturbed run shows here. */
  readonly otherCpu: number | undefined;
}

const WORKER = fileURLToPath(new URL('./ws-load-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_LEAD_MS = 200;
const SETUP_TIMEOUT_MS = 60_000;

/** One worker process and its next message. */
class Worker {
  private readonly child: ChildProcess;
  private readonly inbox: FromWorker[] = [];
  private waiting: ((m: FromWorker) => void) | undefined;

  constructor(
    readonly index: number,
    cpus: string | undefined,
  ) {
    this.child = fork(WORKER, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (cpus !== undefined && this.child.pid !== undefined) pin(this.child.pid, cpus);
    this.child.on('message', (m: FromWorker) => this.deliver(m));
    this.child.on('exit', (code) =>
      this.deliver({ type: 'failed', error: `worker ${index} exited (${String(code)})` }),
    );
  }

  send(m: ToWorker): void {
    this.child.send(m);
  }

  /** The next message; a `failed` one (or silence past the timeout) throws. */
  next(timeoutMs: number): Promise<Exclude<FromWorker, { type: 'failed' }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${this.index}: no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const take = (m: FromWorker): void => {
        clearTimeout(timer);
        if (m.type === 'failed') reject(new Error(`worker ${this.index}: ${m.error}`));
        else resolve(m);
      };
      const queued = this.inbox.shift();
      if (queued) take(queued);
      else this.waiting = take;
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private deliver(m: FromWorker): void {
    const w = this.waiting;
    this.waiting = undefined;
    if (w) w(m);
    else this.inbox.push(m);
  }
}

function modeOf(o: WsLoadOptions): WorkerSetup['mode'] {
  return o.rate === undefined ? { kind: 'closed', window: o.window ?? 20 } : { kind: 'open', rate: o.rate };
}

async function runWorkers(
  server: ServerUnderTest,
  o: WsLoadOptions,
): Promise<{ reports: WorkerReport[]; cpu: [CpuSample, CpuSample] }> {
  const count = Math.max(1, Math.min(o.workers ?? 2, o.pairs));
  const pairs = split(o.pairs, count);
  const messages = split(o.maxMessages, count);
  const mode = modeOf(o);
  const workers = pairs.map((_, i) => new Worker(i, o.placement?.generator));
  try {
    workers.forEach((w, i) =>
      w.send({
        type: 'setup',
        url: server.url,
        domain: server.domain,
        prefix: `load${i}`,
        pairs: pairs[i] ?? 0,
        mode: mode.kind === 'open' ? { kind: 'open', rate: (mode.rate * (pairs[i] ?? 0)) / o.pairs } : mode,
        seconds: o.seconds,
        maxMessages: messages[i] ?? 0,
        timeoutMs: o.timeoutMs ?? 5_000,
      }),
    );
    for (const w of workers) await w.next(SETUP_TIMEOUT_MS);
    const startAt = absNow() + START_LEAD_MS;
    for (const w of workers) w.send({ type: 'go', startAt });
    const before = cpuNow({ routers: [] });
    const limit = START_LEAD_MS + o.seconds * 1000 + (o.timeoutMs ?? 5_000) + SETUP_TIMEOUT_MS;
    const replies = await Promise.all(workers.map((w) => w.next(limit)));
    const after = cpuNow({ routers: [] });
    const reports = replies.map((r) => {
      if (r.type !== 'report') throw new Error(`expected a report, got ${r.type}`);
      return r.report;
    });
    return { reports, cpu: [before, after] };
  } finally {
    for (const w of workers) w.stop();
  }
}

/** Starts a server with `factory`, runs one load on it, stops it. */
export async function wsMessageLoad(
  factory: ServerFactory,
  o: WsLoadOptions,
  logger: Logger,
): Promise<WsLoadResult> {
  const server = await factory.start({ logger });
  let unpin: (() => void) | undefined;
  try {
    if (o.placement !== undefined) unpin = pinServer(factory.kind, o.placement.server);
    const { reports, cpu } = await runWorkers(server, o);
    const [before, after] = cpu;
    const figures = mergeReports(reports);
    const serverCpu = cpuPercent(before, after, (c) => (factory.kind === 'lab' ? c.bench : c.kamailio));
    const machineCpu = cpuPercent(before, after, (c) => c.machine);
    const benchCpu = factory.kind === 'lab' ? 0 : (cpuPercent(before, after, (c) => c.bench) ?? 0);
    const otherCpu =
      serverCpu === undefined || machineCpu === undefined
        ? undefined
        : Math.max(0, machineCpu - serverCpu - benchCpu - figures.generator.cpuPercent);
    return {
      ...figures,
      server: factory.kind,
      mode: modeLabel(factory.kind, o),
      placement: o.placement,
      serverCpu,
      machineCpu,
      otherCpu,
    };
  } finally {
    unpin?.();
    await server.close();
  }
}

/** Pins the server (Kamailio's processes, or this process for the in-process lab server); returns the undo. */
function pinServer(kind: ServerFactory['kind'], cpus: string): () => void {
  if (kind === 'lab') {
    const before = affinityOf(process.pid);
    pin(process.pid, cpus);
    return () => pin(process.pid, before);
  }
  const pids = childGroupPids('kamailio');
  if (pids.length === 0) throw new Error('placement: no Kamailio process found to pin');
  for (const pid of pids) pin(pid, cpus);
  return () => undefined; // Kamailio stops with the run
}

function modeLabel(kind: ServerFactory['kind'], o: WsLoadOptions): string {
  const load = o.rate === undefined ? `max (${o.window ?? 20} in flight/pair)` : `${o.rate}/s`;
  const p = o.placement;
  return p === undefined ? load : `${load}, ${kind} on CPU ${p.server}, generator on CPU ${p.generator}`;
}

const f0 = (n: number | undefined): string => (n === undefined ? '?' : Math.round(n).toLocaleString('en-US'));
const f1 = (n: number): string => n.toFixed(1);

export function wsLoadTable(results: readonly WsLoadResult[]): string {
  const head = [
    'server',
    'load',
    'sent',
    '2xx/s',
    'errors',
    'p50 ms',
    'p99 ms',
    'max ms',
    'server CPU %',
    'machine CPU %',
    'p99 from send',
    'gen: send lag p99',
    'gen: loop delay p99/max',
    'gen CPU %',
    'other CPU %',
  ];
  const rows = results.map((r) => [
    r.server,
    r.mode,
    f0(r.sent),
    f0(r.throughput),
    `${r.errors}${r.errors > 0 ? ` ${JSON.stringify({ ...r.statuses, ...(r.timeouts > 0 ? { timeout: r.timeouts } : {}) })}` : ''}`,
    f1(r.p50Ms),
    f1(r.p99Ms),
    f1(r.maxMs),
    f0(r.serverCpu),
    f0(r.machineCpu),
    f1(r.generator.wireP99Ms),
    f1(r.generator.sendLagP99Ms),
    `${f1(r.generator.loopDelayP99Ms)} / ${f1(r.generator.loopDelayMaxMs)}`,
    f0(r.generator.cpuPercent),
    f0(r.otherCpu),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The bench's load: on each server, the closed-loop maximum and an open loop
 * at `rate`, `pairs` pairs for `seconds` each (at most `maxMessages`); on a
 * machine with 2 CPUs or more, the open loop again with the server and the
 * generator on separate CPUs (the setup is in the row's load label).
 */
export async function wsLoadSuite(
  factories: readonly ServerFactory[],
  o: WsLoadOptions & { readonly rate: number },
  logger: Logger,
): Promise<WsLoadResult[]> {
  const results: WsLoadResult[] = [];
  for (const factory of factories) {
    const { rate, ...closedLoop } = o;
    results.push(await wsMessageLoad(factory, closedLoop, logger));
    results.push(await wsMessageLoad(factory, { ...closedLoop, rate }, logger));
    const placement = defaultPlacement();
    if (placement !== undefined)
      results.push(await wsMessageLoad(factory, { ...closedLoop, rate, placement }, logger));
  }
  return results;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pairs: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '10' },
      rate: { type: 'string', default: '5000' },
      max: { type: 'string', default: '200000' },
      workers: { type: 'string', default: '2' },
      window: { type: 'string', default: '20' },
      servers: { type: 'string', default: 'lab,kamailio' },
      runs: { type: 'string', default: 'max,open,pinned' },
    },
    strict: true,
  });
  const num = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: a positive number (got ${v})`);
    return n;
  };
  const base = {
    pairs: num('pairs', values.pairs),
    seconds: num('seconds', values.seconds),
    maxMessages: num('max', values.max),
    workers: num('workers', values.workers),
    window: num('window', values.window),
  };
  const logger = createLogger(consoleSink(process.stderr), 'warn', 'bench');
  const factories = { lab: labServer, kamailio: kamailioServer };
  const available: ServerFactory[] = [];
  for (const name of values.servers.split(',')) {
    if (name !== 'lab' && name !== 'kamailio')
      throw new Error(`--servers: lab and/or kamailio (got ${name})`);
    const factory = factories[name];
    if (await factory.available()) available.push(factory);
    else process.stderr.write(`${name} is not available here: skipped\n`);
  }
  const rate = num('rate', values.rate);
  const placement = defaultPlacement();
  const runs: Record<string, WsLoadOptions> = {
    max: base,
    open: { ...base, rate },
    ...(placement === undefined ? {} : { pinned: { ...base, rate, placement } }),
  };
  const results: WsLoadResult[] = [];
  for (const factory of available)
    for (const name of values.runs.split(',')) {
      const run = runs[name];
      if (run === undefined) throw new Error(`--runs: ${Object.keys(runs).join(', ')} (got ${name})`);
      results.push(await wsMessageLoad(factory, run, logger));
    }
  process.stdout.write(`${wsLoadTable(results)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
