/**
 * The router at scale: one routing point whose members are N KWs
 * (`sip:kwNNNN@domain`), the router run as operators run it, a process of its
 * own through its CLI (`node --import tsx router/cli.ts`, memory store, one
 * instance), on the lab SIP server and on Kamailio.
 *
 * - N − K KWs exist only as presence (busy, published by presence-load.ts over
 *   a few raw connections); K are real registered user agents (raw-ua.ts) that
 *   publish Available, answer the preview 200 and accept it at once, so every
 *   request is routed to one of them.
 * - Watches up: the router's `kw_router_kws` gauge reads K Ready and N − K
 *   NotReady. A subscription being renewed also reads NotReady
 *   (`presence-unknown`), so every live watch is then proven: the N − K change to
 *   `away`, which the config's routing table maps to LoggedOut (only a NOTIFY
 *   can bring that), and back to busy; both rounds are figures too (N − K
 *   changes at CHANGE_RATE per second → all seen by the router).
 * - Figures: the routing decision seen from outside (the agent's MESSAGE sent →
 *   the preview MESSAGE arriving at the KW), sequential; whole interactions per
 *   second (request → preview → accept → routed → `end` to the KW and to the
 *   routing point) with K × capacity interactions at once for a bounded time;
 *   the router's RSS (/proc/PID/status) once all N watches are up, idle; the
 *   CPU of the router, of this process and of Kamailio during the load.
 * - Nothing is asserted: a scenario that cannot be run (the server does not
 *   hold N subscriptions, the router does not see N states in time) is a result
 *   with the stage and the reason, and the next scenario runs.
 *
 * Every process started here (the router CLI, Kamailio through its factory) is
 * stopped in `finally`, and the router by its PID on exit or a signal too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../../lab/kamailio/launcher.js';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, formatLine, type Logger } from '../../main/core/log.js';
import type { SipRequest } from '../../lab/sip-server/message.js';
import { encodeControlMessage, isControlContentType, parseControlMessage } from '../../wire/control.js';
import { CONTROL_CONTENT_TYPE, PIDF_CONTENT_TYPE, TEXT_PLAIN_UTF8 } from '../../wire/content-types.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import { encodePidf } from '../../wire/presence/pidf.js';
import { presenceDocument } from '../../wire/presence/states.js';
import type { ServerFactory, ServerUnderTest } from '../support/servers.js';
import { kwUser, publishPresence, type PresenceLoadResult } from './presence-load.js';
import { RawUa } from './raw-ua.js';
import { percentile } from './stats.js';

export const ROUTER_SCALE_GOALS = {
  /** p99 of the routing decision at 10,000 KWs. */
  decisionP99Ms: 5,
  decisionAtN: 10_000,
  /** Whole interactions per second over Kamailio. */
  interactionsPerSecond: 200,
  /** Router RSS with all watches up, idle. */
  rssMb: 200,
} as const;

export interface RouterScalePlan {
  readonly ns: readonly number[];
  /** Ready KWs that are real user agents. */
  readonly readyKws: number;
  /** Interactions at once per Ready KW (the routing point's capacity). */
  readonly capacity: number;
  readonly latencyRuns: number;
  readonly warmupRuns: number;
  readonly throughputSeconds: number;
}

