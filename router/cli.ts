/**
 * `npm run router`: the router as a service of its own. Loads the config,
 * starts the routing points on the given SIP server(s), optionally serves
 * `/healthz` and `/metrics` (router/http.ts), and stops cleanly (previews
 * withdrawn, routing points unregistered) on SIGINT or SIGTERM.
 *
 *   tsx router/cli.ts --config FILE --server ws://HOST:PORT [--server …]
 *                     [--store memory|redis://HOST:PORT/DB] [--instance NAME] [--events FILE]
 *                     [--http HOST:PORT [--http-cert FILE --http-key FILE]]
 *                     [--dashboard-token-file FILE] [--log-level debug|info|warn|error]
 *   tsx router/cli.ts --dry-run CONFIG SCENARIO.json
 *
 * Exit codes: 0 stopped by a signal (or --help), 1 could not start, 2 usage.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { consoleSink, createLogger } from '../main/core/log.js';
import { parseDryRunArgs, parseRouterArgs, USAGE, UsageError, type RouterCliOptions } from './cli-args.js';
import { systemClock } from './clock.js';
import { createDashboard, readDashboardToken, type Dashboard } from './dashboard/index.js';
import { runDryRunCommand } from './dashboard/dry-run-cli.js';
import { checkHealth, startRouterHttp, type RouterHttp } from './http.js';
import { loadRouterConfig, startRouter, type RouterConfig, type RunningRouter } from './index.js';
import { RouterMetrics } from './metrics.js';
import { MemoryStore, openStore, type RouterStore } from './store/index.js';

export interface CliIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

export async function main(
  argv: readonly string[] = process.argv.slice(2),
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let opts: RouterCliOptions | 'help';
  try {
    const dryRun = parseDryRunArgs(argv);
    if (dryRun) return await runDryRunCommand(dryRun, io);
    opts = parseRouterArgs(argv, { instance: `${os.hostname()}-${process.pid}` });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`router: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = opts;
  const logger = createLogger(consoleSink(io.stdout), options.logLevel, `router[${options.instance}]`);

  // Signals are caught from the start: a stop during registration waits for startRouter, then closes.
  let signalled: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      logger.info('stopping', { signal });
      signalled(signal);
      return;
    }
    io.stderr.write(`router: ${signal} again, exiting without a clean stop\n`);
    process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(options, logger, stopRequested, io);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function run(
  options: RouterCliOptions,
  logger: ReturnType<typeof createLogger>,
  stopRequested: Promise<NodeJS.Signals>,
  io: CliIo,
): Promise<number> {
  let config: RouterConfig;
  try {
    config = await loadRouterConfig(options.config);
  } catch (error) {
    io.stderr.write(`router: ${(error as Error).message}\n`);
    return 1;
  }
  const metrics = new RouterMetrics({ instance: options.instance, processMetrics: true });
  let store: RouterStore;
  try {
    store =
      options.store.kind === 'memory'
        ? new MemoryStore()
        : await openStore(options.store.spec, {
            onError: (error) => logger.debug('store connection', { error: error.message }),
          });
  } catch (error) {
    io.stderr.write(`router: cannot open the store: ${(error as Error).message}\n`);
    return 1;
  }
  let router: RunningRouter;
  try {
    router = await startRouter({
      config,
      servers: options.servers,
      logger,
      store,
      instance: options.instance,
      onStoreError: () => metrics.storeError(),
      eventLog: {
        ...(options.events !== undefined ? { file: options.events } : {}),
        sink: metrics.observe,
      },
    });
  } catch (error) {
    io.stderr.write(`router: could not start: ${(error as Error).message}\n`);
    await store.close();
    return 1;
  }
  metrics.attach(router);

  let dashboard: Dashboard | undefined;
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    tls = options.httpTls && {
      cert: await readFile(options.httpTls.cert),
      key: await readFile(options.httpTls.key),
    };
    dashboard = await dashboardFor(options, config, store, logger, tls !== undefined);
  } catch (error) {
    io.stderr.write(`router: ${(error as Error).message}\n`);
    await router.close();
    await store.close();
    return 1;
  }

  let http: RouterHttp | undefined;
  if (options.http) {
    if (!options.http.loopback && !tls)
      logger.warn('the health and metrics endpoint has no authentication: prefer a loopback address', {
        host: options.http.host,
      });
    try {
      http = await startRouterHttp({
        host: options.http.host,
        port: options.http.port,
        logger: logger.child('http'),
        metrics,
        ...(tls ? { tls } : {}),
        ...(dashboard ? { dashboard: dashboard.routes.handle.bind(dashboard.routes) } : {}),
        health: () =>
          checkHealth({
            router,
            store,
            instance: options.instance,
            onStoreError: () => metrics.storeError(),
          }),
      });
    } catch (error) {
      io.stderr.write(
        `router: cannot serve http on ${options.http.host}:${options.http.port}: ${(error as Error).message}\n`,
      );
      await router.close();
      await store.close();
      return 1;
    }
    logger.info('http listening', {
      url: http.url,
      healthz: `${http.url}/healthz`,
      metrics: `${http.url}/metrics`,
      ...(dashboard ? { dashboard: `${http.url}/dashboard/` } : {}),
    });
  }

  logger.info('router running', {
    instance: options.instance,
    store: options.store.kind,
    servers: options.servers,
    routingPoints: config.routingPoints.map((rp) => `${rp.uri} (${rp.strategy})`),
    ...(router.unregistered.length > 0 ? { stillRegistering: router.unregistered } : {}),
    ...(options.events !== undefined ? { events: options.events } : {}),
  });

  await stopRequested;
  try {
    dashboard?.close();
    await http?.close();
    await router.close();
    await store.close();
  } catch (error) {
    io.stderr.write(`router: error while stopping: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}

/** The dashboard when a token is configured and it may be served safely; else undefined, said in one log line. */
async function dashboardFor(
  options: RouterCliOptions,
  config: RouterConfig,
  store: RouterStore,
  logger: ReturnType<typeof createLogger>,
  secure: boolean,
): Promise<Dashboard | undefined> {
  const token = await readDashboardToken(
    options.dashboardTokenFile !== undefined
      ? { tokenFile: options.dashboardTokenFile }
      : { tokenFile: config.dashboard?.tokenFile, token: config.dashboard?.token },
  );
  if (token === undefined) {
    logger.info('dashboard off: no token (config dashboard.tokenFile or --dashboard-token-file)');
    return undefined;
  }
  if (!options.http) {
    logger.info('dashboard off: it is served on --http, which is not given');
    return undefined;
  }
  if (!options.http.loopback && !secure) {
    logger.warn('dashboard off: a non-loopback --http address needs TLS (--http-cert, --http-key)', {
      host: options.http.host,
    });
    return undefined;
  }
  return createDashboard({
    config,
    store,
    instance: options.instance,
    token,
    secure,
    clock: systemClock,
    logger: logger.child('dashboard'),
  });
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`router: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
