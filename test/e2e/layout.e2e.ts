/**
 * e2e: the KW's windows at their sizes (issue 12, points 4, 5, 6). Real lab
 * SIP server, router, harness and Chromium:
 * - a request with 12 user-data fields: every value can be reached in the
 *   preview popup and in the main window's pending card ("+N more" opens the
 *   rest; what does not fit is hidden whole, never cut or covered);
 * - 720×480 during a real call (agent desk, customer simulator, transfer
 *   through the routing point): every keypad key is on screen and the chat's
 *   messages keep at least 120 px; the customer-data panel says it scrolls;
 * - the chat follows new messages at its end, raises "New messages" when the
 *   KW scrolled up; a reload keeps the selected conversation and the drafts.
 * Screenshots (test-results/screenshots/layout-*.png) in both themes.
 */
import { test as base, type Locator, type Page } from '@playwright/test';
import { memoryLogger } from '../../main/core/log.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import type { RunningRouter } from '../../router/index.js';
import {
  AGENT_URI,
  CUSTOMER_URI,
  RP,
  TONES,
  buildLabWeb,
  callChromiumArgs,
  startCallLab,
  type CallLab,
} from '../support/call-lab.js';
import { recordFigure } from '../support/figures.js';
import { startTestRouter } from '../support/test-router.js';
import { seriousAxeViolations } from '../support/axe.js';
import { test, expect, screenshot, BILLING, type World } from './fixtures.js';

/** Twelve fields, each value distinct (one a link, one long enough to wrap). */
const FIELDS: Readonly<Record<string, string>> = {
  CustomerName: 'Maria Garcia-Fernández',
  CaseNumber: 'CS-48213',
  Reason: 'Double charge on the March invoice',
  Channel: 'voice',
  Account: 'https://crm.example.com/acc/90031',
  Tier: 'Gold',
  Language: 'Spanish, English',
  Region: 'EMEA / Iberia',
  OrderNumber: '1182-77-0042',
  PaymentMethod: 'Visa ending 4242',
  Sentiment: 'Frustrated',
  Notes: 'Asked twice for a supervisor; was promised a refund within five working days.',
};
const VALUES = Object.values(FIELDS);

const POPUP = { width: 380, height: 256 };
const BIG = { width: 1040, height: 680 };
const SMALL = { width: 720, height: 480 };
const SCHEMES = ['light', 'dark'] as const;

/**
 * A router whose previews wait ten minutes (the lab's 8 s run out while a loaded
 * machine checks twelve fields in two windows and draws screenshots), for kw1
 * only, with room for `capacity` conversations at once.
 */
async function patientRouter(world: World, capacity = 1): Promise<RunningRouter> {
  await world.lab.router.close();
  const router = await startTestRouter(
    world.lab.url,
    [{ uri: 'billing', strategy: 'round-robin', members: ['kw1'], previewTimeoutSeconds: 600, capacity }],
    world.logger,
  );
  await expect.poll(() => router.routingState('sip:kw1@lab.local').kind, { timeout: 15_000 }).toBe('Ready');
  return router;
}

/**
 * Brings the value into the middle of `scroller` (a CSS selector, or the page
 * when null) by scrolling that one box only, as the KW would, then says
 * whether the value is painted there whole: inside the box and the window,
 * and the topmost element at its first letter (not clipped, not covered).
 */
async function reachable(page: Page, scroller: string | null, value: string): Promise<string> {
  return page.evaluate(`((scroller, value) => {
    const dd = [...document.querySelectorAll('[data-testid=card-data] dd')].find((d) => d.textContent === value);
    if (!dd) return 'not in the page';
    const text = dd.querySelector('bdi') ?? dd;
    const box = scroller ? document.querySelector(scroller) : document.scrollingElement;
    const frame = () => (scroller ? box.getBoundingClientRect() : { top: 0, bottom: innerHeight });
    const r = text.getBoundingClientRect();
    const f = frame();
    box.scrollTop += r.top + r.height / 2 - (f.top + f.bottom) / 2;
    const s = text.getBoundingClientRect();
    const g = frame();
    if (s.top < Math.max(0, g.top) - 0.5 || s.bottom > Math.min(innerHeight, g.bottom) + 0.5) return 'outside its box';
    const hit = document.elementFromPoint(s.left + 3, s.top + Math.min(s.height / 2, 8));
    return text.contains(hit) ? 'ok' : 'covered by ' + (hit ? hit.tagName + '.' + hit.className : 'nothing');
  })(${JSON.stringify(scroller)}, ${JSON.stringify(value)})`);
}

