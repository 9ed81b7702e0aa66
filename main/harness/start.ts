/**
 * `npm start` (options: main/harness/start-args.ts, `npm start -- --help`):
 * the lab (SIP server + router with the example config + the agent desk and
 * customer pages) and the KW Desktop signed in as the lab user `--user`
 * (default kw1) on the lab's SIP server (`--port`, default 5080).
 *
 * Which KW Desktop: with an Electron binary installed (electron-binary.ts)
 * and no `--browser`, the Electron app, built into dist/ first
 * (scripts/build-electron.mjs) and started by electron-launch.ts; otherwise
 * it says so in one line and serves the same UI through the browser harness
 * (compose.ts) on `--ui-port`, printing the URLs.
 *
 * The arguments are checked before anything is built: `--help` prints the
 * usage, a mistake prints one line and the usage (exit 2), and a port another
 * program holds prints one line naming the option that moves it (exit 1,
 * port-check.ts). Then the builds run (the JsSIP bundle, the renderer, the lab
 * pages, and the Electron main and preloads when Electron runs), and only then
 * are the lab and the app loaded (they import the JsSIP bundle). Ctrl-C (or
 * the Electron app quitting) stops the app, then the lab.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { consoleSink, createLogger, type Logger } from '../core/log.js';
import type { Lab } from '../../lab/cli.js';
import { installedElectronBinary } from './electron-binary.js';
import { launchElectronKw } from './electron-launch.js';
import { firstUnavailablePort, listenErrorLine, portProblemLine } from './port-check.js';
import { parseStartArgs, START_USAGE, StartUsageError, startPorts, type StartOptions } from './start-args.js';

/** Where the lab and the browser harness listen (their defaults). */
const LOOPBACK = '127.0.0.1';

/** The builds `npm start` needs, in order (each a node script of scripts/). */
export function buildsFor(electron: boolean): string[] {
  return [
    'scripts/build-jssip.mjs',
    'scripts/build-renderer.mjs',
    'scripts/build-lab-web.mjs',
    ...(electron ? ['scripts/build-electron.mjs'] : []),
  ];
}

/** What a launched KW Desktop gives back: how to stop it, and (Electron) when it ended by itself. */
interface RunningKw {
  stop(): Promise<void>;
  readonly exited?: Promise<number>;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let options: StartOptions | 'help';
  try {
    options = parseStartArgs(argv);
  } catch (error) {
    if (!(error instanceof StartUsageError)) throw error;
    process.stderr.write(`npm start: ${error.message}\n${START_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${START_USAGE}\n`);
    return 0;
  }
  const electron = options.browser ? undefined : installedElectronBinary();
  const ports = startPorts(options, electron === undefined);
  const unavailable = await firstUnavailablePort(LOOPBACK, ports);
  if (unavailable) return failed(portProblemLine(unavailable.needed, unavailable.problem));
  const broken = buildsFor(electron !== undefined).find((script) => !built(script));
  if (broken !== undefined) return failed(`${broken} failed`);
  return run(options, electron).catch((error: unknown) => {
    // Taken between the check and the start: the same one line.
    const line = listenErrorLine(error, ports);
    if (line === undefined) throw error;
    return failed(line);
  });
}

/** Runs one build script, its output shown; true when it succeeded. */
function built(script: string): boolean {
  return spawnSync(process.execPath, [script], { stdio: 'inherit' }).status === 0;
}

/** One line on stderr, exit code 1. */
function failed(line: string): number {
  process.stderr.write(`npm start: ${line}\n`);
  return 1;
}

/**
 * Starts the lab and the KW Desktop (the Electron app at `electron`, else the
 * browser harness) once the builds are done, and runs until stopped; resolves
 * with the exit code. `labArgs` are extra `npm run lab` options (tests).
 */
