/** The dashboard's HTTP side on a real loopback server: sign-in, limits, headers, the event stream, the dry run. */
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../../main/core/log.js';
import { parseRouterConfig } from '../../../../router/config.js';
import { dryRun } from '../../../../router/dashboard/dry-run.js';
import { DASHBOARD_CSP } from '../../../../router/dashboard/http-io.js';
import { DashboardRoutes } from '../../../../router/dashboard/routes.js';
import { DashboardSessions } from '../../../../router/dashboard/sessions.js';
import { startRouterHttp, type RouterHttp } from '../../../../router/http.js';
import type { DashboardSnapshot } from '../../../../wire/dashboard.js';
import { FakeClock } from '../../../support/fake-clock.js';
import { fixtureCertificate } from '../../../support/https-fixture.js';

const TOKEN = 'correct horse battery staple';
const RP = 'sip:rp@lab.local';
const config = parseRouterConfig({
  routingPoints: [{ uri: RP, strategy: 'longest-idle', members: ['kw1', 'kw2'] }],
});
const SNAPSHOT = {
  protocol: 1,
  at: '2026-11-24T09:00:00.000Z',
  instance: 'A',
} as unknown as DashboardSnapshot;

const servers: RouterHttp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function pageDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-dashboard-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Routing dashboard</title>');
  writeFileSync(path.join(dir, 'app.js'), 'export {};');
  return dir;
}

async function start(
  options: { staticDir?: string; dashboard?: boolean; tls?: { cert: string; key: string } } = {},
) {
  const clock = new FakeClock();
  const log = memoryLogger();
  let watchers = 0;
  const routes = new DashboardRoutes({
    sessions: new DashboardSessions(TOKEN, clock),
    feed: {
      watch: (listener) => {
        watchers += 1;
        listener(SNAPSHOT);
        return () => (watchers -= 1);
      },
    },
    dryRun: (request) => Promise.resolve(dryRun(config, request)),
    staticDir: options.staticDir ?? pageDir(),
    secure: options.tls !== undefined,
    clock,
    logger: log.logger,
  });
  const http = await startRouterHttp({
    host: '127.0.0.1',
    port: 0,
    logger: log.logger,
    metrics: { contentType: 'text/plain', scrape: () => Promise.resolve('') },
    health: () => Promise.reject(new Error('not in this test')),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.dashboard === false ? {} : { dashboard: routes.handle.bind(routes) }),
  });
  servers.push(http);
  const login = (token: string) =>
    fetch(`${http.url}/dashboard/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
  const session = async (): Promise<string> => {
    const res = await login(TOKEN);
    expect(res.status).toBe(200);
    return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  };
  return { http, clock, log, login, session, watchers: () => watchers };
}

describe('dashboard sign-in', () => {
  it('serves the page with the KW Desktop’s CSP, nosniff and no-referrer', async () => {
    const { http } = await start();
    const res = await fetch(`${http.url}/dashboard/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("default-src 'none'; script-src 'self'; style-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${http.url}/dashboard/app.js`)).headers.get('content-type')).toMatch(
      /^text\/javascript/,
    );
    const redirect = await fetch(`${http.url}/dashboard`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([308, '/dashboard/']);
  });

  it('answers 503 in one line when the page is not built, 404 when the dashboard is off', async () => {
    const missing = await start({ staticDir: path.join(os.tmpdir(), 'no-such-dashboard-dir') });
    const res = await fetch(`${missing.http.url}/dashboard/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(
      /^The dashboard page is not built: run `node scripts\/build-dashboard\.mjs`\.\n$/,
    );
    const off = await start({ dashboard: false });
    expect((await fetch(`${off.http.url}/dashboard/`)).status).toBe(404);
    expect((await off.login(TOKEN)).status).toBe(404);
  });

  it('refuses a wrong token with 401, logged without the token', async () => {
    const { login, log } = await start();
    const res = await login('guess');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'wrong token' });
    expect(res.headers.get('set-cookie')).toBeNull();
    const line = log.records.find((r) => r.msg === 'dashboard sign-in refused');
    expect(line?.fields).toMatchObject({ why: 'wrong-token' });
    expect(JSON.stringify(log.records)).not.toContain('guess');
  });

  it('answers 429 after 10 wrong tokens a minute from one address, even to the right one; a minute later it works', async () => {
    const { login, clock } = await start();
    for (let i = 0; i < 10; i++) expect((await login(`guess ${i}`)).status).toBe(401);
    const limited = await login(TOKEN);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    clock.advance(60_000);
    expect((await login(TOKEN)).status).toBe(200);
  });

  it('sets an HttpOnly, SameSite=Strict session cookie for /dashboard, valid 12 h; a form works too', async () => {
    const { http } = await start();
    const res = await fetch(`${http.url}/dashboard/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^kw_dashboard=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/dashboard; Max-Age=43200$/,
    );
  });

  it('marks the cookie Secure over TLS', async () => {
    const tls = await fixtureCertificate();
    const { http } = await start({ tls });
    expect(http.url).toMatch(/^https:/);
    const cookie = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        `${http.url}/dashboard/login`,
        { method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(String(res.headers['set-cookie']?.[0] ?? ''));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ token: TOKEN }));
    });
    expect(cookie).toMatch(/; Secure$/);
  });

  it('refuses a sign-in body over 4 KiB with 413', async () => {
    const { login } = await start();
    expect((await login('x'.repeat(5000))).status).toBe(413);
  });
});