/**
 * The collapsed card: the rows shown are painted whole (each value's tooltip
 * is its full text), the others are hidden whole, and "+N more" counts them.
 */
async function expectCollapsedHonest(card: Locator): Promise<number> {
  const data = card.getByTestId('card-data');
  const shown = data.locator('.kv-row:not(.is-clipped)');
  const n = await settledCount(card.page(), shown);
  expect(n, 'at least one field shows in the card').toBeGreaterThan(0);
  expect(n, 'not all twelve fit in the card').toBeLessThan(VALUES.length);
  for (let i = 0; i < n; i++) {
    const value = shown.nth(i).locator('dd bdi');
    await expect(value).toBeInViewport({ ratio: 1 });
    await expect(value).toHaveAttribute('title', VALUES[i] ?? '');
  }
  const hidden = data.locator('.kv-row.is-clipped');
  await expect(hidden).toHaveCount(VALUES.length - n);
  for (let i = 0; i < VALUES.length - n; i++) await expect(hidden.nth(i)).toBeHidden();
  const toggle = data.getByTestId('card-data-toggle');
  await expect(toggle).toHaveText(`+${VALUES.length - n} more customer data fields`);
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  return n;
}

/** The count once the layout has settled (a resize re-measures the card a frame later): the same twice. */
async function settledCount(page: Page, rows: Locator): Promise<number> {
  const frames = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';
  let last = -1;
  await expect
    .poll(async () => {
      await page.evaluate(frames);
      const now = await rows.count();
      const stable = now === last;
      last = now;
      return stable;
    })
    .toBe(true);
  return last;
}

async function expectEveryValueReachable(page: Page, scroller: string | null, where: string): Promise<void> {
  for (const value of VALUES) expect(await reachable(page, scroller, value), `${where}: ${value}`).toBe('ok');
}

test.describe('every user-data field is reachable', () => {
  test.setTimeout(300_000);

  test('a request with 12 fields: "+N more" in the popup and in the pending card opens every value', async ({
    world,
    page,
    context,
  }) => {
    const router = await patientRouter(world);
    try {
      const popup = await context.newPage();
      await popup.setViewportSize(POPUP);
      await world.openPreview(popup);
      await page.setViewportSize(BIG);
      await world.openMain(page);
      const asked = world.bot.askExpert(BILLING, {
        subject: 'Customer disputes a double charge',
        text: 'The customer says she was charged twice in March. Can you check?',
        userData: FIELDS,
      });
      asked.catch(() => undefined); // awaited at the end; a failed check disposes the bot first

      // The popup at its size.
      const card = popup.getByTestId('preview-card');
      await expect(card).toBeVisible();
      await expectCollapsedHonest(card);
      for (const scheme of SCHEMES) {
        await popup.emulateMedia({ colorScheme: scheme });
        await screenshot(popup, `layout-popup-fields-${scheme}`);
      }
      await card.getByTestId('card-data-toggle').click();
      await expect(card.getByTestId('card-data-toggle')).toHaveAttribute('aria-expanded', 'true');
      await expect(popup.getByTestId('more-below')).toHaveClass(/is-on/);
      await expectEveryValueReachable(popup, null, 'popup');
      await popup.evaluate('document.scrollingElement.scrollTop = 0');
      for (const scheme of SCHEMES) {
        await popup.emulateMedia({ colorScheme: scheme });
        await screenshot(popup, `layout-popup-fields-open-${scheme}`);
        expect(await seriousAxeViolations(popup), `popup, card open, ${scheme}`).toEqual([]);
      }

      // The main window's pending card, at full size and at the minimum size.
      const strip = page.getByTestId('pending-previews').getByTestId('preview-card');
      for (const size of [BIG, SMALL]) {
        await page.setViewportSize(size);
        const at = `${size.width}x${size.height}`;
        await expect(strip).toBeVisible();
        await expectCollapsedHonest(strip);
        await expect(strip.getByTestId('accept'), `Accept in view at ${at}`).toBeInViewport({ ratio: 1 });
        await strip.getByTestId('card-data-toggle').click();
        await expectEveryValueReachable(page, '.pending', `pending card at ${at}`);
        await page.locator('.pending').evaluate((el) => el.scrollTo({ top: 0 }));
        for (const scheme of SCHEMES) {
          await page.emulateMedia({ colorScheme: scheme });
          await screenshot(page, `layout-pending-open-${at}-${scheme}`);
          expect(await seriousAxeViolations(page), `pending card open, ${at} ${scheme}`).toEqual([]);
        }
        await strip.getByTestId('card-data-toggle').click(); // "Show less"
        await expect(strip.getByTestId('card-data-toggle')).toHaveAttribute('aria-expanded', 'false');
      }

      await popup.getByTestId('accept').click();
      const outcome = await asked;
      expect(outcome.kind).toBe('routed');
      // The chat's panel has every field too; at the minimum size it says that it scrolls.
      await expect(page.getByTestId('user-data')).toContainText(FIELDS.Notes ?? '');
      await expect(page.getByTestId('more-below').first()).toHaveClass(/is-on/);
    } finally {
      await router.close();
    }
  });
});

