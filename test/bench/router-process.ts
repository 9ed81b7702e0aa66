/**
 * One router as operators run it: the CLI in a process of its own
 * (`node --import tsx router/cli.ts`, one process, so the PID signalled is the
 * router's), its output kept (the last 16 kB, and "SIP connection lost" lines
 * counted), stopped cleanly by `stop()` (SIGTERM, SIGKILL after 30 s) and by
 * its PID with SIGKILL if this process exits first. Only PIDs started here
 * are ever signalled.
 *
 * Diagnosis: `KW_BENCH_ROUTER_LOG=/tmp/router.log` runs the routers at info
 * level and appends their whole output there (lines scoped `router[bench-a]`…;
 * the figures then include the cost of that logging: one line per routing
 * state change).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { sleep } from './time.js';

const LOG_FILE = process.env.KW_BENCH_ROUTER_LOG || undefined;

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

export interface RouterProcess {
  /** Its `--instance` name. */
  readonly name: string;
  readonly pid: number;
  /** `http://127.0.0.1:PORT`: /healthz and /metrics. */
  readonly base: string;
  readonly startedAt: number;
  output(): string;
  /** How many times the router logged "SIP connection lost". */
  connectionLosses(): number;
  exited(): boolean;
  stop(): Promise<void>;
}

export interface RouterSpawnOptions {
  readonly configFile: string;
  readonly serverUrl: string;
  readonly httpPort: number;
  readonly instance: string;
  /** `redis://127.0.0.1:PORT/0`; the memory store when absent. */
  readonly store?: string;
}

export function spawnRouter(options: RouterSpawnOptions): RouterProcess {
  installExitHooks();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'router/cli.ts',
      '--config',
      options.configFile,
      '--server',
      options.serverUrl,
      '--http',
      `127.0.0.1:${options.httpPort}`,
      ...(options.store === undefined ? [] : ['--store', options.store]),
      '--instance',
      options.instance,
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
    name: options.instance,
    pid,
    base: `http://127.0.0.1:${options.httpPort}`,
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

/** Polls /healthz until 200; throws (with the router's output) if it exits or is not healthy `withinMs` after its start. */
export async function waitHealthy(router: RouterProcess, withinMs = 30_000): Promise<void> {
  const deadline = router.startedAt + withinMs;
  for (;;) {
    if (router.exited()) throw new Error(`the router ${router.name} exited:\n${router.output()}`);
    const ok = await fetch(`${router.base}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (performance.now() > deadline)
      throw new Error(`${router.name}: /healthz not 200 within ${withinMs / 1000} s:\n${router.output()}`);
    await sleep(100);
  }
}
