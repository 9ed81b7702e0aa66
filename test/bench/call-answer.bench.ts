/**
 * From Answer to audio flowing both ways, with real audio in Chromium:
 * - the KW Desktop (browser harness: JsSIP in main, the media bridge) answering
 *   a call from the customer page, its media host in a page of its own, as the
 *   Electron app has its hidden media window (`kwDesktop`, the goal's figure);
 * - the same with the media host in the main page, which also draws the UI
 *   (`kwDesktopOnePage`, the harness's default: the "before" was it);
 * - the reference, measured in the same run: the same call between two lab
 *   pages (JsSIP and WebRTC in one page each, no bridge), answered the same way;
 *   the answering page sends an oscillator tone, so it opens no microphone;
 * - a second reference, for information: the same page-to-page call where the
 *   answering page opens its microphone on Answer, inside JsSIP's answer() as
 *   JsSIP does by default (`?source=answer-mic`; the fake device plays TONES.kw).
 * "Audio flowing" = the far end's WebAudio analyser hears the other party's
 * tone; each page stamps that moment itself (probe polled every 5 ms), so
 * Playwright's own polling is not in the figure.
 */
import { chromium, type Page } from '@playwright/test';
import type { Logger } from '../../main/core/log.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import {
  CUSTOMER_URI,
  KW_URI,
  TONES,
  buildLabWeb,
  callChromiumArgs,
  startCallLab,
} from '../support/call-lab.js';
import { CHROMIUM } from './preview-visible.bench.js';

const KW_PHONE = 'sip:kw1-phone@lab.local';
const KW_MIC_PHONE = 'sip:kw1-mic@lab.local';

/** Installs (or re-arms) a probe that stamps when any remote `<audio>` stream carries `hz`. */
async function armProbe(page: Page, hz: number): Promise<void> {
  await page.evaluate(`(() => {
    const w = window;
    if (w.__probe) { clearInterval(w.__probe.timer); void w.__probe.ctx.close(); }
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    analyser.smoothingTimeConstant = 0;
    const seen = new Set();
    const bins = new Float32Array(analyser.frequencyBinCount);
    const center = Math.round(${hz} / (ctx.sampleRate / analyser.fftSize));
    const probe = { ctx, heardAt: 0, timer: 0 };
    probe.timer = setInterval(() => {
      for (const a of document.querySelectorAll('audio')) {
        const s = a.srcObject;
        if (s instanceof MediaStream && !seen.has(s) && s.getAudioTracks().length > 0) {
          seen.add(s);
          ctx.createMediaStreamSource(s).connect(analyser);
        }
      }
      if (probe.heardAt) return;
      analyser.getFloatFrequencyData(bins);
      let best = -1000;
      for (let i = center - 2; i <= center + 2; i++) if (Number.isFinite(bins[i])) best = Math.max(best, bins[i]);
      if (best > -50) probe.heardAt = performance.timeOrigin + performance.now();
    }, 5);
    w.__probe = probe;
  })()`);
}