export interface Quantiles {
  readonly runs: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface RouterScaleResult {
  readonly server: 'lab' | 'kamailio';
  readonly n: number;
  readonly readyKws: number;
  readonly capacity: number;
  /** Set when the scenario stopped early: the stage and why. The figures measured before stay. */
  failure?: { readonly stage: string; readonly reason: string };
  /** Each PUBLISH round of the load generator: initial (busy), to away, back to busy. */
  presence?: Record<string, Omit<PresenceLoadResult, 'etags'>>;
  /**
   * Per change round (N − K PUBLISHes at CHANGE_RATE): first PUBLISH → the router's
   * gauge shows all N − K in the new state, and the part of that after the last
   * PUBLISH was answered (the router's backlog).
   */
  presenceChanges?: Record<string, { readonly ms: number; readonly afterLastPublishMs: number }>;
  /** The slowest /metrics answer while the watches came up (the router's event loop was that late). */
  slowestScrapeMs?: number;
  /** "SIP connection lost" lines of the router until all members were seen / by the end. */
  connectionLossesWhileSubscribing?: number;
  connectionLosses?: number;
  /** Router process start → registered (/healthz 200). */
  registeredAfterMs?: number;
  /** Router process start → all N members in a state from presence (kw_router_kws). */
  watchesUpAfterMs?: number;
  /** CPU seconds the router had used by then. */
  routerCpuAtWatchesUpS?: number;
  /** The machine's 1-minute load average when the scenario started (other work on the machine skews figures). */
  loadAverageAtStart?: number;
  /** With all watches up, idle: 4 s after the last state arrived; CPU over the last 3 s (% of one core). */
  idle?: {
    readonly rssMb: number;
    readonly heapUsedMb: number | undefined;
    readonly routerCpuPercent: number;
  };
  /** Agent's MESSAGE sent → preview MESSAGE received at the KW, ms, sequential. */
  decision?: Quantiles & {
    /** The router's own kw_router_routing_decision_seconds over the same runs (mean, ms). */
    readonly routerSideMeanMs: number | undefined;
    /** Reference, interleaved with the runs: agent → server → KW, a MESSAGE sent → received, ms. */
    readonly oneHop: Quantiles;
    /** CPU of everything but the router, this process and Kamailio meanwhile (% of one core). */
    readonly otherProcessesCpuPercent: number;
  };
  throughput?: {
    readonly seconds: number;
    readonly concurrency: number;
    readonly completed: number;
    readonly failed: Readonly<Record<string, number>>;
    /** Completed interactions / measured window (the first second is warm-up, not counted). */
    readonly perSecond: number;
    /** Completions per 1 s window: median and lowest. */
    readonly perSecondWindows: { readonly median: number; readonly min: number; readonly windows: number };
    /** One whole interaction, request sent → both `end`s answered, ms. */
    readonly interactionMs: Quantiles;
    /**
     * CPU over the run, % of one core: the router process; this process (the raw
     * agents and KWs, and the lab server, which runs in-process); Kamailio's
     * processes (undefined on the lab server). The machine's cores are the limit.
     */
    /** Router CPU time over the run / interactions completed in it. */
    readonly routerCpuMsPerInteraction: number | undefined;
    readonly cpuPercent: {
      readonly router: number | undefined;
      readonly bench: number | undefined;
      readonly kamailio: number | undefined;
      /** Everything else on the machine (other work skews the figures; the machine has cpus() cores). */
      readonly others: number | undefined;
    };
  };
  /** After the throughput run: RSS now and the peak (VmHWM) of the router process. */
  after?: { readonly rssMb: number; readonly peakRssMb: number };
}

const ROUTING_POINT_USER = 'scale-experts';
const PROBE_HEADER = 'X-Bench-Probe';
/**
 * Diagnosis: `KW_BENCH_ROUTER_LOG=/tmp/router.log npm run bench -- --only router-scale`
 * runs the router at info level and appends its whole output there (the figures
 * then include the cost of that logging: one line per routing state change).
 */
const LOG_FILE = process.env.KW_BENCH_ROUTER_LOG || undefined;
/** Presence changes per second once the router watches (a burst of N at 2000/s outruns the router). */
const CHANGE_RATE = 500;
const AGENT_TIMEOUT_MS = 15_000;
const STALL_MS = 30_000;

// ---------------------------------------------------------------------------
// Processes: the router CLI, stopped by PID whatever happens.

const liveRouters = new Set<ChildProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const child of liveRouters) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
}

interface RouterProcess {
  readonly pid: number;
  readonly base: string;
  readonly startedAt: number;
  output(): string;
  /** How many times the router logged "SIP connection lost". */
  connectionLosses(): number;
  exited(): boolean;
  stop(): Promise<void>;
}

function spawnRouter(configFile: string, serverUrl: string, httpPort: number): RouterProcess {
  installExitHooks();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'router/cli.ts',
      '--config',
      configFile,
      '--server',
      serverUrl,
      '--http',
      `127.0.0.1:${httpPort}`,
      '--instance',
      'bench-scale',
      '--log-level',
      LOG_FILE === undefined ? 'warn' : 'info',
    ],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logFile = LOG_FILE === undefined ? undefined : createWriteStream(LOG_FILE, { flags: 'a' });
  if (child.pid === undefined) throw new Error('the router process did not start');
  liveRouters.add(child);
  let out = '';
  let partial = '';
  let losses = 0;
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    out = (out + text).slice(-16_000);
    logFile?.write(chunk);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.includes('SIP connection lost')) losses += 1;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => logFile?.end());
  void exit.then(() => liveRouters.delete(child));
  const pid = child.pid;
  let stopping: Promise<void> | undefined;
  return {
    pid,
    base: `http://127.0.0.1:${httpPort}`,
    startedAt: performance.now(),
    output: () => out,
    connectionLosses: () => losses,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        // A clean stop unsubscribes N watches: give it time, then SIGKILL this PID.
        process.kill(pid, 'SIGTERM');
        const stopped = await Promise.race([exit.then(() => true), sleep(30_000).then(() => false)]);
        if (!stopped) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
          await exit;
        }
      })()),
  };
}

