/**
 * From Answer to audio flowing both ways, with real audio in Chromium:
 * - the KW Desktop (browser harness: JsSIP in main, the media bridge, the
 *   media host in the main page) answering a call from the customer page;
 * - the reference, measured in the same run: the same call between two lab
 *   pages (JsSIP and WebRTC in one page each, no bridge), answered the same way.
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
  readonly kwDesktop: number[];
  readonly pageToPage: number[];
}

export async function answerToAudio(runs: number, logger: Logger): Promise<AnswerFigures> {
  buildLabWeb();
  const lab = await startCallLab(logger);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...(await callChromiumArgs())],
    headless: true,
  });
  const figures: AnswerFigures = { kwDesktop: [], pageToPage: [] };
  try {
    const kwContext = await browser.newContext();
    const kwMain = await kwContext.newPage();
    await kwMain.goto(lab.kwMainUrl);
    const labContext = await browser.newContext();
    const customer = await labContext.newPage();
    await customer.goto(
      lab.labUrl('customer', { uri: CUSTOMER_URI, tone: String(TONES.customer), call: KW_URI }),
    );
    const phone = await labContext.newPage();
    await phone.goto(lab.labUrl('customer', { uri: KW_PHONE, tone: String(TONES.kw) }));
    await state(customer, 'reg-state', 'registered');
    await state(phone, 'reg-state', 'registered');
    while (!lab.kw.media.available || !lab.kw.app.kwCore.agent.isRegistered)
      await new Promise((r) => setTimeout(r, 50));

    for (let i = 0; i < runs; i++) {
      // The KW Desktop answers in its main window.
      await customer.getByTestId('call-target').fill(KW_URI);
      await customer.getByTestId('call-button').click();
      const card = kwMain.locator('[data-testid="call-card"][data-phase="ringing"]');
      await card.waitFor({ timeout: 15_000 });
      await armProbe(customer, TONES.kw);
      await armProbe(kwMain, TONES.customer);
      const t0 = Date.now();
      await card.getByTestId('call-answer').click();
      figures.kwDesktop.push(Math.max(await heardAt(customer), await heardAt(kwMain)) - t0);
      await customer.getByTestId('hangup-call').click();
      await kwMain.locator('[data-testid="call-panel"][data-phase="ended"]').waitFor({ timeout: 15_000 });

      // Reference: the same call between two pages.
      await customer.getByTestId('call-target').fill(KW_PHONE);
      await customer.getByTestId('call-button').click();
      await state(phone, 'call-state', 'incoming');
      await armProbe(customer, TONES.kw);
      await armProbe(phone, TONES.customer);
      const t1 = Date.now();
      await phone.getByTestId('answer-call').click();
      figures.pageToPage.push(Math.max(await heardAt(customer), await heardAt(phone)) - t1);
      await customer.getByTestId('hangup-call').click();
      await state(phone, 'call-state', 'ended');
    }
  } finally {
    await browser.close();
    await lab.close();
  }
  return figures;
}
