/**
 * From the agent's MESSAGE to the preview being visible in the page: the real
 * renderer in Chromium (browser harness), the real app layer, lab SIP server
 * and router. Each run is declined so the next one starts from an empty popup.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import type { Logger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import { FAST_AGENT, startTestRouter } from '../support/test-router.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { startHarnessKw } from '../../main/harness/compose.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM) && existsSync('dist/renderer/preview.html');
}

export async function previewVisible(runs: number, logger: Logger): Promise<number[]> {
  const sip = await startSipServer({ port: 0, logger });
  const fast = FAST_AGENT;
  const router = await startTestRouter(
    sip.url,
    [
      {
        uri: 'billing',
        strategy: 'longest-idle',
        members: ['kw1'],
        previewTimeoutSeconds: 20,
        waitForAvailableSeconds: 5,
      },
    ],
    logger,
  );
  const kw = await startHarnessKw({
    account: { uri: 'sip:kw1@lab.local', displayName: 'Kim' },
    trustedRoutingPoints: ['sip:billing@lab.local'],
    servers: [sip.url],
    historyDir: await mkdtemp(join(tmpdir(), 'kw-bench-')),
    logger,
    agentOptions: fast,
  });
  const agent = new SipAgent({
    account: { uri: 'sip:agent1@lab.local', servers: [sip.url] },
    logger,
    ...fast,
  });
  agent.start();
  const bot = new AgentBot({ agent, logger });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(kw.harness.previewUrl);
    while (router.routingState('sip:kw1@lab.local').kind !== 'Ready' || !agent.isRegistered) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const card = page.getByTestId('preview-card');
    const samples: number[] = [];
    // The page stamps the moment a card enters the DOM (MutationObserver, epoch-based
    // high-resolution time), so Playwright's own polling is not part of the figure.
    // (A string: this test code is compiled without DOM types.)
    await page.evaluate(`new MutationObserver(() => {
      if (window.__seenAt === undefined && document.querySelector('[data-testid="preview-card"]')) {
        window.__seenAt = performance.timeOrigin + performance.now();
      }
    }).observe(document.body, { childList: true, subtree: true })`);
    for (let i = 0; i < runs + 3; i += 1) {
      while (router.load('sip:kw1@lab.local') !== 0) await new Promise((r) => setTimeout(r, 10));
      await page.evaluate(() => {
        (globalThis as unknown as { __seenAt?: number }).__seenAt = undefined;
      });
      const t0 = performance.timeOrigin + performance.now();
      const asked = bot.askExpert('sip:billing@lab.local', { text: `run ${i}` });
      await card.first().waitFor({ state: 'visible' });
      const seenAt = await page.evaluate(() => (globalThis as unknown as { __seenAt?: number }).__seenAt);
      if (seenAt === undefined) throw new Error('the page did not stamp the preview');
      if (i >= 3) samples.push(seenAt - t0);
      const id = (await card.first().getAttribute('data-interaction-id')) ?? '';
      await kw.app.handlers['previews.decline']({ interactionId: id });
      await asked;
      await card.first().waitFor({ state: 'detached' });
    }
    return samples;
  } finally {
    await browser.close();
    bot.dispose();
    await agent.stop(1000);
    await kw.close();
    await router.close();
    await sip.close();
  }
}
