/**
 * e2e: network text cannot spoof or break the layout (issue 11, finding 10).
 * An agent with a 128-character unbroken display name asks with a 300-character
 * subject and text with a right-to-left override (U+202E) that would show
 * "file gpj.exe" as "file exe.jpg"; the same in a chat message. Real lab SIP
 * server, router, harness and Chromium. Checked in the preview popup at its
 * size and in the main window at 1040×680 and 720×480, light and dark: nothing
 * is wider than the window, the override shows as a marker and reorders
 * nothing, the full name is the tooltip, and axe-core finds nothing serious.
 */
import type { Locator, Page } from '@playwright/test';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import type { RunningRouter } from '../../router/index.js';
import { startTestRouter } from '../support/test-router.js';
import { test, expect, screenshot, BILLING, FAST, type World } from './fixtures.js';
import { seriousAxeViolations } from '../support/axe.js';

const RLO = '\u202E';
/** The marker the KW sees instead of the override (renderer/shared/net-text.ts). */
const RLO_MARKER = '⟮RLO⟯';
const LONG_NAME = 'Wolfeschlegelsteinhausenbergerdorff'.repeat(4).slice(0, 128);
const LONG_SUBJECT = 'Customer-disputes-the-double-charge-on-invoice-42-'.repeat(6);
const ASK_TEXT = `Please check the file ${RLO}gpj.exe the customer sent`;
const CHAT_TEXT = `Did you open file ${RLO}gpj.exe yet?`;
/** Every explicit bidi control and mark (none may reach the page raw). */
const RAW_CONTROLS = '[\\u202A-\\u202E\\u2066-\\u2069\\u200E\\u200F\\u061C]';

const POPUP = { width: 380, height: 256 };
const SIZES = [
  { width: 1040, height: 680 },
  { width: 720, height: 480 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/**
 * The long-named agent, registered with the world's lab, and a router whose
 * previews wait a minute: the lab's 8 s run out while a loaded machine draws
 * four screenshots and runs axe. It replaces the world's router (same routing
 * point, the one the KW trusts; kw1 only).
 */
async function hostileAgentLab(world: World): Promise<{ bot: AgentBot; stop: () => Promise<void> }> {
  await world.lab.router.close();
  const router: RunningRouter = await startTestRouter(
    world.lab.url,
    [{ uri: 'billing', strategy: 'round-robin', members: ['kw1'], previewTimeoutSeconds: 60 }],
    world.logger,
  );
  const agent = new SipAgent({
    account: { uri: 'sip:agent9@lab.local', displayName: LONG_NAME, servers: [world.lab.url] },
    logger: world.logger,
    ...FAST,
  });
  agent.start();
  const bot = new AgentBot({ agent, logger: world.logger });
  const stop = async () => {
    bot.dispose();
    // Together: each graceful SIP stop waits for JsSIP's transactions.
    await Promise.all([agent.stop(1000), router.close()]);
  };
  try {
    await expect
      .poll(() => agent.isRegistered && router.routingState('sip:kw1@lab.local').kind === 'Ready', {
        timeout: 15_000,
      })
      .toBe(true);
  } catch (error) {
    await stop();
    throw error;
  }
  return { bot, stop };
}

/** Widths that break the layout: the document's, and any element wider than the window. */
async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; wide: string[] }> {
  return page.evaluate(`(() => {
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > innerWidth + 0.5) wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.width));
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, wide };
  })()`);
}

async function expectFits(page: Page, what: string): Promise<void> {
  const o = await overflow(page);
  expect(o.wide, `${what}: elements wider than the window`).toEqual([]);
  expect(o.scrollWidth, `${what}: document scroll width`).toBeLessThanOrEqual(o.innerWidth);
}

async function expectWithinWindow(page: Page, box: Locator, what: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  const b = await box.boundingBox();
  if (!b) throw new Error(`${what} is not on the page`);
  expect(b.x, `${what} left edge`).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width, `${what} right edge`).toBeLessThanOrEqual(width + 0.5);
}

/** No raw bidi control in any text node or attribute of the page: each shows as a marker. */
async function rawControls(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const re = new RegExp(${JSON.stringify(RAW_CONTROLS)});
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (re.test(n.data)) found.push('text: ' + JSON.stringify(n.data));
    }
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) if (re.test(a.value)) found.push(el.tagName + '@' + a.name);
    }
    return found;
  })()`);
}

/**
 * Reads left to right: the first letter of "gpj.exe" is drawn left of its last
 * one (an obeyed override would draw it reversed, "exe.jpg").
 */
async function drawnInOrder(el: Locator, word: string): Promise<boolean> {
  // The page's DOM types are not in the test tsconfig: the check is written as page code.
  const check = new Function(
    'root',
    'word',
    `const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.data.indexOf(word);
      if (i < 0) continue;
      const box = (at) => {
        const r = document.createRange();
        r.setStart(n, at);
        r.setEnd(n, at + 1);
        return r.getBoundingClientRect();
      };
      return box(i).left < box(i + word.length - 1).left;
    }
    return 'not found';`,
  ) as (root: unknown, word: string) => boolean | string;
  const result = await el.evaluate(check, word);
  if (typeof result !== 'boolean') throw new Error(`"${word}" is not in the element's text`);
  return result;
}

