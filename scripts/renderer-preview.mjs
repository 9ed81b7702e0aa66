// Looks at the renderer without the core: builds a development bundle, builds
// renderer/dev/fake-kw.ts (a fake `window.kw`), and serves dist/renderer on
// loopback with the fake injected where the harness puts its bridge (the
// `<!-- kw-bridge -->` placeholder), under the harness's CSP.
//   node scripts/renderer-preview.mjs [--port 5178]      serve until Ctrl+C
//   node scripts/renderer-preview.mjs --screenshots      write test-results/screenshots/ui-*.png and exit
//   node scripts/renderer-preview.mjs --screenshots --only call   only the screenshots whose name starts so
import { build } from 'esbuild';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRenderer } from './build-renderer.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rendererDir = join(root, 'dist/renderer');
const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
const screenshots = args.includes('--screenshots');
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? args[onlyArg + 1] : undefined;

await buildRenderer({ development: true, quiet: true });
// Served from memory: other builds (e2e runs) replace dist/renderer meanwhile.
const files = new Map();
for (const name of await readdir(rendererDir)) files.set(name, await readFile(join(rendererDir, name)));
const fake = await build({
  absWorkingDir: root,
  entryPoints: ['renderer/dev/fake-kw.ts'],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  tsconfig: join(root, 'renderer/tsconfig.json'),
  logLevel: 'warning',
});
const fakeScript = fake.outputFiles[0].text;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};
const csp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const headers = { 'Content-Security-Policy': csp, 'Cache-Control': 'no-store' };
  if (path === '/fake-kw.js') {
    res.writeHead(200, { ...headers, 'Content-Type': TYPES['.js'] }).end(fakeScript);
    return;
  }
  const name = path === '/' ? 'main.html' : path.slice(1);
  let body = files.get(name);
  if (body === undefined || !TYPES[extname(name)]) {
    res.writeHead(404, headers).end();
    return;
  }
  if (extname(name) === '.html') {
    body = body.toString('utf8').replace('<!-- kw-bridge -->', '<script src="/fake-kw.js"></script>');
  }
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(name)] }).end(body);
});
await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

