/**
 * e2e, issue 12 point 3: nothing missed without a trace. The KW Desktop (kw1)
 * in the browser harness, a second KW core in Node (kw2), an agent bot, the lab
 * SIP server and a router with two routing points: `billing` (kw1 only, short
 * timeouts, call previews on) and `claims` (kw1 + kw2, broadcast). A request
 * that times out, one declined with a reason and one taken by kw2 each leave an
 * entry with its sentence in the Requests section; the count (sidebar, and the
 * tray's model from the app's own view) goes when the section is opened, and
 * the list is there after a restart. Call previews that are declined or time
 * out are in the chat's timeline and in the list. Screenshots in both themes
 * at 1040×680 and 720×480; axe-core on the section.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger, type Logger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { startSipServer, type SipServer } from '../../lab/sip-server/index.js';
import type { RunningRouter } from '../../router/index.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { startHarnessKw, type HarnessKw } from '../../main/harness/compose.js';
import { KwCore } from '../../main/core/kw-core.js';
import { MemoryHistoryStore } from '../../main/core/history/history-store.js';
import { trayModel } from '../../main/electron/tray-model.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import { FAST_AGENT, startTestRouter } from '../support/test-router.js';
import { MINIMAL_SDP } from '../support/sdp.js';
import { seriousAxeViolations } from '../support/axe.js';

const BILLING = 'sip:billing@lab.local';
const CLAIMS = 'sip:claims@lab.local';
const SIZES = [
  { width: 1040, height: 680 },
  { width: 720, height: 480 },
] as const;

interface World {
  readonly logger: Logger;
  readonly sip: SipServer;
  readonly router: RunningRouter;
  kw: HarnessKw;
  restartKw(): Promise<void>;
  readonly kw2: KwCore;
  readonly bot: AgentBot;
  readonly agent: SipAgent;
}

const test = base.extend<{ world: World }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures name their dependencies by destructuring
  world: async ({}, use) => {
    const { logger } = memoryLogger('warn');
    const stops: Array<() => Promise<unknown>> = [];
    const sip = await startSipServer({ port: 0, logger });
    stops.push(() => sip.close());
    const router = await startTestRouter(
      sip.url,
      [
        {
          uri: 'billing',
          strategy: 'round-robin',
          members: ['kw1'],
          // Long enough for a loaded CI machine to click through the reason form; short for a timeout test.
          previewTimeoutSeconds: 10,
          waitForAvailableSeconds: 1,
          previewEscalation: true,
          escalationTimeoutSeconds: 10,
        },
        { uri: 'claims', strategy: 'broadcast', members: ['kw1', 'kw2'], previewTimeoutSeconds: 20 },
      ],
      logger,
    );
    stops.push(() => router.close());
    const historyDir = await mkdtemp(join(tmpdir(), 'kw-requests-e2e-'));
    const startKw = () =>
      startHarnessKw({
        account: { uri: 'sip:kw1@lab.local', displayName: 'Kim Expert' },
        servers: [sip.url],
        trustedRoutingPoints: [BILLING, CLAIMS],
        historyDir,
        logger,
        agentOptions: FAST_AGENT,
      });
    const kw2 = new KwCore({
      agent: new SipAgent({
        account: { uri: 'sip:kw2@lab.local', servers: [sip.url] },
        logger,
        ...FAST_AGENT,
      }),
      history: new MemoryHistoryStore(),
      logger,
      initialPresence: 'available',
      trustedRoutingPoints: [CLAIMS],
    });
    await kw2.start();
    stops.push(() => kw2.stop());
    const agent = new SipAgent({
      account: { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent', servers: [sip.url] },
      logger,
      ...FAST_AGENT,
    });
    agent.start();
    stops.push(() => agent.stop(1000));
    const bot = new AgentBot({ agent, logger });
    stops.push(async () => bot.dispose());
    const world: World = {
      logger,
      sip,
      router,
      kw: await startKw(),
      restartKw: async () => {
        await world.kw.close();
        world.kw = await startKw();
      },
      kw2,
      bot,
      agent,
    };
    await expect
      .poll(
        () =>
          agent.isRegistered &&
          router.routingState('sip:kw1@lab.local').kind === 'Ready' &&
          router.routingState('sip:kw2@lab.local').kind === 'Ready',
        { timeout: 15_000 },
      )
      .toBe(true);
    await use(world);
    // Together: each graceful SIP stop waits ~2 s for JsSIP's transactions; the server goes last.
    const closeSip = stops.shift();
    await Promise.allSettled([world.kw.close(), ...stops.reverse().map((stop) => stop())]);
    await closeSip?.().catch(() => undefined);
  },
});

async function openMain(world: World, page: Page): Promise<void> {
  await page.goto(world.kw.harness.mainUrl);
  await expect(page.getByTestId('connection-status')).toContainText(/registered/i);
}

/** The tray's tooltip and "N missed requests" item, from what the app tells its windows. */
function trayNow(world: World): { tooltip: string; missedItem: string | undefined } {
  const snapshot = world.kw.app.snapshot();
  const model = trayModel({ ...snapshot.status, missed: snapshot.requests.unseen });
  const item = model.items.find((i) => i.type === 'normal' && i.action.kind === 'requests');
  return { tooltip: model.tooltip, missedItem: item?.type === 'normal' ? item.label : undefined };
}

