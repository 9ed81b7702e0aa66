/**
 * e2e, issue 12 point 8: every window in every state a KW meets, counted by
 * axe-core in light and dark, at 1040×680 and 720×480 (main window) and at
 * the popup size (preview and call popups). All states are real: the lab SIP
 * server, the router, the harness KW and Chromium; the history warning comes
 * from a history folder that became a file, the connection banner from a
 * stopped SIP server, the calls from the lab's customer page over WebRTC.
 * One table line per window, state, size and theme (critical, serious,
 * moderate, minor failing elements); nothing critical or serious anywhere.
 * Also the keyboard-only paths: accept a preview and chat (Enter, type, Enter),
 * answer a call in the popup (Enter) and hang up from the main window (Tab).
 * Screenshots: test-results/screenshots/a11y-*.png.
 */
import { rm, writeFile } from 'node:fs/promises';
import { test as base, type Page } from '@playwright/test';
import { memoryLogger } from '../../main/core/log.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import type { RunningRouter } from '../../router/index.js';
import { axeReport, IMPACTS } from '../support/axe.js';
import {
  CUSTOMER_URI,
  KW_URI,
  TONES,
  buildLabWeb,
  callChromiumArgs,
  startCallLab,
  type CallLab,
} from '../support/call-lab.js';
import { startTestRouter } from '../support/test-router.js';
import { test, expect, BILLING, type World } from './fixtures.js';

interface Size {
  readonly width: number;
  readonly height: number;
}
const BIG: Size = { width: 1040, height: 680 };
const SMALL: Size = { width: 720, height: 480 };
/** One card in a popup (main/electron/windows.ts: 380 wide, 16 + 240 high). */
const POPUP: Size = { width: 380, height: 256 };
const MAIN_SIZES = [BIG, SMALL] as const;
const SCHEMES = ['light', 'dark'] as const;

type WindowName = 'main' | 'preview-popup' | 'call-popup';

/**
 * Runs axe on `page` at each size in both themes: prints a table line each,
 * keeps a screenshot each, and adds the critical and serious findings to
 * `found` (asserted empty at the end, so the table is whole when it fails).
 */
