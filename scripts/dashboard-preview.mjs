// Looks at the supervisor dashboard without a router: builds the page
// (scripts/build-dashboard.mjs) and serves it on loopback under the router's
// CSP with a fake snapshot stream and a fake dry run (dashboard/dev/fixtures.ts).
// Each scenario has its own prefix: /quiet/dashboard/, /busy/dashboard/,
// /flapping/dashboard/; /login/dashboard/ asks for the token first ("letmein").
//   node scripts/dashboard-preview.mjs [--port 5179]   serve until Ctrl+C
//   node scripts/dashboard-preview.mjs --screenshots   write test-results/screenshots/dashboard-*.png and exit
import { build } from 'esbuild';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard, dashboardOut } from './build-dashboard.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
const screenshots = args.includes('--screenshots');

await buildDashboard({ development: true, quiet: true });
// Served from memory: another build may replace dist/dashboard meanwhile.
const files = new Map();
for (const name of await readdir(dashboardOut)) files.set(name, await readFile(join(dashboardOut, name)));
const bundled = await build({
  absWorkingDir: root,
  entryPoints: ['dashboard/dev/fixtures.ts'],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  logLevel: 'warning',
});
const fixtures = await import(
  `data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`
);

const TYPES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js.map': 'application/json',
  'app.css.map': 'application/json',
};
// The router's dashboard CSP (brief D): no inline script or style.
const csp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function readBody(req) {
  return new Promise((ok) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => ok(body));
  });
}

function events(req, res, scenario, headers) {
  res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream' });
  const send = () => {
    // The flapping KW turns each second, so the page sees it flap within a few seconds.
    const tick = Math.floor(Date.now() / 1000);
    res.write(
      `event: snapshot\ndata: ${JSON.stringify(fixtures.snapshotFor(scenario, Date.now(), tick))}\n\n`,
    );
  };
  send();
  const timer = setInterval(send, 1000);
  req.on('close', () => clearInterval(timer));
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const headers = {
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  const match = /^\/(quiet|busy|flapping|login)\/dashboard\/(.*)$/.exec(url.pathname);
  if (!match) {
    res.writeHead(302, { Location: '/busy/dashboard/' }).end();
    return;
  }
  const [, prefix, rest] = match;
  const scenario = prefix === 'login' ? 'busy' : prefix;
  const signedIn = prefix !== 'login' || (req.headers.cookie ?? '').includes('preview=1');
  if (rest === 'login' && req.method === 'POST') {
    const { token } = JSON.parse((await readBody(req)) || '{}');
    if (token === 'letmein') {
      res.writeHead(204, {
        ...headers,
        'Set-Cookie': 'preview=1; Path=/login/dashboard; HttpOnly; SameSite=Strict',
      });
      res.end();
    } else
      res.writeHead(401, { ...headers, 'Content-Type': 'application/json' }).end('{"error":"wrong token"}');
    return;
  }
  if (rest === 'events') {
    if (signedIn) events(req, res, scenario, headers);
    else res.writeHead(401, headers).end();
    return;
  }
  if (rest === 'dry-run' && req.method === 'POST') {
    const result = fixtures.fakeDryRun(JSON.parse(await readBody(req)));
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(result));
    return;
  }
  const name = rest === '' ? 'index.html' : rest;
  const body = files.get(name);
  if (body === undefined || !TYPES[name]) {
    res.writeHead(404, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[name] }).end(body);
});
await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

if (!screenshots) {
  console.log(`dashboard preview with fake data:`);
  for (const s of ['quiet', 'busy', 'flapping', 'login']) console.log(`  ${origin}/${s}/dashboard/`);
  console.log('the login scenario takes the token "letmein"');
} else {
  await takeScreenshots();
  server.close();
  process.exit(0);
}

async function axeCounts(page) {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.evaluate(await readFile(axePath, 'utf8'));
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

async function takeScreenshots() {
  const { chromium } = await import('@playwright/test');
  const out = join(root, 'test-results/screenshots');
  await mkdir(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const problems = [];
  const shoot = async (name, path, viewport, scheme, act) => {
    const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('console', (m) => {
      // The login scenario's stream is refused (401) until the token is given: expected.
      if (name.startsWith('login') && m.text().includes('401')) return;
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`${name}: console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
    await page.goto(`${origin}${path}`);
    await page.waitForSelector('#app > *');
    if (act) await act(page);
    await page.waitForTimeout(500);
    for (const finding of await axeCounts(page)) problems.push(`${name}: axe ${finding}`);
    await page.screenshot({ path: join(out, `dashboard-${name}.png`) });
    await context.close();
  };
  const live = (page) => page.waitForSelector('.feed-live');
  for (const scheme of ['light', 'dark']) {
    for (const [size, viewport] of [
      ['1366', { width: 1366, height: 768 }],
      ['1920', { width: 1920, height: 1080 }],
    ]) {
      for (const scenario of ['quiet', 'busy', 'flapping']) {
        await shoot(
          `${scenario}-${size}-${scheme}`,
          `/${scenario}/dashboard/`,
          viewport,
          scheme,
          async (page) => {
            await live(page);
            if (scenario === 'flapping') await page.locator('.badge-flapping').waitFor({ timeout: 10_000 });
          },
        );
      }
    }
    await shoot(
      `login-wrong-token-${scheme}`,
      '/login/dashboard/',
      { width: 1366, height: 768 },
      scheme,
      async (page) => {
        await page.getByLabel('Token').fill('guess');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('That token is not right.').waitFor();
      },
    );
    await shoot(
      `dry-run-1366-${scheme}`,
      '/busy/dashboard/',
      { width: 1366, height: 768 },
      scheme,
      async (page) => {
        await live(page);
        await page.getByRole('button', { name: 'Dry run' }).click();
        await page.getByLabel('Presence of Bruno Meier').selectOption('available');
        await page.getByLabel('Presence of Chiara Rossi').selectOption('pidf');
        await page
          .getByLabel('PIDF document of Chiara Rossi')
          .fill('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:chiara.rossi@lab.local"/>');
        await page.getByLabel('User data (optional)').fill('CaseNumber: 42');
        await page.getByRole('button', { name: 'Run', exact: true }).click();
        await page.locator('.dry-result').waitFor();
      },
    );
  }
  await browser.close();
  console.log(`screenshots → ${out}`);
  if (problems.length > 0) {
    console.log(`problems:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else console.log('no console errors, no serious or critical axe findings');
}