/** The world of a call: the call lab, the KW's main window, the agent desk and the customer. */
interface CallWorld {
  readonly lab: CallLab;
  readonly kw: Page;
  readonly agent: Page;
  readonly customer: Page;
}

const callTest = base.extend<{ calls: CallWorld }>({
  launchOptions: async ({ launchOptions }, use) => {
    await use({ ...launchOptions, args: [...CHROMIUM_ARGS, ...(await callChromiumArgs())] });
  },
  calls: async ({ browser }, use) => {
    const { logger } = memoryLogger('warn');
    const lab = await startCallLab(logger);
    const kwContext = await browser.newContext({ viewport: BIG });
    const labContext = await browser.newContext({ viewport: { width: 1100, height: 1200 } });
    const kw = await kwContext.newPage();
    await kw.goto(lab.kwMainUrl);
    await expect(kw.getByTestId('connection-status')).toContainText(/registered/i);
    await expect.poll(() => lab.kw.media.available, { timeout: 10_000 }).toBe(true);
    const data = Object.entries(FIELDS).map(([k, v]) => `&data=${encodeURIComponent(`${k}=${v}`)}`);
    const agent = await labContext.newPage();
    await agent.goto(
      lab.labUrl('agent', {
        uri: AGENT_URI,
        name: 'Alex Agent',
        tone: String(TONES.agent),
        rp: RP,
        customer: `"Renée Customer" <${CUSTOMER_URI}>`,
        subject: 'Invoice paid twice',
        text: 'Customer says invoice 7 was paid twice',
      }) + data.join(''),
    );
    const customer = await labContext.newPage();
    await customer.goto(
      lab.labUrl('customer', {
        uri: CUSTOMER_URI,
        name: 'Renée Customer',
        tone: String(TONES.customer),
        call: AGENT_URI,
      }),
    );
    for (const p of [agent, customer]) {
      await expect(p.getByTestId('reg-state')).toHaveAttribute('data-state', 'registered');
    }
    await expect
      .poll(() => lab.router.routingState('sip:kw1@lab.local').kind, { timeout: 15_000 })
      .toBe('Ready');
    await use({ lab, kw, agent, customer });
    await kwContext.close().catch(() => undefined);
    await labContext.close().catch(() => undefined);
    await lab.close();
  },
});

callTest.beforeAll(() => buildLabWeb());

/** Whether the element is painted whole inside the window: in the viewport and on top at its centre. */
async function paintedInWindow(el: Locator): Promise<boolean> {
  return el.evaluate(
    new Function(
      'el',
      `const r = el.getBoundingClientRect();
      if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) return false;
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return el.contains(hit);`,
    ) as (el: unknown) => boolean,
  );
}

