/**
 * `npm run lab`: starts the lab contact center's parts from one command line.
 * The SIP server, then the router with its routing points, the web pages and
 * (with users) the provisioning server; each part is a LabPart that knows how
 * to close itself (in reverse start order).
 *
 *   tsx lab/cli.ts [--host 127.0.0.1] [--port 5080] [--domain lab.local]
 *                  [--users lab/users.example.json] [--tls] [--ca-out cert.pem]
 *                  [--router lab/router.example.json | --no-router]
 *                  [--web-port 5090 | --no-web] [--provision-port 5443 | --no-provision]
 *                  [--dashboard-port 5091 | --no-dashboard] [--verbose]
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleSink, createLogger, type Logger } from '../main/core/log.js';
import { loadUsersFile, startSipServer, type SipServer } from './sip-server/index.js';
import { loadRouterConfig, startRouter, type RouterConfig, type RunningRouter } from '../router/index.js';
import { MemoryStore } from '../router/store/index.js';
import { startLabDashboard, type LabDashboard } from './lab-dashboard.js';
import { DEFAULT_WEB_PORT, pageLinks, startLabWeb, type LabWeb } from './web/server.js';
import { startProvisioningServer, type ProvisioningServer } from './provisioning/index.js';
import { generateCertificate, type TlsMaterial } from './sip-server/tls.js';
import type { LabUser } from './sip-server/users.js';
import { startupProblem } from './cli-problems.js';

export const DEFAULT_ROUTER_CONFIG = 'lab/router.example.json';
export const DEFAULT_PROVISION_PORT = 5443;
export const DEFAULT_DASHBOARD_PORT = 5091;

export interface LabOptions {
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly usersFile: string | undefined;
  readonly tls: boolean;
  readonly caOut: string | undefined;
  /** Router config file; undefined = no router. */
  readonly routerConfig: string | undefined;
  /** Router event log (JSON lines). */
  readonly routerEvents: string | undefined;
  /** HTTP port of the agent desk and customer pages; undefined = no web server. */
  readonly webPort?: number | undefined;
  /** HTTPS port of the provisioning server (it runs with a users file); undefined = none. */
  readonly provisionPort?: number | undefined;
  /** Port of the router's dashboard (with the router); undefined = none. */
  readonly dashboardPort?: number | undefined;
  /** Log every request (debug), not just what happens. */
  readonly verbose?: boolean;
}

export interface LabPart {
  readonly name: string;
  close(): Promise<void>;
}

export interface Lab {
  readonly sip: SipServer;
  readonly router: RunningRouter | undefined;
  readonly web?: LabWeb | undefined;
  readonly provisioning?: ProvisioningServer | undefined;
  readonly dashboard?: LabDashboard | undefined;
  /** The lab's users (from --users), when auth is on. */
  readonly users?: readonly LabUser[] | undefined;
  readonly parts: readonly LabPart[];
  /** closes the parts in reverse start order */
  close(): Promise<void>;
}

export const USAGE = `Usage: tsx lab/cli.ts [options]
  --host <addr>     address to bind (default 127.0.0.1)
  --port <n>        port (default 5080, 0 = any free port)
  --domain <name>   SIP domain (default lab.local)
  --users <file>    users JSON ({"users":[{"user","password","displayName"}]}); turns digest auth on
  --tls             serve wss:// with a self-signed certificate for localhost/127.0.0.1
  --ca-out <file>   write the lab's certificate PEM there (wss and provisioning; for clients to trust)
  --router <file>   router config (default ${DEFAULT_ROUTER_CONFIG})
  --router-events <file>  router event log, JSON lines (default .lab-run/router-events.jsonl)
  --no-router       the SIP server alone
  --web-port <n>    HTTP port of the agent desk and customer pages (default ${DEFAULT_WEB_PORT}, 0 = any)
  --no-web          no web pages
  --provision-port <n>  HTTPS port of the provisioning server, with --users (default ${DEFAULT_PROVISION_PORT}, 0 = any)
  --no-provision    no provisioning server
  --dashboard-port <n>  HTTP port of the router's dashboard, on --host (default ${DEFAULT_DASHBOARD_PORT}, 0 = any)
  --no-dashboard    no dashboard
  -v, --verbose     log every SIP request and routing step (debug)
  -h, --help        this text`;

export class UsageError extends Error {}