export async function run(
  options: StartOptions,
  electron: string | undefined,
  labArgs: readonly string[] = [],
): Promise<number> {
  // Loaded after the builds: the lab and the app import the JsSIP bundle (build/jssip.cjs).
  const { parseLabArgs, startLab } = await import('../../lab/cli.js');
  const out = process.stdout;
  const logger = createLogger(consoleSink(process.stderr), 'warn', 'start');
  const labOptions = parseLabArgs([
    '--port',
    String(options.port),
    '--web-port',
    String(options.webPort),
    // The supervisor's dashboard belongs to `npm run lab`; npm start is the KW's view.
    '--no-dashboard',
    ...labArgs,
  ]);
  if (labOptions === 'help') return 0;
  const lab = await startLab(labOptions, logger.child('lab'));
  out.write(
    `Lab: SIP server ${lab.sip.url}, routing points ${lab.router?.routingPoints.join(', ') ?? 'none'}\n`,
  );
  const account = {
    uri: `sip:${options.user}@${lab.sip.domain}`,
    displayName: options.user === 'kw1' ? 'Kim Expert' : `Expert ${options.user}`,
  };
  // The lab's KW trusts exactly the lab's routing points (an installed app trusts none until listed).
  const labKw: LabKw = {
    account,
    server: lab.sip.url,
    trustedRoutingPoints: lab.router?.routingPoints ?? [],
  };
  let kw: RunningKw;
  try {
    kw = electron ? startElectronKw(electron, labKw, options) : await startBrowserKw(labKw, options, logger);
  } catch (error) {
    await lab.close();
    throw error;
  }
  await printLabLinks(lab);
  out.write(
    'Make a preview pop without the agent desk: npm run agent -- "need help with invoice 42"\nCtrl-C stops everything.\n',
  );
  return untilStopped(kw, () => lab.close());
}

/** Who the lab's KW Desktop is: its account, the lab's server, the lab's routing points. */
interface LabKw {
  readonly account: { readonly uri: string; readonly displayName: string };
  readonly server: string;
  readonly trustedRoutingPoints: readonly string[];
}

function startElectronKw(binary: string, kw: LabKw, options: StartOptions): RunningKw {
  const app = launchElectronKw({ binary, ...kw, name: `electron-${options.user}` });
  process.stdout.write(
    `KW Desktop (Electron) signing in as ${kw.account.uri} on ${kw.server} (its data: ${app.userData})\n`,
  );
  return { stop: () => app.stop(), exited: app.exited };
}

async function startBrowserKw(
  { account, server, trustedRoutingPoints }: LabKw,
  options: StartOptions,
  logger: Logger,
): Promise<RunningKw> {
  const { startHarnessKw } = await import('./compose.js');
  process.stdout.write(
    'No Electron binary is installed here (its download host is unreachable): opening the KW Desktop in the browser harness instead.\n',
  );
  mkdirSync('.lab-run', { recursive: true });
  const kw = await startHarnessKw({
    account,
    servers: [server],
    trustedRoutingPoints,
    historyDir: `.lab-run/history-${options.user}`,
    logger: logger.child('kw'),
    port: options.uiPort,
  });
  process.stdout.write(
    `KW Desktop signed in as ${account.uri}\n  main window:   ${kw.harness.mainUrl}  (keep it open: it carries the call audio)\n  preview popup: ${kw.harness.previewUrl}\n  call popup:    ${kw.harness.url}/call.html\n`,
  );
  return { stop: () => kw.close() };
}

async function printLabLinks(lab: Lab): Promise<void> {
  if (!lab.web) return;
  const { pageLinks } = await import('../../lab/web/server.js');
  const links = pageLinks({
    webUrl: lab.web.url,
    sipUrl: lab.sip.url,
    domain: lab.sip.domain,
    routingPoint: lab.router?.config.routingPoints[0]?.uri,
  });
  process.stdout.write(`Play the agent:    ${links.agent}\nPlay the customer: ${links.customer}\n`);
}

/**
 * Runs until SIGINT/SIGTERM (a second one exits at once) or the Electron app
 * exits by itself; then stops the app and the lab, in that order.
 */
function untilStopped(kw: RunningKw, closeLab: () => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const finish = (code: number): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(code);
    };
    const stop = (code: number): void => {
      stopping = true;
      process.stdout.write('stopping…\n');
      void kw
        .stop()
        .then(closeLab)
        .then(
          () => finish(code),
          (error: unknown) => {
            process.stderr.write(`error while stopping: ${String(error)}\n`);
            finish(1);
          },
        );
    };
    function onSignal(): void {
      if (stopping) finish(1);
      else stop(0);
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void kw.exited?.then((code) => {
      if (stopping) return;
      process.stdout.write(`the KW Desktop exited (code ${code})\n`);
      stop(code);
    });
  });
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `npm start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
