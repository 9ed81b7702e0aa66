/**
 * Runs Debian's Kamailio (5.6) as the lab SIP server for interop tests: a
 * fresh run dir per start (generated config, pid file, log, db_text database
 * for presence and auth), the binary in the foreground in its own process group, readiness
 * proven by a SIP OPTIONS over WebSocket. See lab/kamailio/README.md.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, createWriteStream, readdirSync, readFileSync, rmSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { Logger } from '../../main/core/log.js';

export interface KamailioUser {
  user: string;
  password: string;
}

export interface KamailioOptions {
  /** WebSocket port on 127.0.0.1; default (or 0): a free ephemeral port. */
  port?: number;
  /** SIP domain (alias of the server, digest realm); default 'lab.local'. */
  domain?: string;
  /** When given, digest auth is required: REGISTER 401, other out-of-dialog requests 407. */
  users?: ReadonlyArray<KamailioUser>;
  logger: Logger;
  /** Default: `kamailio` on PATH, else /usr/sbin/kamailio. */
  binary?: string;
  /** Shared memory in MB (`-m`, default DEFAULT_SHM_MB): transactions, registrations, presence. README "Sizing". */
  shmMb?: number;
  /** Private memory per process in MB (`-M`, default DEFAULT_PKG_MB). */
  pkgMb?: number;
  /**
   * Also listen for plain SIP phones (Linphone) over UDP on 127.0.0.1 at this
   * port; 0: a free ephemeral one. Absent: no UDP listener.
   */
  sipUdpPort?: number;
}

export interface KamailioInstance {
  readonly url: string;
  readonly port: number;
  readonly domain: string;
  readonly pid: number;
  readonly runDir: string;
  /** The UDP port for plain SIP phones, when `sipUdpPort` was given. */
  readonly udpPort?: number;
  /** SIGTERM, wait for the whole process group, SIGKILL after a timeout; removes the run dir. */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group (a crash); removes the run dir. */
  kill(): Promise<void>;
}

const TEMPLATE = fileURLToPath(new URL('./kamailio.cfg', import.meta.url));
const DEFAULT_DOMAIN = 'lab.local';
/** PUBLISH/SUBSCRIBE below this get 423; low so that tests can watch expiry. */
const PRESENCE_MIN_EXPIRES = 5;
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_TAIL_LINES = 40;
const DOMAIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** RFC 3261 user: unreserved / escaped / user-unreserved, minus ':' which db_text would need escaped anyway. */
const USER_RE = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$/;

/**
 * Shared memory: each finished MESSAGE transaction stays in it for tm's
 * wt_timer, so it must hold rate × wt_timer transactions (README "Sizing").
 */
export const DEFAULT_SHM_MB = 1024;
export const DEFAULT_PKG_MB = 16;
const SHM_MB_RANGE = [64, 65_536] as const;
const PKG_MB_RANGE = [4, 1_024] as const;

