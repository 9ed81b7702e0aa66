/**
 * `npm run router` as an operator runs it, for tests: the CLI in a process of
 * its own (node --import tsx: one process, so the PID we signal is the
 * router's), its output captured, ready once it says where its http endpoint
 * listens. Only the PID started here is ever signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from './agents.js';

export interface RouterProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: a crash (no cleanup, no unregistration). */
  kill9(): Promise<void>;
}

/** Starts the CLI with `args`; `cleanup` registers its SIGKILL for after the test. */
export function spawnRouter(
  args: readonly string[],
  cleanup: (fn: () => Promise<unknown>) => void,
): RouterProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'router/cli.ts', ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('the router process did not start');
  const pid = child.pid;
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const kill9 = async (): Promise<void> => {
    if (running()) process.kill(pid, 'SIGKILL');
    await exited;
  };
  cleanup(kill9);
  return { child, pid, output: () => output, exited, kill9 };
}

/** The base URL of the router's http endpoint, once its log says it listens (started with `--http HOST:0`). */
export async function httpBase(router: RouterProcess, timeoutMs = 20_000): Promise<string> {
  let base = '';
  await eventually(
    () => {
      if (router.child.exitCode !== null) throw new Error(`router exited early:\n${router.output()}`);
      base = /http listening \{"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(router.output())?.[1] ?? '';
      return base !== '';
    },
    timeoutMs,
    () => `no "http listening" line:\n${router.output()}`,
  );
  return base;
}
