/**
 * e2e: the answer the KW prepares while a call rings (real Chromium media host
 * in the harness's main page, real JsSIP over the lab SIP server). While it
 * rings the host holds the prepared peer connection but no microphone at all
 * (nothing can be sent, the OS indicator stays off); declining closes it; an
 * answered call is heard both ways. Answer sends the 200 OK before the
 * microphone opens: mute pressed meanwhile holds when it opens, and a
 * microphone that fails ends the answered call with a BYE and a sentence.
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

/** The KW page's getUserMedia waits until `window.__openMic()` (the media host asks for it on each capture). */
async function gateMicrophone(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const md = navigator.mediaDevices;
    const real = md.getUserMedia.bind(md);
    let open;
    const gate = new Promise((r) => (open = r));
    window.__openMic = open;
    md.getUserMedia = (constraints) => gate.then(() => real(constraints));
  })()`);
}

async function kwHearsCustomer(page: Page): Promise<boolean> {
  return ((await kwHears(page, [TONES.customer]))[TONES.customer] ?? -1000) > HEARD_DB;
}

test('Answer connects before the microphone opens; muted meanwhile, the microphone arrives muted', async ({
  world: w,
}) => {
  await gateMicrophone(w.kwMain);
  const card = await ring(w);
  await card.getByTestId('call-answer').click();
  // The 200 OK did not wait for the microphone: the call is up and the KW hears the customer.
  await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
  await expect.poll(() => kwHearsCustomer(w.kwMain), { timeout: 15_000 }).toBe(true);
  expect(await held(w.kwMain)).toEqual({ pcs: '1', streams: '0', liveLocalTracks: '0' });

  const panel = w.kwMain.getByTestId('call-panel');
  await w.kwMain.getByTestId('call-mute').click();
  await expect(panel).toHaveAttribute('data-muted', 'true');
  await w.kwMain.evaluate('window.__openMic()');
  await expect.poll(() => held(w.kwMain)).toEqual({ pcs: '1', streams: '1', liveLocalTracks: '1' });
  // The microphone is on the call but muted: the customer keeps hearing nothing from the KW.
  await w.kwMain.waitForTimeout(1500);
  await expect(w.customer.getByTestId(`hearing-${TONES.kw}`)).toHaveAttribute('data-heard', 'no');

  await w.kwMain.getByTestId('call-mute').click();
  await expect(panel).toHaveAttribute('data-muted', 'false');
  await expect(w.customer.getByTestId(`hearing-${TONES.kw}`)).toHaveAttribute('data-heard', 'yes', {
    timeout: 15_000,
  });
  await w.customer.getByTestId('hangup-call').click();
  await expect.poll(() => held(w.kwMain)).toEqual({ pcs: '0', streams: '0', liveLocalTracks: '0' });
});

test('a microphone that fails after the 200 OK ends the call with a BYE, and the KW reads why', async ({
  world: w,
}) => {
  await w.kwMain.evaluate(
    `navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))`,
  );
  const card = await ring(w);
  await card.getByTestId('call-answer').click();
  // Answered (200 OK, ACK), then hung up by the KW with a BYE: not refused with a 480.
  await expect(w.customer.getByTestId('event-log')).toContainText(`talking with ${KW_URI}`);
  await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
  await expect(w.customer.getByTestId('call-state')).toContainText('Call ended: Terminated');
  await expect(w.kwMain.getByTestId('call-panel')).toContainText(
    'Call ended — Your microphone could not be opened',
  );
  await expect.poll(() => held(w.kwMain)).toEqual({ pcs: '0', streams: '0', liveLocalTracks: '0' });
});