if (!screenshots) {
  console.log(
    `renderer preview with a fake window.kw:\n  ${origin}/main.html\n  ${origin}/preview.html\n  ${origin}/call.html?calls=transfer`,
  );
  console.log(
    'parameters: ?previews=0|1|2 &conn=registered|retrying|connecting &presence=busy &phone=1 &focus=none &calls=transfer,active,…',
  );
} else {
  const { chromium } = await import('@playwright/test');
  const out = join(root, 'test-results/screenshots');
  await mkdir(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // As the Electron call window: the ringtone starts without a click.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const problems = [];
  const shoot = async (name, url, viewport, scheme, act) => {
    if (only && !name.startsWith(only)) return;
    const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`${name}: console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`${name}: a dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${origin}${url}`);
    await page.waitForSelector('#app > *');
    await page.waitForTimeout(400);
    if (act) await act(page);
    await page.screenshot({ path: join(out, `ui-${name}.png`) });
    await context.close();
  };
  for (const scheme of ['light', 'dark']) {
    const main = { width: 1040, height: 680 };
    await shoot(`main-${scheme}`, '/main.html?previews=0', main, scheme);
    await shoot(`main-paused-${scheme}`, '/main.html?previews=0&presence=busy&paused=1', main, scheme);
    await shoot(
      `main-dnd-until-${scheme}`,
      '/main.html?previews=0&presence=dnd&dnd-until=16:30',
      main,
      scheme,
    );
    await shoot(`main-dnd-menu-${scheme}`, '/main.html?previews=0', main, scheme, async (page) => {
      await page.getByTestId('presence-select').selectOption('dnd-until');
      await page.getByLabel('Do not disturb until').fill('17:45');
    });
    await shoot(`sign-in-${scheme}`, '/main.html?signin=1&previews=0', main, scheme);
    await shoot(`sign-in-backup-${scheme}`, '/main.html?signin=1&previews=0', main, scheme, async (page) => {
      await page.getByLabel('SIP server').fill('wss://sip1.example.com');
      await page.getByRole('button', { name: 'Add a backup server' }).click();
    });
    await shoot(`sign-in-link-${scheme}`, '/main.html?signin=1&previews=0&provision=ready', main, scheme);
    await shoot(
      `sign-in-link-code-small-${scheme}`,
      '/main.html?signin=1&previews=0&provision=ready&code=1',
      { width: 420, height: 560 },
      scheme,
    );
    await shoot(
      `sign-in-link-failed-${scheme}`,
      '/main.html?signin=1&previews=0&provision=failed',
      main,
      scheme,
    );
    await shoot(`sign-in-link-replaces-${scheme}`, '/main.html?previews=0&provision=ready', main, scheme);
    await shoot(
      `sign-in-small-${scheme}`,
      '/main.html?signin=1&previews=0',
      { width: 420, height: 560 },
      scheme,
    );
    await shoot(`sign-in-errors-${scheme}`, '/main.html?signin=1&previews=0', main, scheme, async (page) => {
      await page.getByLabel('SIP server').fill('sip.example.com');
      await page.getByLabel('SIP address').fill('jane');
      await page.getByRole('button', { name: 'Sign in' }).click();
    });
    await shoot(`main-pending-${scheme}`, '/main.html', main, scheme);
    await shoot(`main-history-unsaved-${scheme}`, '/main.html?history=unsaved', main, scheme);
    await shoot(
      `main-history-unsaved-small-${scheme}`,
      '/main.html?history=unsaved',
      { width: 720, height: 480 },
      scheme,
    );
    await shoot(
      `main-history-unreadable-${scheme}`,
      '/main.html?history=unreadable&previews=0',
      main,
      scheme,
    );
    await shoot(
      `main-history-unreadable-small-${scheme}`,
      '/main.html?history=unreadable&previews=0',
      { width: 720, height: 480 },
      scheme,
    );
    await shoot(`main-export-${scheme}`, '/main.html?previews=0', main, scheme, async (page) => {
      await page.getByTestId('export-conversation').click();
      await page.getByTestId('export-html').waitFor();
    });
    await shoot(
      `settings-export-${scheme}`,
      '/main.html?previews=0&focus=none',
      main,
      scheme,
      async (page) => {
        await page.getByRole('button', { name: 'Settings' }).click();
        await page.getByTestId('history-export').scrollIntoViewIfNeeded();
      },
    );
    await shoot(`settings-${scheme}`, '/main.html?previews=0&focus=none', main, scheme, async (page) => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.waitForSelector('[data-testid=settings-save]');
      await page.fill('#f-uri', 'jane.cooper');
      await page.fill('#f-servers\\.1', 'https://sip2.lab.local');
      await page.click('[data-testid=settings-save]');
      await page.waitForSelector('.field-error');
      await page.waitForTimeout(200);
    });
    await shoot(
      `settings-shortcuts-${scheme}`,
      '/main.html?previews=0&focus=none&shortcuts=taken',
      main,
      scheme,
      async (page) => {
        await page.getByRole('button', { name: 'Settings' }).click();
        await page.getByTestId('shortcuts-problem').scrollIntoViewIfNeeded();
      },
    );
    await shoot(
      `settings-shortcuts-locked-${scheme}`,
      '/main.html?previews=0&focus=none&shortcuts=locked',
      main,
      scheme,
      async (page) => {
        await page.getByRole('button', { name: 'Settings' }).click();
        await page.locator('#f-declineKey').scrollIntoViewIfNeeded();
      },
    );
    await shoot(
      `main-history-reading-${scheme}`,
      '/main.html?previews=0&lazy=wait&focus=ix-1990',
      main,
      scheme,
    );
    await shoot(
      `main-history-problem-${scheme}`,
      '/main.html?previews=0&lazy=fail&focus=ix-1990',
      main,
      scheme,
    );
    await shoot(`preview-${scheme}`, '/preview.html', { width: 360, height: 460 }, scheme);
  }
  // Calls: the popup (one card is ~220 px high, as the Electron window), and the in-call panel.
  const popup = { width: 360, height: 220 };
  for (const scheme of ['light', 'dark']) {
    await shoot(`call-popup-transfer-${scheme}`, '/call.html?calls=transfer', popup, scheme);
    await shoot(`call-popup-conference-${scheme}`, '/call.html?calls=conference', popup, scheme);
    await shoot(`call-popup-plain-${scheme}`, '/call.html?calls=call', popup, scheme);
    await shoot(`call-popup-waiting-${scheme}`, '/call.html?calls=active,transfer', popup, scheme);
    await shoot(
      `call-popup-stacked-${scheme}`,
      '/call.html?calls=transfer,call',
      { width: 360, height: 440 },
      scheme,
    );
    const main = { width: 1040, height: 680 };
    await shoot(`call-panel-active-${scheme}`, '/main.html?previews=0&calls=active', main, scheme);
    await shoot(`call-panel-muted-${scheme}`, '/main.html?previews=0&calls=muted', main, scheme);
    await shoot(`call-panel-held-${scheme}`, '/main.html?previews=0&calls=held,held2', main, scheme);
    await shoot(
      `call-panel-conference-${scheme}`,
      '/main.html?previews=0&calls=conf-active,call&focus=ix-2002',
      main,
      scheme,
    );
    await shoot(
      `call-panel-keypad-${scheme}`,
      '/main.html?previews=0&calls=active',
      main,
      scheme,
      async (page) => {
        await page.getByTestId('call-keypad').click();
        for (const key of ['4', '2', '#'])
          await page
            .getByTestId('call-keypad-pad')
            .getByRole('button', { name: key === '#' ? 'pound' : key, exact: true })
            .click();
        await page.waitForTimeout(300);
      },
    );
    await shoot(`call-panel-ended-${scheme}`, '/main.html?previews=1&calls=ended', main, scheme);
    await shoot(`call-panel-mic-failed-${scheme}`, '/main.html?previews=1&calls=mic-failed', main, scheme);
  }
  await shoot(
    'call-panel-narrow-light',
    '/main.html?previews=0&calls=conf-active',
    { width: 720, height: 600 },
    'light',
  );
  // The main window's minimum size (main/electron/windows.ts): the chat must stay usable during a call.
  await shoot(
    'call-panel-min-light',
    '/main.html?previews=0&calls=conf-active',
    { width: 720, height: 480 },
    'light',
  );
  await shoot(
    'retrying-light',
    '/main.html?previews=0&conn=retrying&presence=busy&focus=ix-1990',
    { width: 1040, height: 680 },
    'light',
  );
  // Issue 12: every user-data field reachable, the keypad whole at the minimum size, the chat's pill.
  const sizes = [
    { width: 1040, height: 680 },
    { width: 720, height: 480 },
  ];
  const openData = (scope) => async (page) => {
    await page.locator(`${scope} [data-testid=card-data-toggle]`).first().click();
    await page.waitForTimeout(200);
  };
  const keypad = async (page) => {
    await page.getByTestId('call-keypad').click();
    for (const name of ['4', '2', 'pound'])
      await page.getByTestId('call-keypad-pad').getByRole('button', { name, exact: true }).click();
    await page.waitForTimeout(300);
  };
  for (const scheme of ['light', 'dark']) {
    const popupSize = { width: 380, height: 256 };
    const fields = '/preview.html?previews=1&fields=12';
    await shoot(`layout-popup-fields-${scheme}`, fields, popupSize, scheme);
    await shoot(`layout-popup-fields-open-${scheme}`, fields, popupSize, scheme, openData('body'));
    await shoot(
      `layout-call-popup-fields-${scheme}`,
      '/call.html?calls=transfer&fields=12',
      popupSize,
      scheme,
    );
    // Every field fits but a value is cut short: "Show all".
    await shoot(`layout-popup-long-${scheme}`, '/preview.html?previews=1&long=1', popupSize, scheme);
    for (const size of sizes) {
      const at = `${size.width}x${size.height}-${scheme}`;
      const main = '/main.html?previews=1&fields=12';
      await shoot(`layout-pending-${at}`, main, size, scheme);
      await shoot(`layout-pending-open-${at}`, main, size, scheme, openData('.pending'));
      await shoot(
        `layout-keypad-${at}`,
        '/main.html?previews=0&calls=active&fields=12',
        size,
        scheme,
        keypad,
      );
      await shoot(
        `layout-keypad-conference-${at}`,
        '/main.html?previews=0&calls=conf-active',
        size,
        scheme,
        keypad,
      );
      await shoot(`layout-chat-pill-${at}`, '/main.html?previews=0&typing=0', size, scheme, async (page) => {
        for (let i = 1; i <= 6; i++)
          await page.evaluate(
            (n) => globalThis.__kwFakeSay('ix-2001', `Earlier note ${n} about the refund.`),
            i,
          );
        await page.locator('.messages').evaluate((el) => el.scrollTo({ top: 0 }));
        await page.waitForTimeout(100);
        await page.evaluate(() => globalThis.__kwFakeSay('ix-2001', 'Any news on the refund?'));
        await page.waitForSelector('[data-testid=new-messages]');
      });
    }
  }
  // Issue 12, point 7: the call's Mic and Speaker meters; a silent microphone; a muted call.
  for (const scheme of ['light', 'dark']) {
    for (const size of [
      { width: 1040, height: 680 },
      { width: 720, height: 480 },
    ]) {
      const at = `${size.width}x${size.height}-${scheme}`;
      // The fake sends levels 5 times a second: wait for the first to reach the meters.
      const meters = async (page) => {
        await page.waitForSelector('[data-testid=level-output]:not([data-lit="0"])');
      };
      for (const [name, url] of [
        ['talk', '/main.html?previews=0&calls=active&levels=talk'],
        ['silent', '/main.html?previews=0&calls=active&levels=silent'],
        ['muted', '/main.html?previews=0&calls=muted&levels=talk'],
      ])
        await shoot(`levels-${name}-${at}`, url, size, scheme, meters);
    }
  }
  // Issue 12, points 1 and 2: not reachable (banner, presence, empty screen), the password refused,
  // an agent who left or is offline (the chat and its closed composer).
  for (const scheme of ['light', 'dark']) {
    for (const size of sizes) {
      const at = `${size.width}x${size.height}-${scheme}`;
      await shoot(
        `conn-unreachable-${at}`,
        '/main.html?previews=0&conn=unreachable&focus=none',
        size,
        scheme,
      );
      await shoot(`conn-refused-${at}`, '/main.html?previews=0&conn=retrying&focus=none', size, scheme);
      await shoot(`conn-chat-${at}`, '/main.html?previews=1&conn=unreachable&typing=0', size, scheme);
      await shoot(`agent-left-${at}`, '/main.html?previews=0&gone=left&typing=0', size, scheme);
      await shoot(`agent-offline-${at}`, '/main.html?previews=0&gone=offline&typing=0', size, scheme);
    }
  }
  await shoot(
    'conn-details-open-720x480-light',
    '/main.html?previews=1&conn=unreachable',
    { width: 720, height: 480 },
    'light',
    async (page) => {
      await page.locator('.connection-banner-details summary').click();
      await page.waitForTimeout(100);
    },
  );
  // Issue 12, point 3: the Requests section (missed, declined, taken…) and its count in the sidebar.
  const openRequests = async (page) => {
    await page.getByTestId('requests-button').click();
    await page.waitForSelector('[data-testid=request-entry]');
    await page.waitForTimeout(300);
  };
  for (const scheme of ['light', 'dark']) {
    for (const size of [
      { width: 1040, height: 680 },
      { width: 720, height: 480 },
    ]) {
      const at = `${size.width}x${size.height}-${scheme}`;
      await shoot(`requests-count-${at}`, '/main.html?previews=0&typing=0', size, scheme);
      await shoot(`requests-${at}`, '/main.html?previews=0&typing=0', size, scheme, openRequests);
      await shoot(`requests-long-${at}`, '/main.html?previews=0&typing=0&long=1', size, scheme, openRequests);
    }
  }
  await shoot(
    'requests-empty-720x480-light',
    '/main.html?previews=0&requests=none',
    { width: 720, height: 480 },
    'light',
    async (page) => {
      await page.getByTestId('requests-button').click();
      await page.waitForSelector('[data-testid=requests-empty]');
    },
  );
  await shoot('phone-narrow-dark', '/main.html?previews=1&phone=1', { width: 720, height: 600 }, 'dark');
  await shoot('small-pending-light', '/main.html', { width: 720, height: 600 }, 'light');
  await browser.close();
  server.close();
  console.log(`screenshots in ${out}`);
  for (const p of problems) console.log(`  ! ${p}`);
}
