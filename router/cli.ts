/**
 * `npm run router`: the router as a service of its own. Loads the config,
 * starts the routing points on the given SIP server(s), optionally serves
 * `/healthz` and `/metrics` (router/http.ts), and stops cleanly (previews
 * withdrawn, routing points unregistered) on SIGINT or SIGTERM.
 *
 *   tsx router/cli.ts --config FILE --server ws://HOST:PORT [--server …]
 *                     [--store memory|redis://HOST:PORT/DB] [--instance NAME] [--events FILE]
 *                     [--http HOST:PORT] [--log-level debug|info|warn|error]
 *
 * Exit codes: 0 stopped by a signal (or --help), 1 could not start, 2 usage.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { consoleSink, createLogger } from '../main/core/log.js';
import { parseRouterArgs, USAGE, UsageError, type RouterCliOptions } from './cli-args.js';
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

  let http: RouterHttp | undefined;
  if (options.http) {
    if (!options.http.loopback)
      logger.warn('the health and metrics endpoint has no authentication: prefer a loopback address', {
        host: options.http.host,
      });
    try {
      http = await startRouterHttp({
        host: options.http.host,
        port: options.http.port,
        logger: logger.child('http'),
        metrics,
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
    await http?.close();
    await router.close();
    await store.close();
  } catch (error) {
    io.stderr.write(`router: error while stopping: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
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