/** VmRSS and VmHWM of a process, MB (Linux). */
function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Linux /proc/PID/stat: comm, ppid, process group and CPU time (utime + stime, seconds; USER_HZ = 100). */
function procStat(pid: number): { comm: string; ppid: number; pgrp: number; cpuS: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, ppid: Number(f[1]), pgrp: Number(f[2]), cpuS: (Number(f[11]) + Number(f[12])) / 100 };
  } catch {
    return undefined;
  }
}

/** CPU seconds of the Kamailio process group(s) this process started (the launcher spawns them detached). */
function kamailioCpuS(): number | undefined {
  const all = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => ({ pid: Number(e), stat: procStat(Number(e)) }));
  const groups = new Set(
    all.filter((p) => p.stat?.comm === 'kamailio' && p.stat.ppid === process.pid).map((p) => p.pid),
  );
  if (groups.size === 0) return undefined;
  return all.reduce((sum, p) => (p.stat && groups.has(p.stat.pgrp) ? sum + p.stat.cpuS : sum), 0);
}

/** CPU use of the router, of this process (clients, and the lab server when it is in-process) and of Kamailio. */
function cpuNow(routerPid: number): {
  at: number;
  router: number;
  bench: number;
  kamailio: number | undefined;
  machine: number;
} {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    router: procStat(routerPid)?.cpuS ?? Number.NaN,
    bench: (own.user + own.system) / 1e6,
    kamailio: kamailioCpuS(),
    machine: machineBusyS(),
  };
}

/** CPU seconds all cores spent busy (not idle, not waiting for I/O) since boot: /proc/stat, USER_HZ = 100. */
function machineBusyS(): number {
  const cpu =
    readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = cpu.reduce((a, b) => a + b, 0);
  return (total - (cpu[3] ?? 0) - (cpu[4] ?? 0)) / 100;
}

// ---------------------------------------------------------------------------
// The router's /metrics.

async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

function kwStates(metrics: string): Record<string, number> {
  const states: Record<string, number> = {};
  for (const m of metrics.matchAll(/^kw_router_kws\{[^}]*state="([A-Za-z]+)"[^}]*\} (\d+)/gm))
    states[m[1] as string] = (states[m[1] as string] ?? 0) + Number(m[2]);
  return states;
}

function metricValue(metrics: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------------------
// Waiting for things by interaction id (they may arrive before the request's 200).

class Waiters<T> {
  private readonly map = new Map<
    string,
    { resolve(v: T): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();

  wait(id: string, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.map.delete(id);
        reject(new Error(`${what}: nothing within ${ms} ms`));
      }, ms);
      this.map.set(id, { resolve, reject, timer });
    });
  }

  resolve(id: string, value: T): void {
    const w = this.map.get(id);
    if (!w) return;
    this.map.delete(id);
    clearTimeout(w.timer);
    w.resolve(value);
  }

  reject(id: string, error: Error): void {
    const w = this.map.get(id);
    if (!w) return;
    this.map.delete(id);
    clearTimeout(w.timer);
    w.reject(error);
  }
}

type Outcome = { kind: 'routed'; kw: string } | { kind: 'not-routed'; reason: string };

function controlOf(req: SipRequest): ReturnType<typeof parseControlMessage> | undefined {
  if (req.method !== 'MESSAGE') return undefined;
  const type = req.headers.get('Content-Type') ?? '';
  if (!isControlContentType(type)) return undefined;
  return parseControlMessage(type, req.body, req.headers.get(INTERACTION_HEADER));
}

/**
 * The contact center around the router: K Ready KWs that accept every preview
 * at once, and agents that ask, wait for `routed`, and end.
 */
class Floor {
  readonly previews = new Waiters<number>();
  readonly outcomes = new Waiters<Outcome>();
  readonly probes = new Waiters<number>();
  readonly kwProblems: Record<string, number> = {};

  constructor(
    private readonly kws: readonly RawUa[],
    private readonly agents: readonly RawUa[],
    private readonly routingPoint: string,
  ) {
    for (const kw of kws) kw.onRequest((req, at) => this.atKw(kw, req, at));
    for (const agent of agents) agent.onRequest((req) => this.atAgent(req));
  }

  private atKw(kw: RawUa, req: SipRequest, at: number): { status: number } {
    const probe = req.headers.get(PROBE_HEADER);
    if (probe !== undefined) {
      this.probes.resolve(probe, at);
      return { status: 200 };
    }
    const parsed = controlOf(req);
    if (!parsed?.ok) return { status: 200 };
    const message = parsed.message;
    if (message.type === 'preview') {
      this.previews.resolve(message.interactionId, at);
      // After our 200 has left (the handler's reply is sent synchronously after it returns).
      queueMicrotask(() => {
        kw.request('MESSAGE', message.routingPoint, {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [`${INTERACTION_HEADER}: ${message.interactionId}`],
          body: encodeControlMessage('preview-answer', {
            interactionId: message.interactionId,
            decision: 'accept',
          }),
        }).then(
          (r) => {
            if (r.status !== 200) this.problem(`preview-answer ${r.status} ${r.reason}`);
          },
          (error: unknown) => this.problem(`preview-answer: ${String(error)}`.slice(0, 80)),
        );
      });
    } else if (message.type === 'preview-cancel') {
      this.problem(`preview-cancel ${message.reason}`);
    }
    return { status: 200 };
  }

