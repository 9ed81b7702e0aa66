/**
 * The world of an e2e test: a lab SIP server (restartable on its port), the
 * router, the KW Desktop app in the browser harness (kw1), a second KW core in
 * Node (kw2), and an agent bot. Everything real, on loopback.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger, type Logger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { startSipServer, type SipServer } from '../../lab/sip-server/index.js';
import type { RunningRouter } from '../../router/index.js';
import { FAST_AGENT, startTestRouter } from '../support/test-router.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { startHarnessKw, type HarnessKw } from '../../main/harness/compose.js';
import { KwCore } from '../../main/core/kw-core.js';
import { MemoryHistoryStore } from '../../main/core/history/history-store.js';

export const FAST = FAST_AGENT;

export interface Lab {
  readonly url: string;
  readonly domain: string;
  restartSip(): Promise<void>;
  killSip(): Promise<void>;
  readonly router: RunningRouter;
}

export interface World {
  readonly logger: Logger;
  readonly lab: Lab;
  kw: HarnessKw;
  readonly historyDir: string;
  /** Stops the KW app and starts a new one on the same history (a restart of the core). */
  restartKw(): Promise<void>;
  readonly kw2: KwCore;
  readonly bot: AgentBot;
  openMain(page: Page): Promise<void>;
  openPreview(page: Page): Promise<void>;
}

export const BILLING = 'sip:billing@lab.local';

export const test = base.extend<{ world: World }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures name their dependencies by destructuring
  world: async ({}, use) => {
    const { logger } = memoryLogger('warn');
    const stops: Array<() => Promise<unknown>> = [];
    let sip: SipServer = await startSipServer({ port: 0, logger });
    const port = sip.port;
    const router = await startTestRouter(
      sip.url,
      [
        {
          uri: 'billing',
          strategy: 'round-robin',
          members: ['kw1', 'kw2'],
          previewTimeoutSeconds: 8,
          waitForAvailableSeconds: 2,
        },
      ],
      logger,
    );
    stops.push(() => router.close());
    const historyDir = await mkdtemp(join(tmpdir(), 'kw-e2e-'));
    const startKw = () =>
      startHarnessKw({
        account: { uri: 'sip:kw1@lab.local', displayName: 'Kim Expert' },
        servers: [sip.url],
        trustedRoutingPoints: [BILLING],
        historyDir,
        logger,
        agentOptions: FAST,
      });
    const kw2Agent = new SipAgent({
      account: { uri: 'sip:kw2@lab.local', servers: [sip.url] },
      logger,
      ...FAST,
    });
    const kw2 = new KwCore({
      agent: kw2Agent,
      history: new MemoryHistoryStore(),
      logger,
      initialPresence: 'busy',
      trustedRoutingPoints: ['sip:billing@lab.local'],
    });
    await kw2.start();
    stops.push(() => kw2.stop());
    const agentUa = new SipAgent({
      account: { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent', servers: [sip.url] },
      logger,
      ...FAST,
    });
    agentUa.start();
    stops.push(() => agentUa.stop(1000));
    const bot = new AgentBot({ agent: agentUa, logger });
    stops.push(async () => bot.dispose());
    const world: World = {
      logger,
      lab: {
        get url() {
          return sip.url;
        },
        domain: 'lab.local',
        router,
        killSip: () => sip.close(),
        restartSip: async () => {
          sip = await startSipServer({ port, logger });
        },
      },
      kw: await startKw(),
      historyDir,
      restartKw: async () => {
        await world.kw.close();
        world.kw = await startKw();
      },
      kw2,
      bot,
      openMain: async (page) => {
        await page.goto(world.kw.harness.mainUrl);
        await expect(page.getByTestId('connection-status')).toContainText(/registered/i);
      },
      openPreview: async (page) => {
        await page.goto(world.kw.harness.previewUrl);
      },
    };
    await expect
      .poll(() => agentUa.isRegistered && router.routingState('sip:kw1@lab.local').kind === 'Ready', {
        timeout: 15_000,
      })
      .toBe(true);
    await use(world);
    // Together: each graceful SIP stop waits ~2 s for JsSIP's transactions; the server goes last.
    await Promise.allSettled([world.kw.close(), ...stops.reverse().map((stop) => stop())]);
    await sip.close().catch(() => undefined);
  },
});

export { expect };

/** Screenshots a person looks at: kept under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: false });
}