async function audit(
  page: Page,
  window: WindowName,
  state: string,
  sizes: readonly Size[],
  found: string[],
): Promise<void> {
  for (const size of sizes) {
    await page.setViewportSize(size);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      const report = await axeReport(page);
      const at = `${window} | ${state} | ${size.width}x${size.height} | ${scheme}`;
      console.log(`a11y | ${at} | ${IMPACTS.map((i) => `${i} ${report.counts[i]}`).join(' | ')}`);
      found.push(...report.serious.map((line) => `${at}: ${line}`));
      const file = `a11y-${window}-${state.replace(/\W+/g, '-')}-${size.width}x${size.height}-${scheme}`;
      await page.screenshot({ path: `test-results/screenshots/${file}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(sizes[0] ?? BIG);
}

/** A router whose previews wait ten minutes (axe runs take longer than the lab's 8 s), kw1 only, two at once. */
async function patientRouter(world: World): Promise<RunningRouter> {
  await world.lab.router.close();
  const router = await startTestRouter(
    world.lab.url,
    [{ uri: 'billing', strategy: 'round-robin', members: ['kw1'], previewTimeoutSeconds: 600, capacity: 2 }],
    world.logger,
  );
  await expect.poll(() => router.routingState(KW_URI).kind, { timeout: 15_000 }).toBe('Ready');
  return router;
}

test.describe('accessibility: every window and state, light and dark', () => {
  test('main window and preview popup: idle, settings, pending, chat (keyboard only), requests, history warning, unreachable', async ({
    world,
    page,
    context,
  }) => {
    test.setTimeout(150_000);
    const found: string[] = [];
    const router = await patientRouter(world);
    try {
      await page.setViewportSize(BIG);
      await world.openMain(page);
      await audit(page, 'main', 'idle', MAIN_SIZES, found);

      await page.getByRole('button', { name: 'Settings' }).click();
      await expect(page.getByTestId('settings-save')).toBeVisible();
      await audit(page, 'main', 'settings', MAIN_SIZES, found);
      await page.getByRole('button', { name: 'Settings' }).click();

      const popup = await context.newPage();
      await popup.setViewportSize(POPUP);
      await world.openPreview(popup);
      const asked = world.bot.askExpert(BILLING, {
        subject: 'Invoice dispute',
        text: 'Customer disputes invoice 42, can you check the credit note?',
        userData: { CaseNumber: '42', CustomerName: 'Renée Ø' },
      });
      const card = popup.getByTestId('preview-card');
      await expect(card).toContainText('Invoice dispute');
      await expect(page.getByTestId('pending-previews').getByTestId('preview-card')).toBeVisible();
      await audit(popup, 'preview-popup', 'pending', [POPUP], found);
      // Hover colours are colours too: white on the hovered Accept must keep 4.5:1.
      await card.getByTestId('accept').hover();
      await audit(popup, 'preview-popup', 'pending, Accept hovered', [POPUP], found);
      await popup.mouse.move(0, 0);
      await audit(page, 'main', 'pending preview', MAIN_SIZES, found);

      await test.step('keyboard only: the new preview has focus, Enter accepts, type, Enter sends', async () => {
        await expect(card).toBeFocused();
        await popup.keyboard.press('Enter');
        const outcome = await asked;
        if (outcome.kind !== 'routed') throw new Error(`not routed: ${JSON.stringify(outcome)}`);
        const composer = page.getByTestId('composer');
        await expect(composer).toBeFocused();
        const received = world.bot.once('message', (m) => m.text === 'Looking at it now');
        await page.keyboard.type('Looking at it now');
        await page.keyboard.press('Enter');
        await received;
        await expect(page.getByTestId('message').filter({ hasText: 'Looking at it now' })).toHaveAttribute(
          'data-delivery',
          'delivered',
        );
        await world.bot.say(outcome.interactionId, 'Thanks, the customer is waiting.');
        await expect(
          page.getByTestId('message').filter({ hasText: 'the customer is waiting' }),
        ).toBeVisible();
      });
      await audit(page, 'main', 'chat', MAIN_SIZES, found);

      await test.step('a declined request is in the Requests section', async () => {
        const second = world.bot.askExpert(BILLING, { subject: 'Second opinion', text: 'Quick one' });
        await expect(card).toContainText('Second opinion');
        await expect(card).toBeFocused();
        await popup.keyboard.press('d');
        const reason = popup.getByTestId('decline-reason');
        if (await reason.isVisible().catch(() => false)) await popup.keyboard.press('Enter');
        expect(await second).toMatchObject({ kind: 'not-routed' });
        await page.getByTestId('requests-button').click();
        await expect(page.getByTestId('request-entry').filter({ hasText: 'Second opinion' })).toBeVisible();
      });
      await audit(page, 'main', 'requests', MAIN_SIZES, found);
      await page.getByTestId('conversation-item').filter({ hasText: 'Invoice dispute' }).click();
      await expect(page.getByTestId('chat-view')).toBeVisible();

      await test.step('history cannot be saved: its folder became a file', async () => {
        await rm(world.historyDir, { recursive: true, force: true });
        await writeFile(world.historyDir, 'not a folder');
        await page.getByTestId('composer').fill('One more thing');
        await page.keyboard.press('Enter');
        await expect(page.getByTestId('history-banner')).toBeVisible({ timeout: 15_000 });
      });
      await audit(page, 'main', 'history warning', MAIN_SIZES, found);

      await world.lab.killSip();
      await expect(page.getByTestId('connection-banner')).toHaveAttribute('data-problem', 'unreachable', {
        timeout: 20_000,
      });
      await audit(page, 'main', 'unreachable', MAIN_SIZES, found);
    } finally {
      await router.close();
    }
    expect(found, 'critical and serious axe findings').toEqual([]);
  });
});

interface CallWorld {
  readonly lab: CallLab;
  readonly kwMain: Page;
  readonly kwPopup: Page;
  readonly customer: Page;
}

const callTest = base.extend<{ calls: CallWorld }>({
  launchOptions: async ({ launchOptions }, use) => {
    await use({ ...launchOptions, args: [...CHROMIUM_ARGS, ...(await callChromiumArgs())] });
  },
  calls: async ({ browser }, use) => {
    const { logger } = memoryLogger('warn');
    // The call rings while axe runs six times (the default 30 s ring timeout is too short on a busy machine).
    const lab = await startCallLab(logger, { ringTimeoutMs: 180_000 });
    const kwContext = await browser.newContext({ viewport: BIG });
    const labContext = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const kwMain = await kwContext.newPage();
    await kwMain.goto(lab.kwMainUrl);
    await expect(kwMain.getByTestId('connection-status')).toContainText(/registered/i);
    await expect.poll(() => lab.kw.media.available, { timeout: 10_000 }).toBe(true);
    const kwPopup = await kwContext.newPage();
    await kwPopup.setViewportSize(POPUP);
    await kwPopup.goto(lab.kwCallUrl);
    const customer = await labContext.newPage();
    await customer.goto(
      lab.labUrl('customer', { uri: CUSTOMER_URI, name: 'Renée Customer', tone: String(TONES.customer) }),
    );
    await expect(customer.getByTestId('reg-state')).toHaveAttribute('data-state', 'registered');
    await use({ lab, kwMain, kwPopup, customer });
    await kwContext.close().catch(() => undefined);
    await labContext.close().catch(() => undefined);
    await lab.close();
  },
});

callTest.describe('accessibility of calls, light and dark', () => {
  callTest.beforeAll(() => buildLabWeb());

  callTest(
    'ringing (popup and main window), in call with the keypad open; Enter answers in the popup, Tab reaches hang-up',
    async ({ calls: w }) => {
      callTest.setTimeout(120_000);
      const found: string[] = [];
      await w.customer.getByTestId('call-target').fill(KW_URI);
      await w.customer.getByTestId('call-button').click();
      const popupCard = w.kwPopup.getByTestId('call-card');
      await expect(popupCard).toHaveAttribute('data-phase', 'ringing');
      await expect(popupCard).toContainText('Renée Customer');
      await expect(w.kwMain.getByTestId('call-card')).toHaveAttribute('data-phase', 'ringing');
      await audit(w.kwPopup, 'call-popup', 'ringing', [POPUP], found);
      await popupCard.getByTestId('call-answer').hover();
      await audit(w.kwPopup, 'call-popup', 'ringing, Answer hovered', [POPUP], found);
      await w.kwPopup.mouse.move(0, 0);
      await audit(w.kwMain, 'main', 'ringing', MAIN_SIZES, found);

      const panel = w.kwMain.getByTestId('call-panel');
      await callTest.step('keyboard only: Enter in the popup answers', async () => {
        await w.kwPopup.keyboard.press('Enter');
        await expect(panel).toHaveAttribute('data-phase', 'active');
        await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
      });

      await panel.getByTestId('call-keypad').click();
      await expect(w.kwMain.getByTestId('call-keypad-pad')).toBeVisible();
      await audit(w.kwMain, 'main', 'in call, keypad open', MAIN_SIZES, found);

      await callTest.step(
        'keyboard only: Tab from the top of the main window reaches hang-up, Enter ends',
        async () => {
          // Start where a KW who just switched to the window starts: nothing focused.
          await w.kwMain.evaluate('document.activeElement?.blur()');
          let presses = 0;
          const onHangup = () =>
            w.kwMain.evaluate(
              "document.activeElement?.getAttribute('data-testid') === 'call-hangup'",
            ) as Promise<boolean>;
          while (!(await onHangup())) {
            presses++;
            expect(presses, 'Tab presses to reach hang-up').toBeLessThanOrEqual(40);
            await w.kwMain.keyboard.press('Tab');
          }
          console.log(`a11y | hang-up reached with ${presses} Tab presses`);
          await w.kwMain.keyboard.press('Enter');
          await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
          await expect(panel).toHaveAttribute('data-phase', 'ended');
        },
      );
      await audit(w.kwMain, 'main', 'call ended', [BIG], found);
      expect(found, 'critical and serious axe findings').toEqual([]);
    },
  );
});
