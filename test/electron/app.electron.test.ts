/**
 * The packaged-shape KW Desktop in a real Electron: the lab (SIP server +
 * router with kw1 as the only member) on loopback, the app launched on
 * dist/main/index.cjs with its own userData (settings written in the app's
 * own file format, pointing at the lab), an agent bot asking for an expert.
 * Sees the main window and the preview popup, accepts the preview in the
 * popup, and finds the chat in the main window. Skips (one line) where no
 * Electron binary is installed.
 */
import { test, expect } from '@playwright/test';
import { memoryLogger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import { FAST_AGENT, startTestRouter } from '../support/test-router.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { electronBinary, SKIP_LINE } from './skip.js';
import { launchKwDesktop, windowAt } from './launch.js';
import type { KwApi } from '../../preload/contract.js';

const binary = electronBinary();
const FAST = FAST_AGENT;

test.describe('KW Desktop in Electron', () => {
  test.skip(!binary, SKIP_LINE);

  test('main window and preview popup; a preview is accepted in the popup and opens the chat', async () => {
    if (!binary) return;
    const { logger } = memoryLogger('warn');
    const stops: Array<() => Promise<unknown>> = [];
    try {
      const sip = await startSipServer({ port: 0, logger });
      stops.push(() => sip.close());
      const router = await startTestRouter(
        sip.url,
        [
          {
            uri: 'billing',
            strategy: 'round-robin',
            members: ['kw1'],
            previewTimeoutSeconds: 20,
            waitForAvailableSeconds: 2,
          },
        ],
        logger,
      );
      stops.push(() => router.close());

      const app = await launchKwDesktop(binary, sip.url);
      stops.push(() => app.close());

      const main = await windowAt(app, 'app://kw/main.html');
      const popup = await windowAt(app, 'app://kw/preview.html');
      await expect(main.getByTestId('connection-status')).toContainText(/registered/i);
      // The renderer sees tasks only: no Node, no ipcRenderer.
      expect(await main.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
        'undefined',
      );
      expect(
        await main.evaluate(() => Object.keys((globalThis as unknown as { kw: object }).kw).sort()),
      ).toContain('previews');
      // Least privilege: the popup may read the sounds setting, never change the settings.
      const popupTries = await popup.evaluate(async () => {
        const kw = (globalThis as unknown as { kw: KwApi }).kw;
        const sounds = (await kw.settings.get({})).sounds;
        const save = await kw.settings
          .save({
            account: { uri: 'sip:mallory@lab.local', authUser: '', displayName: 'M' },
            servers: ['ws://127.0.0.1:9'],
            idleMinutes: 0,
            startAtLogin: false,
            sounds: true,
          })
          .then(
            () => 'saved',
            (error: unknown) => (error instanceof Error ? error.message : String(error)),
          );
        return { sounds, save };
      });
      expect(popupTries).toEqual({ sounds: false, save: 'the preview window may not call settings.save' });
      // Not packaged here: the app's own menu (Developer on Linux), never Electron's default View menu.
      const menus = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.items.map((i) => i.label));
      expect(menus ?? []).not.toContain('View');

      const agentUa = new SipAgent({
        account: { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent', servers: [sip.url] },
        logger,
        ...FAST,
      });
      agentUa.start();
      stops.push(() => agentUa.stop(1000));
      const bot = new AgentBot({ agent: agentUa, logger });
      stops.push(async () => bot.dispose());
      await expect
        .poll(() => agentUa.isRegistered && router.routingState('sip:kw1@lab.local').kind === 'Ready', {
          timeout: 20_000,
        })
        .toBe(true);

      const asked = bot.askExpert('sip:billing@lab.local', {
        text: 'Customer disputes invoice 42',
        subject: 'Invoice dispute',
      });
      const card = popup.getByTestId('preview-card');
      await expect(card).toBeVisible();
      await expect(card).toContainText('Invoice dispute');
      const shown = await app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows().map((w) => ({
          url: w.webContents.getURL(),
          visible: w.isVisible(),
          onTop: w.isAlwaysOnTop(),
          focusable: w.isFocusable(),
        })),
      );
      expect(shown).toContainEqual({
        url: 'app://kw/preview.html',
        visible: true,
        onTop: true,
        focusable: false,
      });

      await popup.getByTestId('accept').click();
      const outcome = await asked;
      expect(outcome.kind).toBe('routed');
      await expect(card).toHaveCount(0);
      await expect(main.getByTestId('chat-view')).toBeVisible();
      await expect(main.getByTestId('chat-subject')).toContainText('Invoice dispute');
      await main.screenshot({ path: 'test-results/screenshots/electron-main.png' });
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    }
  });
});
