/**
 * The lab's router dashboard (issue 14): the router's own --http server with
 * the dashboard on, on loopback, behind a token made fresh at each start and
 * printed once (a lab has no config file for it). /healthz answers as the
 * router's CLI does; /metrics is empty here.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../main/core/log.js';
import { systemClock } from '../router/clock.js';
import { createDashboard } from '../router/dashboard/index.js';
import { checkHealth, startRouterHttp } from '../router/http.js';
import type { RunningRouter } from '../router/index.js';
import type { RouterStore } from '../router/store/index.js';

export interface LabDashboard {
  /** http://host:port/dashboard/ */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

export async function startLabDashboard(
  router: RunningRouter,
  store: RouterStore,
  options: { readonly host: string; readonly port: number; readonly logger: Logger },
): Promise<LabDashboard> {
  const token = randomBytes(18).toString('base64url');
  const dashboard = createDashboard({
    config: router.config,
    store,
    instance: 'lab',
    token,
    secure: false,
    clock: systemClock,
    logger: options.logger,
  });
  const http = await startRouterHttp({
    host: options.host,
    port: options.port,
    logger: options.logger,
    metrics: { contentType: 'text/plain; version=0.0.4', scrape: () => Promise.resolve('') },
    health: () => checkHealth({ router, store, instance: 'lab', onStoreError: () => undefined }),
    dashboard: dashboard.routes.handle.bind(dashboard.routes),
  }).catch((error: unknown) => {
    dashboard.close();
    throw error;
  });
  return {
    url: `${http.url}/dashboard/`,
    token,
    close: async () => {
      dashboard.close();
      await http.close();
    },
  };
}
