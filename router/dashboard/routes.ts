/**
 * The dashboard under `/dashboard/` of the router's `--http` server: the page
 * (static files built to dist/dashboard/), sign-in and sign-out, the live
 * view (Server-Sent Events) and the dry run. Everything but the page's own
 * files and the sign-in needs the session cookie.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../main/core/log.js';
import type { DashboardSnapshot, DryRunRequest, DryRunResult } from '../../wire/dashboard.js';
import type { Clock } from '../clock.js';
import {
  cookie,
  mediaType,
  readBody,
  securityHeaders,
  sendJson,
  sendText,
  SESSION_COOKIE,
  sessionCookie,
} from './http-io.js';
import { parseDryRunRequest } from './dry-run.js';
import { SESSION_MS, type DashboardSessions } from './sessions.js';

export const LOGIN_MAX_BYTES = 4 * 1024;
export const DRY_RUN_MAX_BYTES = 256 * 1024;

export interface DashboardRoutesOptions {
  readonly sessions: DashboardSessions;
  readonly feed: { watch(listener: (s: DashboardSnapshot) => void): () => void };
  readonly dryRun: (request: DryRunRequest) => Promise<DryRunResult>;
  /** The built page (scripts/build-dashboard.mjs → dist/dashboard/). */
  readonly staticDir: string;
  /** Served over TLS: the cookie gets `Secure`. */
  readonly secure: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export class DashboardRoutes {
  /** Open event streams per session, closed when it signs out. */
  private readonly streams = new Map<string, Set<() => void>>();

  constructor(private readonly options: DashboardRoutesOptions) {}

  /** Answers any request whose path starts with /dashboard. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    securityHeaders(res);
    if (pathname === '/dashboard') {
      res.writeHead(308, { Location: '/dashboard/' });
      res.end();
      return;
    }
    const route = pathname.slice('/dashboard/'.length);
    const method = req.method ?? 'GET';
    if (route === 'login') return this.only(req, res, 'POST', () => this.login(req, res));
    if (route === 'logout') return this.only(req, res, 'POST', () => this.logout(req, res));
    if (method === 'GET' && (route === '' || /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(route))) {
      if (await this.serveFile(res, route === '' ? 'index.html' : route)) return;
    }
    const sessionId = cookie(req, SESSION_COOKIE);
    const until = this.options.sessions.validUntil(sessionId);
    if (sessionId === undefined || until === undefined) {
      sendJson(res, 401, { error: 'sign in first' });
      return;
    }
    if (route === 'events') return this.only(req, res, 'GET', () => this.events(req, res, sessionId, until));
    if (route === 'dry-run') return this.only(req, res, 'POST', () => this.dryRun(req, res));
    sendJson(res, 404, { error: `not found: ${pathname}` });
  }

  private async only(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    run: () => Promise<void> | void,
  ): Promise<void> {
    if (req.method !== method) {
      res.setHeader('Allow', method);
      sendJson(res, 405, { error: `use ${method}` });
      return;
    }
    await run();
  }

  /** True when the file exists and was sent; 503 when the page is not built at all. */
  private async serveFile(res: ServerResponse, name: string): Promise<boolean> {
    const type = TYPES[path.extname(name)];
    if (type === undefined) return false;
    let body: Buffer;
    try {
      body = await readFile(path.join(this.options.staticDir, name));
    } catch {
      if (name !== 'index.html') return false;
      sendText(res, 503, 'The dashboard page is not built: run `node scripts/build-dashboard.mjs`.');
      return true;
    }
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
    res.end(body);
    return true;
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, LOGIN_MAX_BYTES);
    if (body === 'too-large') {
      sendJson(res, 413, { error: 'the sign-in request is too large' }, { Connection: 'close' });
      return;
    }
    const token = tokenOf(mediaType(req), body.toString('utf8'));
    if (token === undefined) {
      sendJson(res, 400, { error: 'send {"token": "…"} as JSON or token=… as a form' });
      return;
    }
    const remote = req.socket.remoteAddress ?? 'unknown';
    const outcome = this.options.sessions.signIn(token, remote);
    if (!outcome.ok) {
      this.options.logger.warn('dashboard sign-in refused', { remote, why: outcome.why });
      if (outcome.why === 'too-many-tries')
        sendJson(res, 429, { error: 'too many tries' }, { 'Retry-After': '60' });
      else sendJson(res, 401, { error: 'wrong token' });
      return;
    }
    this.options.logger.info('dashboard signed in', { remote });
    sendJson(
      res,
      200,
      { ok: true, expiresAt: new Date(outcome.expiresAt).toISOString() },
      { 'Set-Cookie': sessionCookie(outcome.sessionId, SESSION_MS / 1000, this.options.secure) },
    );
  }

  private logout(req: IncomingMessage, res: ServerResponse): void {
    const sessionId = cookie(req, SESSION_COOKIE);
    this.options.sessions.signOut(sessionId);
    if (sessionId !== undefined) for (const close of this.streams.get(sessionId) ?? []) close();
    sendJson(res, 200, { ok: true }, { 'Set-Cookie': sessionCookie('', 0, this.options.secure) });
  }

  private events(req: IncomingMessage, res: ServerResponse, sessionId: string, until: number): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // A reverse proxy (nginx) would otherwise hold the snapshots back.
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const unwatch = this.options.feed.watch((snapshot) => {
      res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    });
    const { clock } = this.options;
    const expiry = clock.setTimeout(() => close(), Math.max(0, until - clock.now()));
    const streams = this.streams.get(sessionId) ?? new Set();
    this.streams.set(sessionId, streams);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      unwatch();
      clock.clearTimeout(expiry);
      streams.delete(close);
      if (streams.size === 0) this.streams.delete(sessionId);
      res.end();
    };
    streams.add(close);
    req.on('close', close);
  }

  private async dryRun(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, DRY_RUN_MAX_BYTES);
    if (body === 'too-large') {
      sendJson(
        res,
        413,
        { ok: false, problems: ['the dry run is larger than 256 KiB'] },
        { Connection: 'close' },
      );
      return;
    }
    const parsed = parseDryRunRequest(body.toString('utf8'));
    if (!parsed.ok) {
      sendJson(res, 400, parsed);
      return;
    }
    const result = await this.options.dryRun(parsed.request);
    sendJson(res, result.ok ? 200 : 422, result);
  }
}

function tokenOf(type: string, text: string): string | undefined {
  if (type === 'application/x-www-form-urlencoded')
    return new URLSearchParams(text).get('token') ?? undefined;
  try {
    const json: unknown = JSON.parse(text);
    const token = typeof json === 'object' && json !== null ? (json as { token?: unknown }).token : undefined;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}
