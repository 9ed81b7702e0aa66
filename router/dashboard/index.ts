/**
 * The dashboard's parts put together for the router's `--http` server
 * (router/cli.ts): sessions, the snapshot feed on the shared store, the dry
 * run with the live router's round-robin cursors, idle times and wrap-ups.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../main/core/log.js';
import type { DryRunRequest, DryRunResult } from '../../wire/dashboard.js';
import type { Clock } from '../clock.js';
import type { RouterConfig } from '../config.js';
import type { RouterStore } from '../store/types.js';
import { dryRun, type DryRunLive } from './dry-run.js';
import { readLedger } from '../protection.js';
import { DashboardRoutes } from './routes.js';
import { DashboardSessions } from './sessions.js';
import { SnapshotFeed } from './snapshot-feed.js';

export { DashboardRoutes } from './routes.js';
export { dryRun } from './dry-run.js';

/** Where scripts/build-dashboard.mjs puts the page. */
export const DEFAULT_DASHBOARD_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/dashboard',
);

export interface DashboardOptions {
  readonly config: RouterConfig;
  readonly store: RouterStore;
  readonly instance: string;
  readonly token: string;
  readonly secure: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly staticDir?: string;
}

export interface Dashboard {
  readonly routes: DashboardRoutes;
  readonly feed: SnapshotFeed;
  close(): void;
}

export function createDashboard(options: DashboardOptions): Dashboard {
  const feed = new SnapshotFeed({
    config: options.config,
    store: options.store,
    instance: options.instance,
    clock: options.clock,
    logger: options.logger,
  });
  const routes = new DashboardRoutes({
    sessions: new DashboardSessions(options.token, options.clock),
    feed,
    dryRun: (request) => liveDryRun(options, request),
    staticDir: options.staticDir ?? DEFAULT_DASHBOARD_DIR,
    secure: options.secure,
    clock: options.clock,
    logger: options.logger,
  });
  return { routes, feed, close: () => feed.close() };
}

/** The dry run with what the shared store knows now (cursor, idle since, wrap-up, load). */
export async function liveDryRun(
  options: Pick<DashboardOptions, 'config' | 'store' | 'clock'>,
  request: DryRunRequest,
): Promise<DryRunResult> {
  const { config, store, clock } = options;
  const now = clock.now();
  const kws = [...new Set(config.routingPoints.flatMap((rp) => rp.members.map((m) => m.uri)))];
  const facts = new Map(
    await Promise.all(
      kws.map(
        async (kw) =>
          [
            kw,
            {
              state: await store.kwState(kw),
              lastEnded: await store.lastEnded(kw),
              load: await store.load(kw),
            },
          ] as const,
      ),
    ),
  );
  const cursors = new Map(
    await Promise.all(
      config.routingPoints.map(async (rp) => [rp.uri, await store.getCursor(rp.uri)] as const),
    ),
  );
  const wrapUpMs = Math.max(0, ...config.routingPoints.map((rp) => rp.wrapUpMs));
  // Only read the whole stream when some limit needs it.
  const limited = config.routingPoints.some(
    (rp) => rp.protection !== undefined || rp.members.some((m) => m.protection !== undefined),
  );
  const protection = limited ? await readLedger(store, clock) : undefined;
  const live: DryRunLive = {
    cursor: (rp) => cursors.get(rp),
    // As the engine: the later of "became Ready" and "last interaction ended".
    idleSince: (kw) => {
      const f = facts.get(kw);
      if (!f) return undefined;
      const ready = f.state?.state.kind === 'Ready' ? f.state.sinceMs : now;
      return Math.max(ready, f.lastEnded ?? Number.NEGATIVE_INFINITY);
    },
    load: (kw) => facts.get(kw)?.load ?? 0,
    inWrapUp: (kw) => {
      const ended = facts.get(kw)?.lastEnded;
      return ended !== undefined && ended + wrapUpMs > now;
    },
    ...(protection ? { protection: (kw: string) => protection.facts(kw) } : {}),
    now,
  };
  return dryRun(config, request, live);
}

/** The dashboard token: the file's content (trimmed) when a file is given, else the value. */
export async function readDashboardToken(source: {
  readonly tokenFile?: string | undefined;
  readonly token?: string | undefined;
}): Promise<string | undefined> {
  if (source.tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(source.tokenFile, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the dashboard token file: ${(error as Error).message}`);
    }
    const token = text.trim();
    if (token === '') throw new Error(`the dashboard token file ${source.tokenFile} is empty`);
    return token;
  }
  return source.token;
}