/** Declines the pending request about `subject` in the main window, with a reason typed in its form. */
async function declineWithReason(page: Page, subject: string, reason: string): Promise<void> {
  const card = page.getByTestId('pending-previews').getByTestId('preview-card').filter({ hasText: subject });
  await card.getByRole('button', { name: 'Decline with reason…' }).click();
  await card.getByTestId('decline-reason').fill(reason);
  await card.getByTestId('decline').click();
  await expect(card).toHaveCount(0);
}

function entry(page: Page, subject: string) {
  return page.getByTestId('request-entry').filter({ hasText: subject });
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.screenshot({
        path: `test-results/screenshots/${name}-${size.width}x${size.height}-${scheme}.png`,
      });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
}

test.describe('Requests: nothing missed without a trace', () => {
  test('timed out, declined with a reason, taken by another KW: an entry each with its sentence; the count goes when seen; kept across a restart', async ({
    world,
    page,
  }) => {
    test.setTimeout(150_000);
    await openMain(world, page);
    await expect(page.getByTestId('requests-unseen')).toHaveCount(0);

    await test.step('a request left alone times out', async () => {
      const asked = world.bot.askExpert(BILLING, { subject: 'Nobody answered me', text: 'Anyone?' });
      await expect(page.getByTestId('preview-card').filter({ hasText: 'Nobody answered me' })).toBeVisible();
      expect(await asked).toMatchObject({ kind: 'not-routed' });
      await expect(entry(page, 'Nobody answered me')).toHaveCount(0); // the section is closed
      await expect(page.getByTestId('requests-unseen')).toHaveText('1 missed');
    });

    await test.step('a request declined with a reason', async () => {
      const asked = world.bot.askExpert(BILLING, { subject: 'Please decline me', text: 'Quick one' });
      await declineWithReason(page, 'Please decline me', 'With a customer on the phone');
      expect(await asked).toMatchObject({ kind: 'not-routed', reason: 'declined' });
      // What the KW did themselves is not "missed".
      await expect(page.getByTestId('requests-unseen')).toHaveText('1 missed');
    });

    await test.step('a broadcast request taken by kw2', async () => {
      const kw2Got = world.kw2.previews.once('added');
      const asked = world.bot.askExpert(CLAIMS, { subject: 'Storm damage claim', text: 'Who takes this?' });
      const card = page.getByTestId('preview-card').filter({ hasText: 'Storm damage claim' });
      await expect(card).toBeVisible();
      const { preview } = await kw2Got;
      await world.kw2.previews.accept(preview.interactionId);
      expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: 'sip:kw2@lab.local' } });
      await expect(card).toHaveCount(0);
      await expect(page.getByTestId('requests-unseen')).toHaveText('2 missed');
    });

    expect(world.kw.app.snapshot().requests.unseen).toBe(2);
    expect(trayNow(world)).toEqual({
      tooltip: 'KW Desktop — Available · 2 missed requests',
      missedItem: '2 missed requests',
    });
    await page.getByTestId('requests-button').evaluate((el) => el.scrollIntoView());
    await page.screenshot({ path: 'test-results/screenshots/requests-e2e-count.png' });

    await test.step('opening the section shows who, subject, when and what happened; the count goes', async () => {
      await page.getByTestId('requests-button').click();
      const entries = page.getByTestId('request-entry');
      await expect(entries).toHaveCount(3);
      await expect(entries.nth(0)).toContainText('Storm damage claim');
      await expect(entry(page, 'Storm damage claim')).toHaveAttribute('data-outcome', 'taken');
      await expect(entry(page, 'Storm damage claim').getByTestId('request-text')).toHaveText(
        'Taken by another expert before you answered.',
      );
      await expect(entry(page, 'Please decline me').getByTestId('request-text')).toHaveText(
        'You declined it: “With a customer on the phone”.',
      );
      await expect(entry(page, 'Nobody answered me').getByTestId('request-text')).toHaveText(
        'Missed: it expired before you answered.',
      );
      for (const subject of ['Storm damage claim', 'Please decline me', 'Nobody answered me']) {
        await expect(entry(page, subject)).toContainText('Alex Agent');
        await expect(entry(page, subject).locator('time')).toHaveText(/\d/);
      }
      await expect(page.getByTestId('requests-unseen')).toHaveCount(0);
      await expect.poll(() => world.kw.app.snapshot().requests.unseen).toBe(0);
      expect(trayNow(world)).toEqual({ tooltip: 'KW Desktop — Available', missedItem: undefined });
      // The ones that were new stay marked so for this visit.
      await expect(entry(page, 'Storm damage claim')).toContainText('New');
      await expect(entry(page, 'Please decline me')).not.toContainText('New');
    });

    await shoot(page, 'requests-e2e');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    await test.step('after a restart the list is still there, all seen', async () => {
      await world.restartKw();
      await openMain(world, page);
      await expect(page.getByTestId('requests-unseen')).toHaveCount(0);
      await page.getByTestId('requests-button').click();
      await expect(page.getByTestId('request-entry')).toHaveCount(3);
      await expect(entry(page, 'Please decline me').getByTestId('request-text')).toHaveText(
        'You declined it: “With a customer on the phone”.',
      );
    });
  });

  test("call previews declined with a reason and timed out: in the chat's timeline and in the Requests list", async ({
    world,
    page,
  }) => {
    test.setTimeout(150_000);
    await openMain(world, page);
    const asked = world.bot.askExpert(BILLING, {
      subject: 'Invoice paid twice',
      text: 'Customer on the line',
    });
    await page
      .getByTestId('preview-card')
      .filter({ hasText: 'Invoice paid twice' })
      .getByTestId('accept')
      .click();
    const outcome = await asked;
    if (outcome.kind !== 'routed') throw new Error(`not routed: ${JSON.stringify(outcome)}`);
    await expect(page.getByTestId('chat-view')).toBeVisible();

    // The agent transfers through the routing point: kw1 gets a call preview first.
    const transfer = () =>
      world.agent.request('INVITE', BILLING, {
        headers: [`${INTERACTION_HEADER}: ${outcome.interactionId}`, 'X-Escalation: transfer'],
        contentType: 'application/sdp',
        body: MINIMAL_SDP,
      });

    const first = transfer();
    await declineWithReason(page, 'Invoice paid twice', 'On another call');
    expect((await first).status).toBe(480);
    const records = page.getByTestId('chat-view').getByTestId('call-record');
    await expect(records).toHaveCount(1);
    await expect(records.nth(0)).toHaveAttribute('data-outcome', 'declined');
    await expect(records.nth(0)).toContainText('You declined the call request: “On another call”');

    const second = transfer();
    await expect(page.getByTestId('preview-card').filter({ hasText: 'Incoming transfer' })).toBeVisible();
    expect((await second).status).toBe(480);
    await expect(records).toHaveCount(2);
    await expect(records.nth(1)).toHaveAttribute('data-outcome', 'missed');
    await expect(records.nth(1)).toContainText('The call request expired before you answered');
    await page.screenshot({ path: 'test-results/screenshots/requests-e2e-call-timeline.png' });

    await expect(page.getByTestId('requests-unseen')).toHaveText('1 missed');
    await page.getByTestId('requests-button').click();
    const entries = page.getByTestId('request-entry');
    await expect(entries).toHaveCount(2);
    await expect(entries.nth(0)).toHaveAttribute('data-kind', 'call-preview');
    await expect(entries.nth(0).getByTestId('request-text')).toHaveText(
      'Missed call: the call request expired before you answered.',
    );
    await expect(entries.nth(1).getByTestId('request-text')).toHaveText(
      'You declined the call request: “On another call”.',
    );
    // From the entry back to its chat.
    await entries.nth(0).getByRole('button', { name: 'Open the chat' }).click();
    await expect(page.getByTestId('chat-subject')).toContainText('Invoice paid twice');
  });
});
