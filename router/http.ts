/**
 * The router's operations endpoint (`npm run router -- --http HOST:PORT`),
 * Node's http module only: `GET /healthz` (200 when every routing point is
 * registered and the store answers, else 503 naming why) and `GET /metrics`
 * (Prometheus text, router/metrics.ts), and the supervisor dashboard under
 * `/dashboard/` when one is given (router/dashboard/, behind a token). Anything
 * else: 404; another method than GET: 405. The health and metrics endpoints
 * have no authentication: bind to a loopback address, or serve TLS.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../main/core/log.js';
import type { RouterHealth } from './index.js';

/** Where interaction state lives; health asks it whether it answers. */
export interface StoreCheck {
  readonly kind: string;
  /** Resolves when the store answers, rejects when it does not. */
  ping(): Promise<void>;
}

export interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  /** Why the router is unavailable, one line each; empty when ok. */
  readonly reasons: readonly string[];
  readonly instance: string;
  readonly routingPoints: ReadonlyArray<{
    readonly uri: string;
    readonly registered: boolean;
    readonly state: string;
  }>;
  /** The routing points not registered now. */
  readonly unregistered: readonly string[];
  readonly store: { readonly kind: string; readonly reachable: boolean; readonly error?: string };
}

export interface HealthInputs {
  readonly router: { health(): RouterHealth };
  readonly store: StoreCheck;
  readonly instance: string;
  /** Called when the store does not answer (the store-errors counter). */
  readonly onStoreError?: () => void;
  /** How long the store may take to answer; default 2 s. */
  readonly storeTimeoutMs?: number;
}

export async function checkHealth(inputs: HealthInputs): Promise<HealthReport> {
  const router = inputs.router.health();
  const reasons: string[] = [];
  for (const rp of router.routingPoints) {
    if (!rp.registered) reasons.push(`routing point ${rp.uri} is not registered (${rp.detail})`);
  }
  let store: HealthReport['store'];
  try {
    await withTimeout(inputs.store.ping(), inputs.storeTimeoutMs ?? 2000);
    store = { kind: inputs.store.kind, reachable: true };
  } catch (error) {
    inputs.onStoreError?.();
    const message = error instanceof Error ? error.message : String(error);
    store = { kind: inputs.store.kind, reachable: false, error: message };
    reasons.push(`the ${inputs.store.kind} store is not reachable (${message})`);
  }
  return {
    status: reasons.length === 0 ? 'ok' : 'unavailable',
    reasons,
    instance: inputs.instance,
    routingPoints: router.routingPoints.map((rp) => ({
      uri: rp.uri,
      registered: rp.registered,
      state: rp.detail,
    })),
    unregistered: router.routingPoints.filter((rp) => !rp.registered).map((rp) => rp.uri),
    store,
  };
}

export interface RouterHttpOptions {
  readonly host: string;
  /** 0 = any free port (read `port` / `url` after start). */
  readonly port: number;
  readonly health: () => Promise<HealthReport>;
  readonly metrics: { readonly contentType: string; scrape(): Promise<string> };
  readonly logger: Logger;
  /** Serves https with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Answers every path under /dashboard (absent: 404, the dashboard is off). */
  readonly dashboard?: (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;
}

export interface RouterHttp {
  /** e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startRouterHttp(options: RouterHttpOptions): Promise<RouterHttp> {
  const { logger } = options;
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res, options).catch((error: unknown) => {
      logger.error('http request failed', { path: req.url, error: String(error) });
      if (!res.headersSent) json(res, 500, { status: 'error', error: 'internal error' });
      else res.destroy();
    });
  };
  const server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createServer(listener);
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error('http server error', { error: String(error) }));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    port: address.port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: RouterHttpOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://router').pathname;
  if (options.dashboard && (path === '/dashboard' || path.startsWith('/dashboard/'))) {
    await options.dashboard(req, res, path);
    return;
  }
  if (path !== '/healthz' && path !== '/metrics') {
    json(res, 404, { status: 'error', error: `not found: ${path} (try /healthz or /metrics)` });
    return;
  }
  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    json(res, 405, { status: 'error', error: `method ${req.method ?? '?'} not allowed: use GET` });
    return;
  }
  if (path === '/healthz') {
    const report = await options.health();
    json(res, report.status === 'ok' ? 200 : 503, report);
    return;
  }
  const text = await options.metrics.scrape();
  res.writeHead(200, { 'Content-Type': options.metrics.contentType, 'Cache-Control': 'no-store' });
  res.end(text);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
