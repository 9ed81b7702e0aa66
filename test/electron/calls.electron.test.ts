/**
 * The call windows of the KW Desktop in a real Electron: the hidden media
 * window (app://kw/media.html, its own preload) says hello to main over IPC,
 * so `devices.list` from the main window reports media available with the
 * fake devices' labels; the microphone opens in the media page only (audio,
 * never video) and is refused to the main page; the call popup exists hidden,
 * always on top. Skips (one line) where no Electron binary is installed.
 */
import { test, expect, type Page } from '@playwright/test';
import { memoryLogger } from '../../main/core/log.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import type { KwApi } from '../../preload/contract.js';
import { electronBinary, SKIP_LINE } from './skip.js';
import { launchKwDesktop, windowAt } from './launch.js';

const binary = electronBinary();

/** getUserMedia in a page: the kinds of the tracks it got, or the error's name. */
function capture(page: Page, constraints: { audio: boolean; video?: boolean }): Promise<string> {
  return page.evaluate(async (c) => {
    interface Media {
      getUserMedia(c: object): Promise<{ getTracks(): Array<{ kind: string; stop(): void }> }>;
    }
    const media = (globalThis as unknown as { navigator: { mediaDevices: Media } }).navigator.mediaDevices;
    try {
      const stream = await media.getUserMedia(c);
      const kinds = stream.getTracks().map((t) => t.kind);
      for (const t of stream.getTracks()) t.stop();
      return kinds.join(',');
    } catch (error) {
      return (error as { name?: string }).name ?? 'Error';
    }
  }, constraints);
}

test.describe('KW Desktop calls in Electron', () => {
  test.skip(!binary, SKIP_LINE);

  test('hidden media window on IPC, microphone for the media page only, hidden call popup', async () => {
    if (!binary) return;
    const { logger } = memoryLogger('warn');
    const stops: Array<() => Promise<unknown>> = [];
    try {
      const sip = await startSipServer({ port: 0, logger });
      stops.push(() => sip.close());
      // Fake capture devices; no fake UI: the app's own permission handler decides.
      const app = await launchKwDesktop(binary, sip.url, {
        args: ['--use-fake-device-for-media-stream'],
      });
      stops.push(() => app.close());

      const main = await windowAt(app, 'app://kw/main.html');
      const media = await windowAt(app, 'app://kw/media.html');
      await windowAt(app, 'app://kw/call.html');

      // The media page has kwMedia and nothing else of ours.
      expect(
        await media.evaluate(() => {
          const g = globalThis as unknown as { kwMedia?: object; kw?: object; require?: unknown };
          return { kwMedia: typeof g.kwMedia, kw: typeof g.kw, require: typeof g.require };
        }),
      ).toEqual({ kwMedia: 'object', kw: 'undefined', require: 'undefined' });

      // The host said hello over IPC: main reports media available, device labels included.
      const devices = () => main.evaluate(() => (globalThis as unknown as { kw: KwApi }).kw.devices.list({}));
      await expect.poll(async () => (await devices()).available, { timeout: 20_000 }).toBe(true);
      const listed = await devices();
      expect(listed.inputs.length).toBeGreaterThan(0);
      expect(listed.inputs.some((d) => d.label !== '')).toBe(true);

      expect(await capture(media, { audio: true })).toBe('audio');
      expect(await capture(media, { audio: true, video: true })).toBe('NotAllowedError');
      expect(await capture(main, { audio: true })).toBe('NotAllowedError');

      const shown = await app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows().map((w) => ({
          url: w.webContents.getURL(),
          visible: w.isVisible(),
          onTop: w.isAlwaysOnTop(),
          throttled: w.webContents.getBackgroundThrottling(),
        })),
      );
      expect(shown).toContainEqual({
        url: 'app://kw/media.html',
        visible: false,
        onTop: false,
        throttled: false,
      });
      expect(shown).toContainEqual({
        url: 'app://kw/call.html',
        visible: false,
        onTop: true,
        throttled: true,
      });
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    }
  });
});