/** `-m SHM -M PKG -x fm` for the sizes given (defaults otherwise); throws on a size Kamailio would not take. */
export function memoryArgs(options: { shmMb?: number; pkgMb?: number }): string[] {
  const size = (name: string, value: number, [min, max]: readonly [number, number]): string => {
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name} must be a whole number of MB from ${min} to ${max} (got ${String(value)})`);
    return String(value);
  };
  return [
    '-m',
    size('shmMb', options.shmMb ?? DEFAULT_SHM_MB, SHM_MB_RANGE),
    '-M',
    size('pkgMb', options.pkgMb ?? DEFAULT_PKG_MB, PKG_MB_RANGE),
    // f_malloc for shared memory: Debian's default (q_malloc) spent a fifth of the
    // CPU in qm_malloc under MESSAGE load; fm routed ~30 % more per CPU second.
    '-x',
    'fm',
  ];
}

/** Running instances (process group → run dir), killed if this Node process exits first. */
const live = new Map<number, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Without this, a test runner that dies leaves Kamailio holding its port.
  process.on('exit', () => {
    for (const [pgid, runDir] of live) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (process.env.KAMAILIO_KEEP_RUNDIR !== '1') rmSync(runDir, { recursive: true, force: true });
    }
  });
}

async function resolveBinary(binary?: string): Promise<string> {
  if (binary !== undefined) return binary;
  // /usr/sbin is not on every user's PATH.
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin']) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'kamailio');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return 'kamailio';
}

function run(
  binary: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** The first line of `kamailio -v` (e.g. "version: kamailio 5.6.3 (x86_64/linux)"), or "not found". */
export async function kamailioVersion(binary?: string): Promise<string> {
  const bin = await resolveBinary(binary);
  const version = await run(bin, ['-v'], 5_000);
  return version.code === 0 ? `${bin}, ${version.out.split('\n')[0]?.trim() ?? ''}` : 'not found';
}

/**
 * True when the binary runs and the modules the config loads are installed
 * (Debian: kamailio, kamailio-websocket-modules, kamailio-presence-modules).
 */
export async function kamailioAvailable(binary?: string): Promise<boolean> {
  const bin = await resolveBinary(binary);
  const version = await run(bin, ['-v'], 5_000);
  if (version.code !== 0 || !/kamailio/i.test(version.out)) return false;
  const info = await run(bin, ['-I'], 5_000);
  const modPath = /Default paths to modules:\s*(\S+)/.exec(info.out)?.[1];
  if (modPath === undefined) return true; // unknown layout: let start() report what is missing
  const needed = [
    'websocket.so',
    'xhttp.so',
    'presence.so',
    'presence_xml.so',
    'uac_redirect.so',
    'auth_db.so',
    'db_text.so',
  ];
  try {
    const present = new Set(readdirSync(modPath));
    return needed.every((m) => present.has(m));
  } catch {
    return false;
  }
}

/** A free loopback UDP port (bound once to port 0, then released). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const port = socket.address().port;
      socket.close(() => resolve(port));
    });
  });
}

/** A free loopback TCP port (bound once to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** db_text separates columns with ':'; these are its escapes. */
function dbTextEscape(s: string): string {
  return s.replace(/[\\:\n\r\t\0]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\0':
        return '\\0';
      default:
        return `\\${c}`;
    }
  });
}

/** db_text table headers (Debian's /usr/share/kamailio/dbtext/kamailio schema, Kamailio 5.6). */
const DBTEXT_TABLES: Record<string, { version: number; header: string }> = {
  subscriber: {
    version: 7,
    header: 'id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) ',
  },
  presentity: {
    version: 5,
    header:
      'id(int,auto) username(string) domain(string) event(string) etag(string) expires(int) ' +
      'received_time(int) body(string) sender(string) priority(int) ruid(string,null) ',
  },
  watchers: {
    version: 3,
    header:
      'id(int,auto) presentity_uri(string) watcher_username(string) watcher_domain(string) ' +
      'event(string) status(int) reason(string,null) inserted_time(int) ',
  },
  active_watchers: {
    version: 12,
    header:
      'id(int,auto) presentity_uri(string) watcher_username(string) watcher_domain(string) ' +
      'to_user(string) to_domain(string) event(string) event_id(string,null) to_tag(string) ' +
      'from_tag(string) callid(string) local_cseq(int) remote_cseq(int) contact(string) ' +
      'record_route(string,null) expires(int) status(int) reason(string,null) version(int) ' +
      'socket_info(string) local_contact(string) from_user(string) from_domain(string) ' +
      'updated(int) updated_winfo(int) flags(int) user_agent(string,null) ',
  },
};

/**
 * A fresh db_text database: empty presence tables and the auth_db subscriber
 * table (plain passwords are fine in a lab run dir).
 */
async function writeDb(dir: string, domain: string, users: ReadonlyArray<KamailioUser>): Promise<void> {
  await mkdir(dir);
  const versions = Object.entries(DBTEXT_TABLES).map(([name, t]) => `0:${name}:${t.version}`);
  await writeFile(
    path.join(dir, 'version'),
    `id(int,auto) table_name(string) table_version(int) \n${versions.join('\n')}\n`,
  );
  const rows = users.map((u, i) => {
    const ha1 = md5(`${u.user}:${domain}:${u.password}`);
    const ha1b = md5(`${u.user}@${domain}:${domain}:${u.password}`);
    return `${[String(i + 1), u.user, domain, u.password, ha1, ha1b].map(dbTextEscape).join(':')}\n`;
  });
  for (const [name, t] of Object.entries(DBTEXT_TABLES)) {
    await writeFile(path.join(dir, name), `${t.header}\n${name === 'subscriber' ? rows.join('') : ''}`);
  }
}

function validate(domain: string, users: ReadonlyArray<KamailioUser> | undefined): void {
  if (!DOMAIN_RE.test(domain)) throw new Error(`invalid domain for Kamailio: ${JSON.stringify(domain)}`);
  if (users === undefined) return;
  const seen = new Set<string>();
  for (const u of users) {
    if (!USER_RE.test(u.user)) throw new Error(`invalid SIP user name: ${JSON.stringify(u.user)}`);
    if (seen.has(u.user)) throw new Error(`duplicate user: ${u.user}`);
    seen.add(u.user);
  }
}

/**
 * Kamailio's log level of one stderr line, mapped onto ours. While stopping,
 * everything is debug: the TCP main process logs CRITICAL "receive_fd(): EOF"
 * for each child that exits, which is the normal shutdown.
 */
function forward(log: Logger, line: string, stopping: boolean): void {
  const m = /\b(ALERT|BUG|CRITICAL|ERROR|WARNING|NOTICE|INFO|DEBUG):/.exec(line);
  const text = line.trim();
  if (text === '') return;
  switch (stopping ? undefined : m?.[1]) {
    case 'ALERT':
    case 'BUG':
    case 'CRITICAL':
    case 'ERROR':
    case 'WARNING':
      // Kamailio's errors are usually about a peer (a closed socket, a bad
      // request): worth seeing, not errors of the process running it.
      log.warn(text);
      break;
    default:
      log.debug(text);
  }
}

function tail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    return lines.slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Members of a process group that are still running (zombies excluded). Linux /proc. */
function liveGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": comm may contain spaces, so split after ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid && rest[0] !== 'Z') out.push(Number(e));
    } catch {
      // exited while scanning
    }
  }
  return out;
}

/** unref: a pending wait must not keep a finished script alive. */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** One SIP OPTIONS over WebSocket; resolves true on a 200 from the config's keepalive branch. */
function probe(url: string, domain: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'sip');
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    ws.on('error', () => done(false));
    ws.on('close', () => done(false));
    ws.on('open', () => {
      const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
      ws.send(
        [
          `OPTIONS sip:${domain} SIP/2.0`,
          `Via: SIP/2.0/WS probe.invalid;branch=${branch}`,
          'Max-Forwards: 70',
          `To: <sip:${domain}>`,
          `From: <sip:probe@${domain}>;tag=${branch.slice(7)}`,
          `Call-ID: probe-${branch}`,
          'CSeq: 1 OPTIONS',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      if (text.startsWith('SIP/2.0 200')) done(true);
    });
  });
}

interface Launched {
  child: ChildProcess;
  /** Set when stop/kill begins: shutdown noise is logged at debug. */
  stopping: { value: boolean };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited: () => boolean;
}

async function launchOnce(
  bin: string,
  port: number,
  domain: string,
  users: ReadonlyArray<KamailioUser> | undefined,
  runDir: string,
  log: Logger,
  udpPort: number | undefined,
  memory: readonly string[],
): Promise<Launched> {
  const cfgFile = path.join(runDir, 'kamailio.cfg');
  const logFile = path.join(runDir, 'kamailio.log');
  const template = await readFile(TEMPLATE, 'utf8');
  const cfg = template
    .replaceAll('%%PORT%%', String(port))
    .replaceAll('%%UDP_PORT%%', String(udpPort ?? 0))
    .replaceAll('%%DOMAIN%%', domain)
    .replaceAll('%%PRES_MIN_EXPIRES%%', String(PRESENCE_MIN_EXPIRES))
    .replaceAll('%%DB_URL%%', `text://${path.join(runDir, 'db')}`);
  await writeFile(cfgFile, cfg);

  const args = ['-DD', '-E', '-f', cfgFile, ...memory, '-P', path.join(runDir, 'kamailio.pid'), '-Y', runDir];
  if (users !== undefined) args.push('-A', 'WITH_AUTH');
  if (udpPort !== undefined) args.push('-A', 'WITH_UDP');

  // detached: its own process group, so stop/kill reach every forked child.
  const child = spawn(bin, args, { cwd: runDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const file = createWriteStream(logFile, { flags: 'a' });
  let partial = '';
  const stopping = { value: false };
  const onData = (chunk: Buffer): void => {
    file.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) forward(log, l, stopping.value);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      exitedFlag = true;
      file.end(`launcher: ${err.message}\n`);
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => {
      exitedFlag = true;
      if (partial !== '') forward(log, partial, stopping.value);
      file.end();
      resolve({ code, signal });
    });
  });
  // The log file must be complete before an early-exit error quotes it.
  const exitedAndFlushed = exited.then(
    (r) =>
      new Promise<typeof r>((resolve) => {
        if (file.writableFinished) resolve(r);
        else file.once('finish', () => resolve(r));
      }),
  );
  return { child, stopping, exited: exitedAndFlushed, hasExited: () => exitedFlag };
}

