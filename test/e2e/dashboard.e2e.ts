/**
 * The supervisor dashboard in Chromium against a real router on the lab SIP
 * server: KW stand-ins that PUBLISH the KW Desktop's PIDF and answer previews,
 * an agent bot asking. The page (dist/dashboard, built here) is served by the
 * router's own dashboard routes. A wrong token is refused; the page follows a
 * presence change, an offer and an outcome within 1 s (the issue's figure,
 * measured from the change to the text on the page); the dry run in the page
 * names the KW the router then offers to; axe finds nothing serious in light
 * and dark.
 */
import { test, expect, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { memoryLogger } from '../../main/core/log.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { systemClock } from '../../router/clock.js';
import { createDashboard, DEFAULT_DASHBOARD_DIR } from '../../router/dashboard/index.js';
import { startRouterHttp } from '../../router/http.js';
import { startRouter, type RouterEvent, type RunningRouter } from '../../router/index.js';
import { MemoryStore } from '../../router/store/index.js';
import { createTestAgent, eventually, startRegistered } from '../support/agents.js';
import { seriousAxeViolations } from '../support/axe.js';
import { labServer, type ServerUnderTest } from '../support/servers.js';
import { startKwStandIn, type KwStandIn } from '../support/kw-stand-in.js';

const TOKEN = 'dashboard-e2e-token-0123456789';
const { logger } = memoryLogger('warn');
const cleanups: Array<() => Promise<unknown>> = [];
let server: ServerUnderTest;
let prefix = '';

test.beforeAll(async () => {
  const built = spawnSync(process.execPath, ['scripts/build-dashboard.mjs'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build-dashboard failed: ${built.stderr}`);
  server = await labServer.start({ logger });
});
test.afterAll(async () => {
  await server.close();
});
test.afterEach(async () => {
  await Promise.allSettled(
    cleanups
      .splice(0)
      .reverse()
      .map((fn) => fn()),
  );
});

const uriOf = (user: string): string => `sip:${prefix}-${user}@${server.domain}`;

/** A KW as the router sees one: publishes the KW Desktop's PIDF, answers previews when told. */
function kw(user: string): Promise<KwStandIn> {
  return startKwStandIn(server, `${prefix}-${user}`, { logger, onCleanup: (stop) => cleanups.push(stop) });
}

interface Lab {
  readonly url: string;
  readonly router: RunningRouter;
  readonly kws: readonly KwStandIn[];
  readonly bot: AgentBot;
  readonly events: Array<{ at: number; event: RouterEvent }>;
  readonly routingPoint: string;
}

/** Three KWs on one round-robin routing point, an agent bot, the router and its --http server with the dashboard. */
async function lab(): Promise<Lab> {
  prefix = `e${Date.now().toString(36).slice(-6)}`;
  const kws = await Promise.all(['kw1', 'kw2', 'kw3'].map((u) => kw(u)));
  const botAgent = createTestAgent(server, `${prefix}-agent`, { logger });
  cleanups.push(() => botAgent.stop(1500));
  await startRegistered(botAgent);
  const bot = new AgentBot({ agent: botAgent, logger });
  const store = new MemoryStore();
  cleanups.push(() => store.close());
  const events: Lab['events'] = [];
  const routingPoint = uriOf('support');
  const router = await startRouter({
    config: {
      domain: server.domain,
      routingPoints: [
        {
          uri: routingPoint,
          strategy: 'round-robin',
          members: kws.map((k) => k.uri),
          previewTimeoutSeconds: 10,
          waitForAvailableSeconds: 10,
        },
      ],
    },
    servers: [server.url],
    logger,
    store,
    instance: 'A',
    eventLog: { sink: (event) => events.push({ at: Date.now(), event }) },
  });
  cleanups.push(() => router.close());
  const dashboard = createDashboard({
    config: router.config,
    store,
    instance: 'A',
    token: TOKEN,
    secure: false,
    clock: systemClock,
    logger,
    staticDir: DEFAULT_DASHBOARD_DIR,
  });
  const http = await startRouterHttp({
    host: '127.0.0.1',
    port: 0,
    logger,
    metrics: { contentType: 'text/plain', scrape: () => Promise.resolve('') },
    health: () => Promise.reject(new Error('not used')),
    dashboard: dashboard.routes.handle.bind(dashboard.routes),
  });
  cleanups.push(async () => {
    dashboard.close();
    await http.close();
  });
  await eventually(
    () => kws.every((k) => router.routingState(k.uri).kind === 'Ready'),
    5000,
    () => 'the KWs Ready',
  );
  return { url: `${http.url}/dashboard/`, router, kws, bot, events, routingPoint };
}

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The member's row in the live view (the row names the KW's address). */
const memberRow = (page: Page, uri: string) => page.locator('table.members tr', { hasText: uri });

/**
 * Milliseconds from `since` until `check` (an expression over `a`) holds in the
 * page, polled every 25 ms. Polled from here with page.evaluate (the DevTools
 * protocol): waitForFunction with a string evals in the page, which its CSP forbids.
 */
async function pageShows(page: Page, since: number, check: string, a: string): Promise<number> {
  const expression = `((a) => Boolean(${check}))(${JSON.stringify(a)})`;
  const deadline = Date.now() + 5000;
  while (!((await page.evaluate(expression)) as boolean)) {
    if (Date.now() > deadline) throw new Error(`not in the page within 5 s: ${check} (a = ${a})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - since;
}

/** A member row naming `a` that shows all the given texts. */
const rowShows = (...texts: string[]): string =>
  `[...document.querySelectorAll('table.members tr')].some((r) => r.textContent.includes(a) && ${texts
    .map((t) => `r.textContent.includes(${JSON.stringify(t)})`)
    .join(' && ')})`;

test.describe('supervisor dashboard on a real router', () => {
  test('a wrong token is refused; the right one opens the live view', async ({ page }) => {
    const { url } = await lab();
    await signIn(page, url, 'not-the-token');
    await expect(page.getByText('That token is not right.')).toBeVisible();
    await expect(page.locator('.feed-live')).toHaveCount(0);
    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: /support|sip:/ }).first()).toBeVisible();
  });

  test('follows presence, an offer and an outcome within 1 s; the dry run names whom the router offers to', async ({
    page,
  }) => {
    const { url, kws, bot, events, routingPoint } = await lab();
    const kw3 = kws[2];
    if (!kw3) throw new Error('three KWs');
    await signIn(page, url, TOKEN);
    for (const k of kws) await expect(memberRow(page, k.uri)).toContainText('Ready');
    // From here on (before sign-in, the refused stream logs its 401 in the console).
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });

    // A presence change, from the KW's PUBLISH to the text in the page.
    let t0 = Date.now();
    await kw3.setPresence('dnd');
    const presenceMs = await pageShows(page, t0, rowShows('Not ready', 'dnd'), kw3.uri);

    // The dry run in the page, with the presence the live view shows now.
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect(page.getByLabel(/^Presence of /).nth(2)).toHaveValue('dnd');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const firstRow = page.locator('table.dry-result tbody tr').first();
    await expect(firstRow).toContainText('1st offer');
    const chosenName = (await firstRow.locator('th').textContent()) ?? '';
    await expect(page.locator('table.dry-result')).toContainText('skipped: not ready (dnd)');
    await page.getByRole('button', { name: 'Live view' }).click();

    // The offer: the router's choice is the dry run's, and the page shows it.
    const asked = bot.askExpert(routingPoint, {
      text: 'Invoice 7 looks wrong',
      subject: 'Invoice dispute',
      timeoutMs: 20_000,
    });
    await eventually(
      () => events.some((e) => e.event.event === 'offered'),
      5000,
      () => 'an offer',
    );
    const offered = events.find((e) => e.event.event === 'offered');
    const offeredTo = kws.find((k) => k.uri === offered?.event.kw);
    expect(offeredTo, 'the router offered to one of the KWs').toBeDefined();
    const offeredName =
      (await memberRow(page, offeredTo?.uri ?? '')
        .locator('.name')
        .textContent()) ?? '';
    expect(offeredName).toBe(chosenName);
    const offerMs = await pageShows(
      page,
      offered?.at ?? 0,
      `${rowShows('Offered')} && document.querySelector('.waiting')?.textContent.includes('Invoice dispute')`,
      offeredTo?.uri ?? '',
    );

    // The outcome: accepted today, the waiting list empty.
    const preview = offeredTo?.previews[0];
    if (!preview) throw new Error('the offered KW got no preview');
    t0 = Date.now();
    expect(await offeredTo?.answer(preview, 'accept')).toBe(200);
    const outcomeMs = await pageShows(
      page,
      t0,
      `[...document.querySelectorAll('.counters tbody tr')].find((r) => r.querySelector('th')?.textContent === a)?.lastElementChild?.textContent === '1' && !document.querySelector('.waiting')`,
      'Accepted',
    );
    expect((await asked).kind).toBe('routed');

    console.info(
      `dashboard page latency: presence ${presenceMs} ms, offer ${offerMs} ms, outcome ${outcomeMs} ms`,
    );
    expect(presenceMs).toBeLessThan(1000);
    expect(offerMs).toBeLessThan(1000);
    expect(outcomeMs).toBeLessThan(1000);

    // axe on the live view with data, light and dark; the dry run too.
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Dry run' }).click();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