callTest(
  'at 720×480 during a call: the whole keypad on screen, ≥ 120 px of messages, the customer data says it scrolls',
  async ({ calls: w }) => {
    callTest.setTimeout(300_000);
    await callTest.step('the customer calls the agent, the agent asks; the KW accepts', async () => {
      await w.customer.getByTestId('call-button').click();
      await expect(w.agent.getByTestId('call-state')).toHaveAttribute('data-state', 'incoming');
      await w.agent.getByTestId('answer-call').click();
      await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
      await w.agent.getByTestId('ask-button').click();
      const card = w.kw.getByTestId('preview-card');
      await expect(card).toContainText('Invoice paid twice');
      await card.getByTestId('accept').click();
      await expect(w.agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'routed');
      await w.agent.getByTestId('chat-input').fill('Can you take her? She is on the line.');
      await w.agent.getByTestId('chat-send').click();
      await expect(w.kw.getByTestId('message').filter({ hasText: 'Can you take her?' })).toBeVisible();
    });

    await callTest.step(
      'the agent transfers through the routing point; the KW answers in the main window',
      async () => {
        await w.agent.getByTestId('escalate-via-rp').check();
        await w.agent.getByTestId('transfer-button').click();
        const ringing = w.kw.getByTestId('call-card');
        await expect(ringing).toHaveAttribute('data-phase', 'ringing');
        await ringing.getByTestId('call-answer').click();
        await expect(w.kw.getByTestId('call-panel')).toHaveAttribute('data-phase', 'active');
      },
    );

    const panel = w.kw.getByTestId('call-panel');
    for (const size of [SMALL, BIG]) {
      await callTest.step(`${size.width}×${size.height}: keypad, messages, customer data`, async () => {
        await w.kw.setViewportSize(size);
        const keypad = panel.getByTestId('call-keypad');
        if ((await keypad.getAttribute('aria-expanded')) !== 'true') await keypad.click();
        const keys = panel.getByTestId('call-keypad-pad').getByRole('button');
        await expect(keys).toHaveCount(12);
        for (let i = 0; i < 12; i++) {
          const key = keys.nth(i);
          const name = await key.textContent();
          expect(await paintedInWindow(key), `key ${name} whole on screen`).toBe(true);
        }
        await keys.nth(3).click(); // "4": the keys work, not only show
        await expect(panel.getByTestId('call-dtmf-sent')).toContainText('4');
        const messages = w.kw.locator('.messages');
        const height = await messages.evaluate((el) => el.clientHeight);
        expect(height, 'the chat keeps a usable message area').toBeGreaterThanOrEqual(120);
        recordFigure('chat message area during a call, keypad open', height, 'px', { window: size });
        expect(await paintedInWindow(w.kw.getByTestId('composer'))).toBe(true);
        expect(await paintedInWindow(panel.getByTestId('call-hangup'))).toBe(true);
        for (const scheme of SCHEMES) {
          await w.kw.emulateMedia({ colorScheme: scheme });
          await screenshot(w.kw, `layout-keypad-${size.width}x${size.height}-${scheme}`);
          const at = `in a call, ${size.width}×${size.height} ${scheme}`;
          expect(await seriousAxeViolations(w.kw), at).toEqual([]);
        }
      });
    }

    await callTest.step(
      '720×480: the devices wait behind a toggle; the customer data says it scrolls',
      async () => {
        await w.kw.setViewportSize(SMALL);
        const input = panel.getByTestId('call-input-select');
        await expect(input).toBeHidden();
        await panel.getByTestId('call-devices').click();
        await expect(input).toBeVisible();
        expect(await paintedInWindow(input)).toBe(true);
        await panel.getByTestId('call-devices').click();
        await expect(input).toBeHidden();
        const hint = w.kw.getByTestId('user-data').getByTestId('more-below');
        await expect(hint).toHaveClass(/is-on/);
        await w.kw.getByTestId('user-data').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
        await expect(hint).not.toHaveClass(/is-on/);
        await w.kw.getByTestId('user-data').evaluate((el) => el.scrollTo({ top: 0 }));
        await expect(hint).toHaveClass(/is-on/);
      },
    );

    await callTest.step('the call ends: its record arrives at the end of the chat, in view', async () => {
      await panel.getByTestId('call-hangup').click();
      const record = w.kw.getByTestId('call-record');
      await expect(record).toHaveAttribute('data-outcome', 'answered');
      await expect(record).toBeInViewport({ ratio: 1 });
    });
  },
);

/** Asks through the world's agent, accepts in the main window; the interaction id. */
async function acceptedConversation(world: World, page: Page, subject: string): Promise<string> {
  const asked = world.bot.askExpert(BILLING, { subject, text: `About ${subject}` });
  const card = page.getByTestId('pending-previews').getByTestId('preview-card').filter({ hasText: subject });
  await card.getByTestId('accept').click();
  const outcome = await asked;
  if (outcome.kind !== 'routed') throw new Error(`not routed: ${JSON.stringify(outcome)}`);
  await expect(page.getByTestId('chat-subject')).toContainText(subject);
  return outcome.interactionId;
}