describe('dashboard routes behind the session', () => {
  it('answers 401 without a valid session, 404 for an unknown route with one', async () => {
    const { http, session } = await start();
    for (const [method, route] of [
      ['GET', 'events'],
      ['POST', 'dry-run'],
      ['GET', 'anything'],
    ] as const) {
      const res = await fetch(`${http.url}/dashboard/${route}`, {
        method,
        headers: { Cookie: 'kw_dashboard=forged' },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    }
    const cookie = await session();
    expect((await fetch(`${http.url}/dashboard/anything`, { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it('streams snapshots as Server-Sent Events and closes the stream when the session expires', async () => {
    const { http, session, clock, watchers } = await start();
    const cookie = await session();
    const res = await fetch(`${http.url}/dashboard/events`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    if (!res.body) throw new Error('no event stream body');
    const reader = res.body.getReader();
    let text = '';
    while (!text.includes('\n\nevent: snapshot'))
      text += new TextDecoder().decode((await reader.read()).value);
    while (!text.endsWith('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toBe(`retry: 2000\n\nevent: snapshot\ndata: ${JSON.stringify(SNAPSHOT)}\n\n`);
    expect(watchers()).toBe(1);
    clock.advance(12 * 60 * 60_000);
    expect((await reader.read()).done).toBe(true);
    expect(watchers()).toBe(0);
    expect((await fetch(`${http.url}/dashboard/events`, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const { http, session } = await start();
    const cookie = await session();
    const out = await fetch(`${http.url}/dashboard/logout`, { method: 'POST', headers: { Cookie: cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^kw_dashboard=; .*Max-Age=0/);
    expect((await fetch(`${http.url}/dashboard/events`, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('runs the dry run; bad JSON is 400, an invalid edited config 422 with its problems, over 256 KiB 413', async () => {
    const { http, session } = await start();
    const cookie = await session();
    const post = (body: string) =>
      fetch(`${http.url}/dashboard/dry-run`, {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/json' },
        body,
      });
    const good = await post(
      JSON.stringify({
        routingPoint: RP,
        members: [{ kw: 'kw2', presence: { kind: 'state', state: 'available' } }],
      }),
    );
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ ok: true, order: ['sip:kw2@lab.local'] });
    const bad = await post('{');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false });
    const invalid = await post(
      JSON.stringify({ routingPoint: RP, members: [], config: { routingPoints: [] } }),
    );
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({
      ok: false,
      problems: ['config: routingPoints: must list at least one routing point'],
    });
    expect((await post('x'.repeat(257 * 1024))).status).toBe(413);
  });
});