  private atAgent(req: SipRequest): { status: number } {
    const parsed = controlOf(req);
    if (!parsed?.ok) return { status: 200 };
    const m = parsed.message;
    if (m.type === 'routed') this.outcomes.resolve(m.interactionId, { kind: 'routed', kw: m.kw.uri });
    else if (m.type === 'not-routed') {
      this.outcomes.resolve(m.interactionId, { kind: 'not-routed', reason: m.reason });
      this.previews.reject(m.interactionId, new Error(`not routed (${m.reason})`));
    }
    return { status: 200 };
  }

  private problem(what: string): void {
    this.kwProblems[what] = (this.kwProblems[what] ?? 0) + 1;
  }

  /**
   * The transport alone: a MESSAGE from an agent straight to a KW, sent → received
   * (one hop through the SIP server; the decision path has two, with the router between).
   */
  async oneHop(agent: RawUa, kw: string): Promise<number> {
    const id = randomUUID();
    const received = this.probes.wait(id, AGENT_TIMEOUT_MS, 'probe');
    received.catch(() => undefined);
    const sentAt = performance.now();
    const r = await agent.request('MESSAGE', kw, {
      contentType: TEXT_PLAIN_UTF8,
      headers: [`${PROBE_HEADER}: ${id}`],
      body: 'probe',
      timeoutMs: AGENT_TIMEOUT_MS,
    });
    if (r.status !== 200) throw new Error(`probe answered ${r.status} ${r.reason}`);
    return (await received) - sentAt;
  }

  /** One whole interaction; resolves with its times, rejects with what went wrong. */
  async interaction(
    agent: RawUa,
    text: string,
  ): Promise<{ sentAt: number; previewAt: number; endedAt: number }> {
    const id = randomUUID();
    const preview = this.previews.wait(id, AGENT_TIMEOUT_MS, 'preview');
    const outcome = this.outcomes.wait(id, AGENT_TIMEOUT_MS, 'routed');
    // Whichever fails first is the reason; the other must not be an unhandled rejection.
    preview.catch(() => undefined);
    outcome.catch(() => undefined);
    const sentAt = performance.now();
    const asked = await agent.request('MESSAGE', this.routingPoint, {
      fromDisplayName: 'Bench Agent',
      contentType: TEXT_PLAIN_UTF8,
      headers: [`${INTERACTION_HEADER}: ${id}`, 'Subject: bench'],
      body: text,
      timeoutMs: AGENT_TIMEOUT_MS,
    });
    if (asked.status !== 200) {
      const error = new Error(`request answered ${asked.status} ${asked.reason}`);
      this.previews.reject(id, error);
      this.outcomes.reject(id, error);
      throw error;
    }
    const previewAt = await preview;
    const result = await outcome;
    if (result.kind !== 'routed') throw new Error(`not routed (${result.reason})`);
    const end = (to: string): Promise<number> =>
      agent
        .request('MESSAGE', to, {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [`${INTERACTION_HEADER}: ${id}`],
          body: encodeControlMessage('end', { interactionId: id }),
          timeoutMs: AGENT_TIMEOUT_MS,
        })
        .then((r) => r.status);
    const [toKw, toRp] = await Promise.all([end(result.kw), end(this.routingPoint)]);
    if (toKw !== 200 || toRp !== 200) throw new Error(`end answered ${toKw} (KW), ${toRp} (routing point)`);
    return { sentAt, previewAt, endedAt: performance.now() };
  }
}

// ---------------------------------------------------------------------------

/** A logger that keeps the last warnings (e.g. Kamailio's) to explain a failure. */
function warningsLogger(): { logger: Logger; last: () => string[] } {
  const lines: string[] = [];
  const logger = createLogger(
    (r) => {
      lines.push(formatLine(r));
      if (lines.length > 20) lines.shift();
    },
    'warn',
    'bench',
  );
  return { logger, last: () => [...lines] };
}

class StageError extends Error {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(message);
  }
}

async function stage<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StageError) throw error;
    throw new StageError(name, error instanceof Error ? error.message : String(error));
  }
}

