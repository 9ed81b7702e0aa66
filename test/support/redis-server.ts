/**
 * A real `redis-server` for tests: its own process on a free loopback port,
 * its own temp dir (AOF on, no RDB snapshots), ready when it answers PING.
 * `kill9()` + `restart()` stand for a crash and a restart on the same port and
 * data dir (the AOF brings the data back). Only the PID started here is ever
 * signalled; the temp dir is removed by `stop()` (and if this process exits
 * first, the server is killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants, rmSync } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { freePort } from '../../lab/kamailio/launcher.js';
import os from 'node:os';
import path from 'node:path';

export interface TestRedis {
  /** `redis://127.0.0.1:PORT/0` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM (SIGKILL if it does not exit), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL (a crash); the data dir stays for `restart()`. */
  kill9(): Promise<void>;
  /** Starts again on the same port and dir; resolves when it answers PING (AOF loaded). */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing (a hung server). */
  freeze(): void;
  /** SIGCONT after `freeze()`. */
  thaw(): void;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', 'redis-server'];

/** Started here and still running: killed if this process exits first. */
const live = new Set<number>();
/** Temp dirs not yet removed by `stop()`: removed if this process exits first. */
const dirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** The redis-server binary, or undefined when this machine has none. */
export async function redisServerBinary(): Promise<string | undefined> {
  for (const bin of CANDIDATES) {
    if (!bin.includes('/')) {
      for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
        const full = path.join(dir, bin);
        if (
          await access(full, constants.X_OK).then(
            () => true,
            () => false,
          )
        )
          return full;
      }
      continue;
    }
    if (
      await access(bin, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return bin;
  }
  return undefined;
}

/**
 * Whether the Redis suite can run here: in CI a missing redis-server is an
 * error (the suite must run there); locally it is a skip that says why.
 */
export async function redisServerAvailable(): Promise<boolean> {
  if ((await redisServerBinary()) !== undefined) return true;
  const message = 'redis-server is not installed on this machine';
  if (process.env.CI === 'true') throw new Error(`${message}: CI must run the Redis suite`);
  console.warn(`${message}: skipping the Redis store suite (local run only; CI fails instead)`);
  return false;
}

/** One raw PING: true on +PONG (not while the AOF is loading: that is -LOADING). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(): Promise<TestRedis> {
  const bin = await redisServerBinary();
  if (bin === undefined) throw new Error('redis-server is not installed');
  installExitHook();
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kw-redis-'));
  dirs.add(dir);
  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;

  const launch = async (): Promise<void> => {
    output = '';
    const c = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--save',
        '',
        '--daemonize',
        'no',
        '--logfile',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    const pid = c.pid;
    if (pid === undefined) throw new Error(`cannot start ${bin}`);
    live.add(pid);
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    c.once('exit', () => live.delete(pid));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) {
        throw new Error(`redis-server exited at start (${c.exitCode ?? c.signalCode}):\n${output}`);
      }
      if (await pingOnce(port)) return;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`redis-server did not answer PING on port ${port}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const signal = (sig: NodeJS.Signals): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(sig);
  };

  try {
    await launch();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    dirs.delete(dir);
    throw err;
  }

  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const c = child;
      if (c) {
        if (c.signalCode === null && c.exitCode === null) {
          c.kill('SIGCONT'); // in case it was frozen
          c.kill('SIGTERM');
          const timer = setTimeout(() => c.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited(c);
          clearTimeout(timer);
        }
      }
      await rm(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
    async kill9() {
      const c = child;
      if (!c) return;
      signal('SIGKILL');
      await exited(c);
    },
    async restart() {
      if (stopped) throw new Error('redis-server was stopped');
      if (child && child.exitCode === null && child.signalCode === null) {
        throw new Error('redis-server is still running: kill9() it first');
      }
      await launch();
    },
    freeze() {
      signal('SIGSTOP');
    },
    thaw() {
      signal('SIGCONT');
    },
  };
}