export function parseLabArgs(argv: readonly string[]): LabOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '5080' },
        domain: { type: 'string', default: 'lab.local' },
        users: { type: 'string' },
        tls: { type: 'boolean', default: false },
        'ca-out': { type: 'string' },
        router: { type: 'string', default: DEFAULT_ROUTER_CONFIG },
        'router-events': { type: 'string', default: '.lab-run/router-events.jsonl' },
        'no-router': { type: 'boolean', default: false },
        'web-port': { type: 'string', default: String(DEFAULT_WEB_PORT) },
        'no-web': { type: 'boolean', default: false },
        'provision-port': { type: 'string', default: String(DEFAULT_PROVISION_PORT) },
        'no-provision': { type: 'boolean', default: false },
        'dashboard-port': { type: 'string', default: String(DEFAULT_DASHBOARD_PORT) },
        'no-dashboard': { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const port = portOption('--port', values.port);
  const provisioning = !values['no-provision'] && values.users !== undefined;
  if (values['ca-out'] !== undefined && !values.tls && !provisioning)
    throw new UsageError('--ca-out needs --tls or the provisioning server (--users)');
  const webPort = portOption('--web-port', values['web-port']);
  const provisionPort = portOption('--provision-port', values['provision-port']);
  const dashboardPort = portOption('--dashboard-port', values['dashboard-port']);
  return {
    host: values.host,
    port,
    domain: values.domain,
    usersFile: values.users,
    tls: values.tls,
    caOut: values['ca-out'],
    routerConfig: values['no-router'] ? undefined : values.router,
    routerEvents: values['router-events'],
    webPort: values['no-web'] ? undefined : webPort,
    provisionPort: values['no-provision'] ? undefined : provisionPort,
    dashboardPort: values['no-dashboard'] || values['no-router'] ? undefined : dashboardPort,
    verbose: values.verbose,
  };
}

function portOption(name: string, value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535)
    throw new UsageError(`${name} must be 0..65535, got ${value}`);
  return port;
}

export async function startLab(opts: LabOptions, logger: Logger): Promise<Lab> {
  const users = opts.usersFile === undefined ? undefined : await loadUsersFile(opts.usersFile);
  const provisions = users !== undefined && opts.provisionPort !== undefined;
  // One certificate for the whole lab, so a client trusts wss and provisioning with one PEM.
  const certificate = opts.tls || provisions ? await generateCertificate() : undefined;
  const sip = await startSipServer({
    host: opts.host,
    port: opts.port,
    domain: opts.domain,
    users,
    tls: opts.tls,
    ...(opts.tls && certificate ? { certificate } : {}),
    logger: logger.child('sip'),
  });
  const parts: LabPart[] = [{ name: 'SIP server', close: () => sip.close() }];
  if (opts.caOut !== undefined && certificate !== undefined) await writeFile(opts.caOut, certificate.cert);
  let router: RunningRouter | undefined;
  // The router's state, shared with its dashboard.
  const store = new MemoryStore();
  if (opts.routerConfig !== undefined) {
    try {
      const config = withPasswords(await loadRouterConfig(opts.routerConfig, { domain: opts.domain }), users);
      router = await startRouter({
        config,
        store,
        servers: [sip.url],
        logger: logger.child('router'),
        ...(opts.routerEvents ? { eventLog: { file: opts.routerEvents } } : {}),
        ...(sip.caPem ? { tls: { ca: sip.caPem } } : {}),
      });
    } catch (error) {
      await sip.close();
      throw error;
    }
    parts.push({ name: 'router store', close: () => store.close() });
    const running = router;
    parts.push({ name: 'router', close: () => running.close() });
  }
  let dashboard: LabDashboard | undefined;
  if (router && opts.dashboardPort !== undefined) {
    try {
      dashboard = await startLabDashboard(router, store, {
        host: opts.host,
        port: opts.dashboardPort,
        logger: logger.child('dashboard'),
      });
    } catch (error) {
      for (const part of [...parts].reverse()) await part.close();
      throw error;
    }
    const running = dashboard;
    parts.push({ name: 'dashboard', close: () => running.close() });
  }
  let web: LabWeb | undefined;
  if (opts.webPort !== undefined) {
    try {
      web = await startLabWeb({ host: opts.host, port: opts.webPort });
    } catch (error) {
      for (const part of [...parts].reverse()) await part.close();
      throw error;
    }
    const running = web;
    parts.push({ name: 'web pages', close: () => running.close() });
  }
  let provisioning: ProvisioningServer | undefined;
  if (provisions && users && certificate && opts.provisionPort !== undefined) {
    try {
      provisioning = await startLabProvisioning(
        opts,
        { sip, router, users, certificate, port: opts.provisionPort },
        logger,
      );
    } catch (error) {
      for (const part of [...parts].reverse()) await part.close();
      throw error;
    }
    const running = provisioning;
    parts.push({ name: 'provisioning server', close: () => running.close() });
  }
  return {
    sip,
    router,
    web,
    provisioning,
    dashboard,
    users,
    parts,
    close: async () => {
      for (const part of [...parts].reverse()) await part.close();
    },
  };
}