async function heardAt(page: Page): Promise<number> {
  for (;;) {
    const at = (await page.evaluate('window.__probe.heardAt')) as number;
    if (at > 0) return at;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function state(page: Page, testId: string, value: string): Promise<void> {
  await page.locator(`[data-testid="${testId}"][data-state="${value}"]`).waitFor({ timeout: 15_000 });
}

export interface AnswerFigures {
  /** The KW Desktop, its media host in a page of its own (the Electron app's shape). */
  readonly kwDesktop: number[];
  /** The KW Desktop, its media host in the main page that also draws the UI (measured first). */
  readonly kwDesktopOnePage: number[];
  /** The reference: the answering page sends a tone, no microphone. */
  readonly pageToPage: number[];
  /** For information: the answering page opens its microphone on Answer (JsSIP's default way). */
  readonly pageToPageMic: number[];
}

/** Customer calls `target`; `answerer` answers it; ms from the click until both ends hear each other. */
async function pageToPageCall(customer: Page, answerer: Page, target: string): Promise<number> {
  await customer.getByTestId('call-target').fill(target);
  await customer.getByTestId('call-button').click();
  await state(answerer, 'call-state', 'incoming');
  await armProbe(customer, TONES.kw);
  await armProbe(answerer, TONES.customer);
  const t0 = Date.now();
  await answerer.getByTestId('answer-call').click();
  const ms = Math.max(await heardAt(customer), await heardAt(answerer)) - t0;
  await customer.getByTestId('hangup-call').click();
  await state(answerer, 'call-state', 'ended');
  return ms;
}

/** The customer calls the KW, who answers in `kwMain`; `kwMedia` plays the call. */
async function kwCall(customer: Page, kwMain: Page, kwMedia: Page): Promise<number> {
  await customer.getByTestId('call-target').fill(KW_URI);
  await customer.getByTestId('call-button').click();
  const card = kwMain.locator('[data-testid="call-card"][data-phase="ringing"]');
  await card.waitFor({ timeout: 15_000 });
  await armProbe(customer, TONES.kw);
  await armProbe(kwMedia, TONES.customer);
  const t0 = Date.now();
  await card.getByTestId('call-answer').click();
  const ms = Math.max(await heardAt(customer), await heardAt(kwMedia)) - t0;
  await customer.getByTestId('hangup-call').click();
  await kwMain.locator('[data-testid="call-panel"][data-phase="ended"]').waitFor({ timeout: 15_000 });
  return ms;
}

export async function answerToAudio(runs: number, logger: Logger): Promise<AnswerFigures> {
  buildLabWeb();
  const lab = await startCallLab(logger);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...(await callChromiumArgs())],
    headless: true,
  });
  const figures: AnswerFigures = { kwDesktop: [], kwDesktopOnePage: [], pageToPage: [], pageToPageMic: [] };
  try {
    const kwContext = await browser.newContext();
    const kwMain = await kwContext.newPage();
    await kwMain.goto(lab.kwMainUrl);
    const labContext = await browser.newContext();
    const customer = await labContext.newPage();
    await customer.goto(
      lab.labUrl('customer', { uri: CUSTOMER_URI, tone: String(TONES.customer), call: KW_URI }),
    );
    // One context each: a page behind another in its context gets its timers throttled (the probe's too).
    const phone = await (await browser.newContext()).newPage();
    await phone.goto(lab.labUrl('customer', { uri: KW_PHONE, tone: String(TONES.kw) }));
    const micPhone = await (await browser.newContext()).newPage();
    await micPhone.goto(lab.labUrl('customer', { uri: KW_MIC_PHONE, source: 'answer-mic' }));
    await state(customer, 'reg-state', 'registered');
    await state(phone, 'reg-state', 'registered');
    await state(micPhone, 'reg-state', 'registered');
    while (!lab.kw.media.available || !lab.kw.app.kwCore.agent.isRegistered)
      await new Promise((r) => setTimeout(r, 50));

    // The media host in the main page first, then in a page of its own (the newest host wins).
    for (let i = 0; i < runs; i++) figures.kwDesktopOnePage.push(await kwCall(customer, kwMain, kwMain));
    const kwMedia = await (await browser.newContext()).newPage();
    await kwMedia.goto(lab.kwMainUrl.replace('/main.html', '/media.html'));
    while (lab.kw.media.hostName !== 'media-page') await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < runs; i++) {
      figures.kwDesktop.push(await kwCall(customer, kwMain, kwMedia));
      // References: the same call between two pages, the answering one with a tone, then with its microphone.
      figures.pageToPage.push(await pageToPageCall(customer, phone, KW_PHONE));
      figures.pageToPageMic.push(await pageToPageCall(customer, micPhone, KW_MIC_PHONE));
    }
  } finally {
    await browser.close();
    await lab.close();
  }
  return figures;
}