/** The timeline's scroll position: distance from the end, and from the top. */
async function scrollState(page: Page): Promise<{ fromEnd: number; top: number }> {
  return page
    .locator('.messages')
    .evaluate((el) => ({ fromEnd: el.scrollHeight - el.scrollTop - el.clientHeight, top: el.scrollTop }));
}

test.describe('the chat behaves like a chat', () => {
  test.setTimeout(120_000);

  test('a new message at the end is scrolled to; scrolled up, it is not, and "New messages" takes there', async ({
    world,
    page,
  }) => {
    await page.setViewportSize(SMALL);
    await world.openMain(page);
    const id = await acceptedConversation(world, page, 'Long thread');
    const messages = page.getByTestId('message');
    for (let i = 1; i <= 14; i++) await world.bot.say(id, `Line ${i} of the customer's story.`);
    await expect(messages.filter({ hasText: 'Line 14 of' })).toBeVisible();

    // At the end: each new message is scrolled to.
    await expect.poll(async () => (await scrollState(page)).fromEnd).toBeLessThanOrEqual(1);
    await world.bot.say(id, 'One more thing at the end.');
    const atEnd = messages.filter({ hasText: 'One more thing at the end.' });
    await expect(atEnd).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('new-messages')).toHaveCount(0);

    // Scrolled up: the position stays, the pill shows.
    await page.locator('.messages').hover();
    await page.mouse.wheel(0, -10_000);
    await expect.poll(async () => (await scrollState(page)).top).toBe(0);
    await world.bot.say(id, 'Did you see the refund?');
    const late = messages.filter({ hasText: 'Did you see the refund?' });
    await expect(late).toHaveCount(1);
    const pill = page.getByTestId('new-messages');
    await expect(pill).toBeVisible();
    expect((await scrollState(page)).top, 'not pulled away from what the KW reads').toBe(0);
    await expect(late).not.toBeInViewport();
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `layout-chat-pill-720x480-${scheme}`);
      expect(await seriousAxeViolations(page), `"New messages", ${scheme}`).toEqual([]);
    }

    // The pill takes the KW to the newest message and goes.
    await pill.click();
    await expect(late).toBeInViewport({ ratio: 1 });
    await expect(pill).toHaveCount(0);
    await expect(page.locator('.messages')).toBeFocused();

    // Scrolled up again, the KW's own message brings the timeline to its end.
    await page.mouse.wheel(0, -10_000);
    await expect.poll(async () => (await scrollState(page)).top).toBe(0);
    const received = world.bot.once('message', (m) => m.text === 'Yes, on it.');
    await page.getByTestId('composer').fill('Yes, on it.');
    await page.getByTestId('composer').press('Enter');
    await received;
    await expect(messages.filter({ hasText: 'Yes, on it.' })).toBeInViewport({ ratio: 1 });
  });

  test('a reload keeps the selected conversation and each conversation’s draft', async ({ world, page }) => {
    const router = await patientRouter(world, 2);
    try {
      await reloadKeepsSelectionAndDrafts(world, page);
    } finally {
      await router.close();
    }
  });
});

async function reloadKeepsSelectionAndDrafts(world: World, page: Page): Promise<void> {
  await page.setViewportSize(BIG);
  await world.openMain(page);
  await acceptedConversation(world, page, 'First question');
  await acceptedConversation(world, page, 'Second question');
  const composer = page.getByTestId('composer');
  const rows = page.getByTestId('conversation-item');
  await composer.fill('Draft for the second');
  await rows.filter({ hasText: 'First question' }).click();
  await expect(page.getByTestId('chat-subject')).toContainText('First question');
  await composer.fill('Draft for the first,\nstill typing');

  await page.reload();
  await expect(page.getByTestId('connection-status')).toContainText(/registered/i);
  await expect(page.getByTestId('chat-subject')).toContainText('First question');
  await expect(composer).toHaveValue('Draft for the first,\nstill typing');
  await rows.filter({ hasText: 'Second question' }).click();
  await expect(composer).toHaveValue('Draft for the second');

  // Sent, a draft is gone for good: not back after the next reload.
  const received = world.bot.once('message', (m) => m.text === 'Draft for the second');
  await composer.press('Enter');
  await received;
  await expect(composer).toHaveValue('');
  await page.reload();
  await expect(page.getByTestId('chat-subject')).toContainText('Second question');
  await expect(composer).toHaveValue('');
}