export async function startKamailio(options: KamailioOptions): Promise<KamailioInstance> {
  const domain = options.domain ?? DEFAULT_DOMAIN;
  validate(domain, options.users);
  const memory = memoryArgs(options);
  const log = options.logger.child('kamailio');
  const bin = await resolveBinary(options.binary);
  const fixedPort = options.port !== undefined && options.port !== 0 ? options.port : undefined;
  installExitHook();

  // A port picked here can be taken before Kamailio binds it: retry that case.
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort());
    const udpPort =
      options.sipUdpPort === undefined ? undefined : options.sipUdpPort || (await freeUdpPort());
    const runDir = await mkdtemp(path.join(os.tmpdir(), 'kw-kamailio-'));
    await writeDb(path.join(runDir, 'db'), domain, options.users ?? []);
    const launched = await launchOnce(bin, port, domain, options.users, runDir, log, udpPort, memory);
    const { child } = launched;
    const pid = child.pid;
    if (pid !== undefined) live.set(pid, runDir);
    const url = `ws://127.0.0.1:${port}`;

    const deadline = Date.now() + READY_TIMEOUT_MS;
    let ready = false;
    while (!launched.hasExited() && Date.now() < deadline) {
      if (await probe(url, domain, 1_000)) {
        ready = true;
        break;
      }
      await Promise.race([sleep(100), launched.exited]);
    }

    if (!ready || pid === undefined) {
      const exitedEarly = launched.hasExited();
      if (!exitedEarly && pid !== undefined) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      const result = await launched.exited;
      if (pid !== undefined) live.delete(pid);
      const logTail = tail(path.join(runDir, 'kamailio.log'));
      await rm(runDir, { recursive: true, force: true });
      if (fixedPort === undefined && attempt < 3 && /Address already in use/.test(logTail)) {
        log.info('port taken before Kamailio bound it, retrying', { port });
        continue;
      }
      const why = exitedEarly
        ? `exited early (code ${String(result.code)}, signal ${String(result.signal)})`
        : `not ready within ${READY_TIMEOUT_MS} ms`;
      throw new Error(`Kamailio ${why} on port ${port}; log tail:\n${logTail}`);
    }

    log.info('kamailio started', { pid, url, domain, auth: options.users !== undefined, udpPort, runDir });
    return makeInstance({ launched, pid, port, url, domain, runDir, log, udpPort });
  }
}

