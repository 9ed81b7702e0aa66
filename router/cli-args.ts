/**
 * The command line of `npm run router` (router/cli.ts), parsed without side
 * effects: `parseRouterArgs` returns the options or `'help'`, and throws a
 * UsageError with one line a person can act on.
 */
import type { LogLevel } from '../main/core/log.js';
import { parseRedisSpec, StoreSpecError } from './store/index.js';

export const USAGE = `Usage: npm run router -- --config FILE --server ws://HOST:PORT [options]
  --config <file>        router config, JSON or YAML (required)
  --server <url>         SIP server WebSocket URL, ws:// or wss:// (required; repeat for failover, in order)
  --store <spec>         where interaction state lives: memory (default, this process only) or
                         redis://[user:password@]HOST:PORT/DB (rediss:// for TLS), shared by instances
  --instance <name>      names this instance in the store, logs and metrics (default: hostname-pid;
                         instances sharing a store need distinct names)
  --events <file>        append the router event log there, JSON lines
  --http <host:port>     serve GET /healthz and /metrics there (default off; use a loopback address,
                         e.g. 127.0.0.1:9464; port 0 = any free port)
  --http-cert <file>     with --http-key: serve https (PEM certificate chain)
  --http-key <file>      the certificate's private key (PEM)
  --dashboard-token-file <file>
                         the supervisor dashboard's token (over the config's dashboard.tokenFile/token);
                         without a token the dashboard is off
  --log-level <level>    debug, info (default), warn or error
  -h, --help             this text

       npm run router -- --dry-run CONFIG SCENARIO.json
                         what the routing table and strategy make of a scenario, then exit`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type StoreOption =
  | { readonly kind: 'memory' }
  /** `spec` is the URL as given (it may hold a password: never log it). */
  | { readonly kind: 'redis'; readonly spec: string };

export interface HttpListen {
  readonly host: string;
  readonly port: number;
  /** The host is a loopback address (the endpoints have no authentication). */
  readonly loopback: boolean;
}

export interface RouterCliOptions {
  readonly config: string;
  /** In failover order. */
  readonly servers: readonly string[];
  readonly store: StoreOption;
  readonly instance: string;
  readonly events: string | undefined;
  readonly http: HttpListen | undefined;
  /** `--http-cert`/`--http-key`: file names (both or neither). */
  readonly httpTls: { readonly cert: string; readonly key: string } | undefined;
  readonly dashboardTokenFile: string | undefined;
  readonly logLevel: LogLevel;
}

/** `--dry-run CONFIG SCENARIO`: the files to read. */
export interface DryRunArgs {
  readonly config: string;
  readonly scenario: string;
}

export interface ArgDefaults {
  /** The default instance name, e.g. `${os.hostname()}-${process.pid}`. */
  readonly instance: string;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const VALUE_OPTIONS = [
  'config',
  'server',
  'store',
  'instance',
  'events',
  'http',
  'http-cert',
  'http-key',
  'dashboard-token-file',
  'log-level',
] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];
const REPEATABLE: ReadonlySet<ValueOption> = new Set(['server']);

export function parseRouterArgs(argv: readonly string[], defaults: ArgDefaults): RouterCliOptions | 'help' {
  if (argv.some((arg) => arg === '-h' || arg === '--help')) return 'help';
  const values = new Map<ValueOption, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!isValueOption(name)) throw new UsageError(`unknown option --${name}`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      i += 1;
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && !REPEATABLE.has(name)) throw new UsageError(`--${name} is given more than once`);
    list.push(value);
    values.set(name, list);
  }
  const one = (name: ValueOption): string | undefined => values.get(name)?.[0];

  const config = one('config');
  if (config === undefined || config.trim() === '') throw new UsageError('--config is required');
  const servers = values.get('server') ?? [];
  if (servers.length === 0) throw new UsageError('--server is required (ws://HOST:PORT or wss://HOST:PORT)');
  for (const server of servers) checkServer(server);

  const instance = one('instance') ?? defaults.instance;
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(instance))
    throw new UsageError(
      `--instance must be 1-128 letters, digits or . _ : @ - (starting with a letter or digit), got ${JSON.stringify(instance)}`,
    );

  const events = one('events');
  if (events !== undefined && events.trim() === '') throw new UsageError('--events needs a file name');

  const logLevel = one('log-level') ?? 'info';
  if (!isLogLevel(logLevel))
    throw new UsageError(
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`,
    );

  const http = one('http');
  const cert = one('http-cert');
  const key = one('http-key');
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('--http-cert and --http-key go together (the certificate and its key)');
  if (cert !== undefined && http === undefined) throw new UsageError('--http-cert needs --http');
  return {
    config,
    servers,
    store: parseStore(one('store') ?? 'memory'),
    instance,
    events,
    http: http === undefined ? undefined : parseHttpListen(http),
    httpTls: cert !== undefined && key !== undefined ? { cert, key } : undefined,
    dashboardTokenFile: one('dashboard-token-file'),
    logLevel,
  };
}

/** `--dry-run CONFIG SCENARIO` (nothing else), undefined when `--dry-run` is not given. */
export function parseDryRunArgs(argv: readonly string[]): DryRunArgs | undefined {
  if (!argv.includes('--dry-run')) return undefined;
  const [flag, config, scenario, ...rest] = argv;
  if (flag !== '--dry-run' || config === undefined || scenario === undefined || rest.length > 0)
    throw new UsageError('use --dry-run CONFIG SCENARIO.json, with no other option');
  return { config, scenario };
}

export function parseStore(value: string): StoreOption {
  if (value === 'memory') return { kind: 'memory' };
  if (/^rediss?:\/\//i.test(value)) {
    try {
      parseRedisSpec(value);
    } catch (error) {
      if (error instanceof StoreSpecError) throw new UsageError(`--store: ${error.message}`);
      throw error;
    }
    return { kind: 'redis', spec: value };
  }
  throw new UsageError(`--store must be memory or redis://HOST:PORT/DB, got ${JSON.stringify(value)}`);
}

/** `HOST:PORT`, `[IPv6]:PORT`; port 0..65535 (0 = any free port). */
export function parseHttpListen(value: string): HttpListen {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port > 65535)
    throw new UsageError(
      `--http must be HOST:PORT with a port 0..65535 (e.g. 127.0.0.1:9464), got ${JSON.stringify(value)}`,
    );
  return { host, port, loopback: isLoopback(host) };
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function checkServer(server: string): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be a ws:// or wss:// URL, got ${JSON.stringify(server)}`);
  }
  if ((url.protocol !== 'ws:' && url.protocol !== 'wss:') || url.hostname === '')
    throw new UsageError(`--server must be a ws:// or wss:// URL, got ${JSON.stringify(server)}`);
}

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