export async function routerScale(
  factory: ServerFactory,
  n: number,
  plan: RouterScalePlan,
  report: (line: string) => void = () => undefined,
): Promise<RouterScaleResult> {
  const k = Math.min(plan.readyKws, n);
  const result: RouterScaleResult = {
    server: factory.kind,
    n,
    readyKws: k,
    capacity: plan.capacity,
    loadAverageAtStart: loadavg()[0],
  };
  const warnings = warningsLogger();
  let routerProcess: RouterProcess | undefined;
  const closers: Array<() => Promise<unknown>> = [];
  const later = (fn: () => Promise<unknown>): void => void closers.unshift(fn);
  const stopOnSignal = (): void => {
    // Stop what this scenario started, then let the exit hooks (router PID, Kamailio group) run.
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
    // router starts at 2000/s, later changes at CHANGE_RATE.
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
      report(
        `  ${factory.kind} N=${n}: ${r.published}/${r.requested} ${state} published (${round}) in ${fmtS(r.elapsedMs)}`,
      );
      if (r.published < r.requested) {
        throw new StageError(
          `publish presence (${round})`,
          `${r.published} of ${r.requested} published (${JSON.stringify(r.failures)}, ${r.notSent} not sent in time)`,
        );
      }
    };
    await publishRound('initial', 'busy', 2000);

    // The router, a process of its own, members kw0000 … kw(N-1). `away` counts as
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
    const router = spawnRouter(configFile, server.url, await freePort());
    routerProcess = router;
    later(() => router.stop());

    await stage('router registered', async () => {
      const deadline = router.startedAt + 30_000;
      for (;;) {
        if (router.exited()) throw new Error(`the router exited:\n${router.output()}`);
        const ok = await fetch(`${router.base}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) break;
        if (performance.now() > deadline)
          throw new Error(`/healthz not 200 within 30 s:\n${router.output()}`);
        await sleep(100);
      }
      result.registeredAfterMs = performance.now() - router.startedAt;
    });

    /** Polls the kw_router_kws gauge until it reads `expected`; fails on a stall, the deadline or the router's exit. */
    const waitForStates = async (
      what: string,
      expected: { Ready: number; NotReady: number; LoggedOut: number },
      deadlineMs: number,
    ): Promise<void> => {
      const t0 = performance.now();
      let last = '';
      let lastChange = t0;
      let lastReport = t0;
      slowest = 0;
      for (;;) {
        if (router.exited()) throw new Error(`the router exited:\n${router.output()}`);
        // A router busy with N NOTIFYs may not answer a scrape in time: that is no progress, not a failure.
        const asked = performance.now();
        const states: Record<string, number | string> = await scrape(router.base).then(
          kwStates,
          (error: unknown) => ({ scrape: String(error).slice(0, 60) }),
        );
        slowest = Math.max(slowest, performance.now() - asked);
        if (
          Number(states.Ready ?? 0) === expected.Ready &&
          Number(states.NotReady ?? 0) === expected.NotReady &&
          Number(states.LoggedOut ?? 0) === expected.LoggedOut
        )
          return;
        const now = performance.now();
        const seen = JSON.stringify(states);
        if (now - lastReport > 10_000) {
          lastReport = now;
          report(`  ${factory.kind} N=${n}: ${what}: after ${fmtS(now - t0)} the router sees ${seen}`);
        }
        if (seen !== last && !('scrape' in states)) {
          last = seen;
          lastChange = now;
        }
        if (now - lastChange > STALL_MS || now - t0 > deadlineMs) {
          const why = now - t0 > deadlineMs ? 'time is up' : `no change for ${STALL_MS / 1000} s`;
          throw new Error(
            `${what}: the router sees ${seen}, expected ${JSON.stringify(expected)}; ${why}; ` +
              `SIP connection lost ${router.connectionLosses()} time(s)` +
              tailOf('router', router.output()) +
              tailOf('server warnings', warnings.last().join('\n')),
          );
        }
        await sleep(200);
      }
    };
    let slowest = 0;
    const allSeen = { Ready: k, NotReady: n - k, LoggedOut: 0 };
    const deadline = 60_000 + n * 10;
    // First NOTIFY of every watch (or, for a few, the NotReady of a subscription being renewed).
    await stage('watches up', async () => {
      try {
        await waitForStates('watches up', allSeen, deadline);
      } finally {
        result.slowestScrapeMs = slowest;
        result.connectionLossesWhileSubscribing = router.connectionLosses();
      }
      result.watchesUpAfterMs = performance.now() - router.startedAt;
      result.routerCpuAtWatchesUpS = procStat(router.pid)?.cpuS;
    });
    report(
      `  ${factory.kind} N=${n}: router registered after ${fmtS(result.registeredAfterMs)}, ${n} members seen after ${fmtS(result.watchesUpAfterMs)}`,
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
      `  ${factory.kind} N=${n}: ${n - k} presence changes at ${CHANGE_RATE}/s seen in ${fmtS(result.presenceChanges?.['to away']?.ms)} and ${fmtS(result.presenceChanges?.['back to busy']?.ms)}`,
    );

    await stage('idle memory', async () => {
      await sleep(1000);
      const before = cpuNow(router.pid);
      await sleep(3000);
      const after = cpuNow(router.pid);
      const metrics = await scrape(router.base);
      const heap = metricValue(metrics, 'nodejs_heap_size_used_bytes');
      result.idle = {
        rssMb: memoryOf(router.pid).rssMb,
        heapUsedMb: heap === undefined ? undefined : heap / 1024 / 1024,
        routerCpuPercent: ((after.router - before.router) / ((after.at - before.at) / 1000)) * 100,
      };
    });

    await stage('decision latency', async () => {
      for (let i = 0; i < plan.warmupRuns; i += 1)
        await floor.interaction(agents[0] as RawUa, `warm-up ${i}`);
      const before = decisionHistogram(await scrape(router.base));
      const cpuBefore = cpuNow(router.pid);
      const samples: number[] = [];
      const hops: number[] = [];
      for (let i = 0; i < plan.latencyRuns; i += 1) {
        // Interleaved, so both see the same conditions.
        hops.push(await floor.oneHop(agents[0] as RawUa, (kws[i % kws.length] as RawUa).aor));
        const t = await floor.interaction(agents[0] as RawUa, `run ${i}`);
        samples.push(t.previewAt - t.sentAt);
      }
      const cpuAfter = cpuNow(router.pid);
      const after = decisionHistogram(await scrape(router.base));
      const count = after.count - before.count;
      const others = (c: typeof cpuBefore): number => c.machine - c.router - c.bench - (c.kamailio ?? 0);
      result.decision = {
        ...quantiles(samples),
        routerSideMeanMs: count > 0 ? ((after.sum - before.sum) / count) * 1000 : undefined,
        oneHop: quantiles(hops),
        otherProcessesCpuPercent: Math.max(
          0,
          ((others(cpuAfter) - others(cpuBefore)) / ((cpuAfter.at - cpuBefore.at) / 1000)) * 100,
        ),
      };
    });

    await stage('throughput', async () => {
      const failed: Record<string, number> = {};
      const done: Array<{ at: number; ms: number }> = [];
      const cpuBefore = cpuNow(router.pid);
      const start = performance.now();
      const stopAt = start + plan.throughputSeconds * 1000;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, i) => {
          const agent = agents[i] as RawUa;
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
      const cpuAfter = cpuNow(router.pid);
      const wallS = (cpuAfter.at - cpuBefore.at) / 1000;
      const percent = (a: number | undefined, b: number | undefined): number | undefined =>
        a === undefined || b === undefined ? undefined : Math.max(0, ((b - a) / wallS) * 100);
      // The first second is warm-up; the window ends at the last start's deadline.
      const from = start + 1000;
      const counted = done.filter((d) => d.at >= from && d.at < stopAt);
      const windows: number[] = [];
      for (let w = from; w + 1000 <= stopAt; w += 1000)
        windows.push(counted.filter((d) => d.at >= w && d.at < w + 1000).length);
      const sortedWindows = [...windows].sort((a, b) => a - b);
      result.throughput = {
        seconds: plan.throughputSeconds,
        concurrency,
        completed: done.length,
        failed: { ...failed, ...prefixed('KW side: ', floor.kwProblems) },
        perSecond: counted.length / ((stopAt - from) / 1000),
        perSecondWindows: {
          median: percentile(sortedWindows, 0.5),
          min: sortedWindows[0] ?? 0,
          windows: windows.length,
        },
        interactionMs: quantiles(done.map((d) => d.ms)),
        routerCpuMsPerInteraction:
          done.length > 0 ? ((cpuAfter.router - cpuBefore.router) * 1000) / done.length : undefined,
        cpuPercent: {
          router: percent(cpuBefore.router, cpuAfter.router),
          bench: percent(cpuBefore.bench, cpuAfter.bench),
          kamailio: percent(cpuBefore.kamailio, cpuAfter.kamailio),
          others: percent(
            cpuBefore.machine - cpuBefore.router - cpuBefore.bench - (cpuBefore.kamailio ?? 0),
            cpuAfter.machine - cpuAfter.router - cpuAfter.bench - (cpuAfter.kamailio ?? 0),
          ),
        },
      };
      result.after = memoryOf(router.pid);
    });
  } catch (error) {
    result.failure =
      error instanceof StageError
        ? { stage: error.stage, reason: error.message }
        : { stage: 'unexpected', reason: error instanceof Error ? error.message : String(error) };
    // What the router and the server said last (warnings and worse), unless the reason has it already.
    if (!result.failure.reason.includes('--- ')) {
      result.failure = {
        ...result.failure,
        reason:
          result.failure.reason +
          tailOf('router', routerProcess?.output() ?? '') +
          tailOf('server warnings', warnings.last().join('\n')),
      };
    }
    report(
      `  ${factory.kind} N=${n}: FAILED at ${result.failure.stage}: ${firstLine(result.failure.reason)}`,
    );
  } finally {
    // Before the router stops (its stop is a clean one, no loss is logged then).
    if (routerProcess) result.connectionLosses = routerProcess.connectionLosses();
    for (const fn of closers.splice(0)) await fn().catch(() => undefined);
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
  return result;
}

/**
 * The router process with one member, registered and idle: the RSS that does
 * not depend on N (Node, tsx's loader, JsSIP, prom-client, the code).
 */
export async function routerBaseline(
  factory: ServerFactory,
): Promise<{ rssMb: number } | { failure: string }> {
  const warnings = warningsLogger();
  const server = await factory.start({ logger: warnings.logger });
  const dir = await mkdtemp(join(tmpdir(), 'kw-router-scale-'));
  let router: RouterProcess | undefined;
  try {
    const configFile = join(dir, 'router.json');
    await writeFile(
      configFile,
      JSON.stringify({
        domain: server.domain,
        routingPoints: [{ uri: ROUTING_POINT_USER, strategy: 'longest-idle', members: ['kw0000'] }],
      }),
    );
    const started = spawnRouter(configFile, server.url, await freePort());
    router = started;
    const deadline = performance.now() + 30_000;
    for (;;) {
      if (started.exited()) throw new Error(`the router exited:\n${started.output()}`);
      const ok = await fetch(`${started.base}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() > deadline) throw new Error('/healthz not 200 within 30 s');
      await sleep(100);
    }
    await sleep(4000);
    return { rssMb: memoryOf(started.pid).rssMb };
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error) };
  } finally {
    await router?.stop();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function routerScaleSuite(
  factories: readonly ServerFactory[],
  plan: RouterScalePlan,
  report: (line: string) => void,
): Promise<RouterScaleResult[]> {
  const results: RouterScaleResult[] = [];
  for (const factory of factories) {
    for (const n of plan.ns) {
      report(`router at scale: ${factory.kind}, N = ${n} …`);
      results.push(await routerScale(factory, n, plan, report));
    }
  }
  return results;
}

// ---------------------------------------------------------------------------
// The table.

export function printRouterScale(
  plan: RouterScalePlan,
  results: readonly RouterScaleResult[],
  baseline?: { rssMb: number } | { failure: string },
): void {
  const g = ROUTER_SCALE_GOALS;
  console.log(
    `\nrouter at scale: router CLI process, memory store, one instance; K = ${plan.readyKws} Ready KWs (raw user agents) × capacity ${plan.capacity}, the other N − K busy (presence only)`,
  );
  if (baseline)
    console.log(
      'rssMb' in baseline
        ? `router RSS with 1 member, registered, idle (lab server): ${baseline.rssMb.toFixed(1)} MB`
        : `router RSS with 1 member: not measured (${firstLine(baseline.failure)})`,
    );
  const head = [
    'server'.padEnd(9),
    'N'.padStart(6),
    'figure'.padEnd(44),
    'runs'.padStart(6),
    'p50'.padStart(9),
    'p99'.padStart(9),
    'value'.padStart(9),
    'goal'.padEnd(22),
    'verdict',
  ];
  console.log(head.join(' '));
  const f = (x: number | undefined, digits = 2): string => (x === undefined ? '' : x.toFixed(digits));
  const row = (
    r: RouterScaleResult,
    figure: string,
    cells: { runs?: number; p50?: number; p99?: number; value?: number; digits?: number },
    goal = '',
    verdict = '',
  ): void => {
    console.log(
      [
        r.server.padEnd(9),
        String(r.n).padStart(6),
        figure.padEnd(44),
        (cells.runs === undefined ? '' : String(cells.runs)).padStart(6),
        f(cells.p50).padStart(9),
        f(cells.p99).padStart(9),
        f(cells.value, cells.digits ?? 1).padStart(9),
        goal.padEnd(22),
        verdict,
      ].join(' '),
    );
  };
  for (const r of results) {
    if (r.watchesUpAfterMs !== undefined)
      row(r, `router start → presence of all ${r.n} seen (s)`, { value: r.watchesUpAfterMs / 1000 });
    if (r.routerCpuAtWatchesUpS !== undefined)
      row(r, '  router CPU used by then (s)', { value: r.routerCpuAtWatchesUpS });
    if (r.slowestScrapeMs !== undefined)
      row(r, '  slowest /metrics answer meanwhile (s)', { value: r.slowestScrapeMs / 1000 });
    for (const [round, c] of Object.entries(r.presenceChanges ?? {}))
      row(r, `${r.n - r.readyKws} changes at ${CHANGE_RATE}/s (${round}) seen (s)`, {
        value: c.ms / 1000,
      });
    if (r.idle) {
      row(
        r,
        `router RSS, ${r.n} watches up, idle (MB)`,
        { value: r.idle.rssMb },
        `≤ ${g.rssMb} MB`,
        verdict(r.idle.rssMb <= g.rssMb),
      );
      row(r, '  router CPU while idle (% of one core)', { value: r.idle.routerCpuPercent });
    }
    if (r.decision) {
      const applies = r.n >= g.decisionAtN;
      row(
        r,
        "decision: agent's MESSAGE → preview at KW (ms)",
        {
          runs: r.decision.runs,
          p50: r.decision.p50,
          p99: r.decision.p99,
          value: r.decision.routerSideMeanMs,
          digits: 2,
        },
        `p99 ≤ ${g.decisionP99Ms} ms at ${g.decisionAtN / 1000}k`,
        applies
          ? verdict(r.decision.p99 <= g.decisionP99Ms)
          : `(${verdict(r.decision.p99 <= g.decisionP99Ms)})`,
      );
      row(r, '  reference: one hop agent → server → KW (ms)', {
        runs: r.decision.oneHop.runs,
        p50: r.decision.oneHop.p50,
        p99: r.decision.oneHop.p99,
      });
      console.log(
        `${''.padEnd(17)}  decision p90 ${f(r.decision.p90)} ms, max ${f(r.decision.max)} ms; other processes used ${f(r.decision.otherProcessesCpuPercent, 0)}% of one core meanwhile`,
      );
    }
    if (r.throughput) {
      const t = r.throughput;
      const failures = Object.values(t.failed).reduce((a, b) => a + b, 0);
      row(
        r,
        `whole interactions/s (${t.seconds} s, ${t.concurrency} at once)`,
        { runs: t.completed, p50: t.interactionMs.p50, p99: t.interactionMs.p99, value: t.perSecond },
        `≥ ${g.interactionsPerSecond}/s over Kamailio`,
        r.server === 'kamailio' ? verdict(t.perSecond >= g.interactionsPerSecond) : '(reference)',
      );
      const c = t.cpuPercent;
      console.log(
        `${''.padEnd(17)}  CPU during the run (% of one core): router ${f(c.router, 0)} (${f(t.routerCpuMsPerInteraction)} ms per interaction), bench process${r.server === 'lab' ? ' (+ lab server)' : ''} ${f(c.bench, 0)}${c.kamailio === undefined ? '' : `, kamailio ${f(c.kamailio, 0)}`}, other processes ${f(c.others, 0)}`,
      );
      if (failures > 0) console.log(`${''.padEnd(17)}  ${failures} failed: ${JSON.stringify(t.failed)}`);
    }
    if (r.after) {
      row(r, 'router RSS after the load (MB)', { value: r.after.rssMb });
      row(r, 'router peak RSS of the run (VmHWM, MB)', { value: r.after.peakRssMb });
    }
    if ((r.connectionLosses ?? 0) > 0)
      console.log(
        `${''.padEnd(17)}  the router lost its SIP connection ${r.connectionLosses} time(s), ${r.connectionLossesWhileSubscribing ?? '?'} of them before all members were seen; each time it subscribed all ${r.n} again`,
      );
    if (r.failure)
      console.log(
        `${r.server.padEnd(9)} ${String(r.n).padStart(6)} FAILED at ${r.failure.stage}: ${firstLine(r.failure.reason)}`,
      );
  }
  console.log(
    "(decision row: 'value' = the router's own kw_router_routing_decision_seconds mean; interactions row: runs = completed, p50/p99 = one interaction in ms)",
  );
}

// ---------------------------------------------------------------------------

function decisionHistogram(metrics: string): { sum: number; count: number } {
  return {
    sum: metricValue(metrics, 'kw_router_routing_decision_seconds_sum') ?? 0,
    count: metricValue(metrics, 'kw_router_routing_decision_seconds_count') ?? 0,
  };
}

function quantiles(samples: readonly number[]): Quantiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
  };
}

function prefixed(prefix: string, map: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [`${prefix}${key}`, value]));
}

const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
const fmtS = (ms: number | undefined): string => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);
const firstLine = (s: string): string => s.split('\n')[0] ?? s;
const tailOf = (what: string, text: string): string =>
  text.trim() === ''
    ? ''
    : `\n--- ${what} (last lines) ---\n${text.trim().split('\n').slice(-15).join('\n')}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
