/**
 * e2e: the answer the KW prepares while a call rings (real Chromium media host
 * in the harness's main page, real JsSIP over the lab SIP server). While it
 * rings the host holds the prepared peer connection but no microphone at all
 * (nothing can be sent, the OS indicator stays off); declining closes it; an
 * answered call is heard both ways.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { memoryLogger } from '../../main/core/log.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import {
  CUSTOMER_URI,
  KW_URI,
  TONES,
  buildLabWeb,
  callChromiumArgs,
  kwHears,
  HEARD_DB,
  startCallLab,
  type CallLab,
} from '../support/call-lab.js';

interface World {
  readonly lab: CallLab;
  readonly kwMain: Page;
  readonly customer: Page;
}

const test = base.extend<{ world: World }>({
  launchOptions: async ({ launchOptions }, use) => {
    await use({ ...launchOptions, args: [...CHROMIUM_ARGS, ...(await callChromiumArgs())] });
  },
  world: async ({ browser }, use) => {
    const lab = await startCallLab(memoryLogger('warn').logger);
    const kwMain = await (await browser.newContext()).newPage();
    await kwMain.goto(lab.kwMainUrl);
    await expect(kwMain.getByTestId('connection-status')).toContainText(/registered/i);
    await expect.poll(() => lab.kw.media.available, { timeout: 10_000 }).toBe(true);
    const customer = await (await browser.newContext()).newPage();
    await customer.goto(
      lab.labUrl('customer', { uri: CUSTOMER_URI, tone: String(TONES.customer), call: KW_URI }),
    );
    await expect(customer.getByTestId('reg-state')).toHaveAttribute('data-state', 'registered');
    await use({ lab, kwMain, customer });
    await lab.close();
  },
});

test.beforeAll(() => buildLabWeb());

/** What the KW's media host holds, as it publishes it on `<html>`. */
async function held(page: Page): Promise<{ pcs: string; streams: string; liveLocalTracks: string }> {
  // A string: the test project has no DOM types.
  const data = (await page.evaluate('({ ...document.documentElement.dataset })')) as Record<string, string>;
  return { pcs: data.pcs ?? '', streams: data.streams ?? '', liveLocalTracks: data.liveLocalTracks ?? '' };
}

async function ring(w: World): Promise<ReturnType<Page['locator']>> {
  await w.customer.getByTestId('call-target').fill(KW_URI);
  await w.customer.getByTestId('call-button').click();
  const card = w.kwMain.locator('[data-testid="call-card"][data-phase="ringing"]');
  await card.waitFor({ timeout: 15_000 });
  return card;
}

test('ringing: the answer is prepared but no microphone is open; declining closes it; answering is heard both ways', async ({
  world: w,
}) => {
  const card = await ring(w);
  await expect.poll(() => held(w.kwMain)).toEqual({ pcs: '1', streams: '0', liveLocalTracks: '0' });
  // Still nothing captured a while later: the ringing call never opens the microphone.
  await w.kwMain.waitForTimeout(1000);
  expect(await held(w.kwMain)).toEqual({ pcs: '1', streams: '0', liveLocalTracks: '0' });
  await expect(w.customer.getByTestId(`hearing-${TONES.kw}`)).toHaveAttribute('data-heard', 'no');

  await card.getByTestId('call-decline').click();
  await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
  await expect.poll(() => held(w.kwMain)).toEqual({ pcs: '0', streams: '0', liveLocalTracks: '0' });

  const again = await ring(w);
  await expect.poll(() => held(w.kwMain)).toEqual({ pcs: '1', streams: '0', liveLocalTracks: '0' });
  await again.getByTestId('call-answer').click();
  await expect(w.customer.getByTestId(`hearing-${TONES.kw}`)).toHaveAttribute('data-heard', 'yes', {
    timeout: 15_000,
  });
  await expect
    .poll(async () => ((await kwHears(w.kwMain, [TONES.customer]))[TONES.customer] ?? -1000) > HEARD_DB, {
      timeout: 15_000,
    })
    .toBe(true);
  expect(await held(w.kwMain)).toEqual({ pcs: '1', streams: '1', liveLocalTracks: '1' });
  await w.customer.getByTestId('hangup-call').click();
  await expect.poll(() => held(w.kwMain)).toEqual({ pcs: '0', streams: '0', liveLocalTracks: '0' });
});