function makeInstance(p: {
  launched: Launched;
  pid: number;
  port: number;
  url: string;
  domain: string;
  runDir: string;
  log: Logger;
  udpPort: number | undefined;
}): KamailioInstance {
  const { launched, pid, log, runDir } = p;
  let ending: Promise<void> | undefined;

  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // group already empty
    }
  };

  /** Wait until the main process is reaped and no member of its group runs. */
  const waitGone = async (timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    const mainDone = await Promise.race([
      launched.exited.then(() => true),
      sleep(timeoutMs).then(() => false),
    ]);
    if (!mainDone) return false;
    while (liveGroupMembers(pid).length > 0) {
      if (Date.now() > deadline) return false;
      await sleep(20);
    }
    return true;
  };

  const finish = async (how: 'stop' | 'kill'): Promise<void> => {
    launched.stopping.value = true;
    if (!launched.hasExited()) {
      if (how === 'stop') {
        // Kamailio's main process terminates its children on SIGTERM.
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // gone
        }
        if (!(await waitGone(STOP_TIMEOUT_MS))) {
          log.warn('kamailio did not stop on SIGTERM, killing', { pid });
          signalGroup('SIGKILL');
        }
      } else {
        signalGroup('SIGKILL');
      }
    }
    // Children that outlived the main process (it was killed) go the same way.
    if (liveGroupMembers(pid).length > 0) signalGroup('SIGKILL');
    if (!(await waitGone(STOP_TIMEOUT_MS))) {
      log.error('kamailio processes left after SIGKILL', { pid, left: liveGroupMembers(pid) });
    }
    live.delete(pid);
    const result = await launched.exited;
    log.info(how === 'stop' ? 'kamailio stopped' : 'kamailio killed', {
      pid,
      code: result.code,
      signal: result.signal,
    });
    if (process.env.KAMAILIO_KEEP_RUNDIR === '1') {
      log.info('run dir kept', { runDir });
    } else {
      await rm(runDir, { recursive: true, force: true });
    }
  };

  void launched.exited.then((r) => {
    if (ending === undefined) {
      live.delete(pid);
      log.warn('kamailio exited on its own', { pid, code: r.code, signal: r.signal, runDir });
    }
  });

  return {
    url: p.url,
    port: p.port,
    domain: p.domain,
    pid,
    runDir,
    ...(p.udpPort === undefined ? {} : { udpPort: p.udpPort }),
    stop: () => (ending ??= finish('stop')),
    kill: () => (ending ??= finish('kill')),
  };
}