/** Documents for the lab's users: its SIP server, domain and routing points (and its CA with wss). */
function startLabProvisioning(
  opts: LabOptions,
  lab: {
    sip: SipServer;
    router: RunningRouter | undefined;
    users: readonly LabUser[];
    certificate: TlsMaterial;
    port: number;
  },
  logger: Logger,
): Promise<ProvisioningServer> {
  return startProvisioningServer({
    host: opts.host,
    port: lab.port,
    users: lab.users,
    servers: [lab.sip.url],
    domain: lab.sip.domain,
    trustedRoutingPoints: lab.router?.routingPoints ?? [],
    ...(lab.sip.caPem ? { caCertificates: [lab.sip.caPem] } : {}),
    tls: lab.certificate,
    logger: logger.child('provisioning'),
  });
}

/** With auth on, routing points without a password in the config take theirs from the users file. */
function withPasswords(
  config: RouterConfig,
  users: ReadonlyArray<{ user: string; password: string }> | undefined,
): RouterConfig {
  if (!users) return config;
  return {
    ...config,
    routingPoints: config.routingPoints.map((rp) => {
      if (rp.password !== undefined) return rp;
      const user = (rp.authUser ?? /^sips?:([^@]+)@/.exec(rp.uri)?.[1])?.toLowerCase();
      const found = users.find((u) => u.user.toLowerCase() === user);
      return found ? { ...rp, password: found.password } : rp;
    }),
  };
}

/** Each user's setup link (kwdesk://provision?url=…) and how to trust the lab's certificate. */
function printProvisioning(out: NodeJS.WritableStream, lab: Lab, opts: LabOptions): void {
  const server = lab.provisioning;
  if (!server) {
    if (opts.provisionPort !== undefined)
      out.write('Provisioning server: off (it serves the accounts of --users)\n');
    return;
  }
  out.write(`Provisioning server ${server.url}; setup links:\n`);
  const link = (user: string, token: boolean): string =>
    `kwdesk://provision?url=${encodeURIComponent(server.documentUrl(user, { token }))}`;
  for (const user of lab.users ?? []) out.write(`  ${user.user.padEnd(16)} ${link(user.user, false)}\n`);
  const first = lab.users?.[0];
  if (first) out.write(`  with a one-time sign-in code instead of the password: ${link(first.user, true)}\n`);
  const where = opts.caOut === undefined ? 'write it with --ca-out <file>' : `it is in ${opts.caOut}`;
  out.write(
    `  (the lab's certificate is self-signed: KW Desktop fetches these links only when it trusts that certificate as an extra CA; ${where})\n`,
  );
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const out = process.stdout;
  let opts: LabOptions | 'help';
  try {
    opts = parseLabArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  const logger = createLogger(consoleSink(out), opts.verbose ? 'debug' : 'info', 'lab');
  let lab: Lab;
  try {
    lab = await startLab(opts, logger);
  } catch (err) {
    process.stderr.write(`${startupProblem(err, opts)}\n`);
    return 1;
  }
  const auth = opts.usersFile === undefined ? 'auth off' : `auth on, users from ${opts.usersFile}`;
  out.write(`Lab SIP server listening on ${lab.sip.url} (domain ${lab.sip.domain}, ${auth})\n`);
  if (opts.caOut !== undefined) out.write(`Certificate written to ${opts.caOut}\n`);
  if (lab.router) {
    out.write(`Router (${opts.routerConfig}) serves these routing points:\n`);
    for (const rp of lab.router.config.routingPoints) {
      out.write(`  ${rp.uri}  ${rp.strategy}, members ${rp.members.map((m) => m.uri).join(', ')}\n`);
    }
    if (lab.router.unregistered.length > 0)
      out.write(`  (still registering: ${lab.router.unregistered.join(', ')})\n`);
    if (opts.routerEvents) out.write(`Router events: ${opts.routerEvents}\n`);
  }
  if (lab.dashboard) out.write(`Router dashboard:   ${lab.dashboard.url} (token ${lab.dashboard.token})\n`);
  if (lab.web) {
    const users = opts.usersFile === undefined ? undefined : await loadUsersFile(opts.usersFile);
    const links = pageLinks({
      webUrl: lab.web.url,
      sipUrl: lab.sip.url,
      domain: lab.sip.domain,
      routingPoint: lab.router?.config.routingPoints[0]?.uri,
      ...(users ? { users } : {}),
    });
    out.write(`Agent desk:         ${links.agent}\n`);
    out.write(`Customer simulator: ${links.customer}\n`);
  }
  printProvisioning(out, lab, opts);
  out.write('Ctrl-C stops everything.\n');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second Ctrl-C means "now".
        out.write(`${signal} again, exiting\n`);
        resolve(1);
        return;
      }
      stopping = true;
      out.write('stopping…\n');
      lab.close().then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