/** The preview popup and the main window with the long-named agent's request pending. */
async function askWithHostileText(world: World, bot: AgentBot, page: Page, popup: Page) {
  await page.setViewportSize(SIZES[0]);
  await world.openMain(page);
  await popup.setViewportSize(POPUP);
  await world.openPreview(popup);
  const asked = bot.askExpert(BILLING, {
    text: ASK_TEXT,
    subject: LONG_SUBJECT,
    userData: { Note: `attached ${RLO}gpj.exe`, Reference: 'X'.repeat(300) },
  });
  // Awaited later; when a check fails first, disposing the bot rejects it: not a second error.
  asked.catch(() => undefined);
  const card = popup.getByTestId('preview-card');
  await expect(card).toBeVisible();
  return { asked, card };
}

test.describe('network text in the KW windows', () => {
  // Four window sizes and colour schemes, screenshots and axe runs on a shared 2-core machine.
  test.setTimeout(120_000);

  test('a 128-character name, a 300-character subject and a right-to-left override: nothing widens a window, nothing is reordered', async ({
    world,
    page,
    context,
  }) => {
    const agent = await hostileAgentLab(world);
    try {
      const popup = await context.newPage();
      const { asked, card } = await askWithHostileText(world, agent.bot, page, popup);

      // The preview popup at its size.
      const title = card.locator('.preview-title bdi');
      await expect(title).toHaveAttribute('title', LONG_NAME);
      await expect(title).toHaveAttribute('dir', 'auto');
      const text = card.locator('.preview-text');
      await expect(text).toContainText(`file ${RLO_MARKER}gpj.exe`);
      expect(await drawnInOrder(text, 'gpj.exe')).toBe(true);
      await expect(card.locator('.preview-subject')).toHaveAttribute('title', /^Customer-disputes-/);
      await expectFits(popup, 'preview popup');
      await expectWithinWindow(popup, card, 'preview card');
      expect(await rawControls(popup)).toEqual([]);
      await screenshot(popup, 'text-safety-preview-popup');
      await popup.emulateMedia({ colorScheme: 'dark' });
      await screenshot(popup, 'text-safety-preview-popup-dark');

      // The main window's pending card, then the chat.
      const strip = page.getByTestId('pending-previews').getByTestId('preview-card');
      await expect(strip).toBeVisible();
      await expectFits(page, 'main window with the request pending');
      await expectWithinWindow(page, strip, 'pending request card');
      await popup.getByTestId('accept').click();
      const outcome = await asked;
      if (outcome.kind !== 'routed') throw new Error(`not routed: ${JSON.stringify(outcome)}`);
      await agent.bot.say(outcome.interactionId, CHAT_TEXT);
      const message = page.getByTestId('message').filter({ hasText: 'yet?' });
      await expect(message).toBeVisible();

      const row = page.getByTestId('conversation-item').first();
      const head = page.locator('.chat-head');
      for (const size of SIZES) {
        await page.setViewportSize(size);
        for (const scheme of SCHEMES) {
          await page.emulateMedia({ colorScheme: scheme });
          const at = `${size.width}×${size.height} ${scheme}`;
          await expectFits(page, at);
          await expectWithinWindow(page, row, `conversation row at ${at}`);
          await expectWithinWindow(page, head, `chat header at ${at}`);
          await expectWithinWindow(page, message, `message at ${at}`);
          await screenshot(page, `text-safety-main-${size.width}x${size.height}-${scheme}`);
        }
      }
      await expect(page.getByTestId('chat-agent')).toHaveAttribute('title', LONG_NAME);
      await expect(row.locator('.conv-name')).toHaveAttribute('title', LONG_NAME);
      // The row's accessible name carries the whole name (the ellipsis is only drawn).
      await expect(row).toHaveAccessibleName(new RegExp(LONG_NAME));
      const bubble = message.locator('.bubble');
      await expect(bubble).toContainText(`file ${RLO_MARKER}gpj.exe yet?`);
      await expect(bubble.locator('bdi[dir="auto"]')).toHaveCSS('unicode-bidi', 'isolate');
      expect(await drawnInOrder(bubble, 'gpj.exe')).toBe(true);
      await expect(page.getByTestId('user-data')).toContainText(`attached ${RLO_MARKER}gpj.exe`);
      expect(await rawControls(page)).toEqual([]);
    } finally {
      await agent.stop();
    }
  });

  test('axe-core: no critical or serious violation with the hostile text, in the popup and the main window', async ({
    world,
    page,
    context,
  }) => {
    const agent = await hostileAgentLab(world);
    try {
      const popup = await context.newPage();
      const { asked, card } = await askWithHostileText(world, agent.bot, page, popup);
      for (const scheme of SCHEMES) {
        await popup.emulateMedia({ colorScheme: scheme });
        expect(await seriousAxeViolations(popup), `preview popup, ${scheme}`).toEqual([]);
      }
      expect(await seriousAxeViolations(page), 'main window with the request pending').toEqual([]);
      await expect(card, 'the request was still pending while axe ran').toBeVisible({ timeout: 1 });
      await popup.getByTestId('accept').click();
      const outcome = await asked;
      if (outcome.kind !== 'routed') throw new Error(`not routed: ${JSON.stringify(outcome)}`);
      await agent.bot.say(outcome.interactionId, CHAT_TEXT);
      await expect(page.getByTestId('message').filter({ hasText: 'yet?' })).toBeVisible();
      for (const size of SIZES) {
        await page.setViewportSize(size);
        for (const scheme of SCHEMES) {
          await page.emulateMedia({ colorScheme: scheme });
          const at = `main window ${size.width}×${size.height} ${scheme}`;
          expect(await seriousAxeViolations(page), at).toEqual([]);
        }
      }
    } finally {
      await agent.stop();
    }
  });
});
