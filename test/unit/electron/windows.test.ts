import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { memoryLogger } from '../../../main/core/log.js';
import {
  AppWindows,
  PREVIEW_CARD_HEIGHT,
  PREVIEW_MARGIN,
  PREVIEW_PADDING,
  PREVIEW_WIDTH,
  previewBounds,
  secureWebPreferences,
} from '../../../main/electron/windows.js';
import { FakeBrowserWindow, FakeScreen } from './fake-electron.js';

function setup(options: { startHidden?: boolean; platform?: NodeJS.Platform } = {}) {
  const created: FakeBrowserWindow[] = [];
  const attached: Array<{ id: number; kind: string }> = [];
  const ready = new Set<number>();
  const screen = new FakeScreen({ x: 0, y: 0, width: 1920, height: 1040 });
  const { logger, records } = memoryLogger();
  const windows = new AppWindows({
    createWindow: (o: BrowserWindowConstructorOptions) => {
      const w = new FakeBrowserWindow(o);
      created.push(w);
      return w;
    },
    screen,
    preloadPath: '/app/dist/preload/electron-preload.cjs',
    attach: (contents, kind) => attached.push({ id: contents.id, kind }),
    isReady: (id) => ready.has(id),
    logger,
    platform: options.platform ?? 'linux',
    ...(options.startHidden !== undefined ? { startHidden: options.startHidden } : {}),
  });
  windows.open();
  const [main, preview] = created;
  if (!main || !preview) throw new Error('windows not created');
  return { windows, created, attached, ready, screen, main, preview, records };
}

describe('secure web preferences', () => {
  it('isolated, sandboxed, no Node, web security on, our preload, throttling left alone', () => {
    const prefs = secureWebPreferences('/p.cjs');
    expect(prefs).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(prefs).not.toHaveProperty('backgroundThrottling');
  });
});

describe('AppWindows', () => {
  it('creates both windows on our origin with the secure preferences, attached to the gateway', () => {
    const { main, preview, attached } = setup();
    expect(main.loaded).toBe('app://kw/main.html');
    expect(preview.loaded).toBe('app://kw/preview.html');
    for (const w of [main, preview])
      expect(w.options.webPreferences).toEqual(
        secureWebPreferences('/app/dist/preload/electron-preload.cjs'),
      );
    expect(attached).toEqual([
      { id: main.webContents.id, kind: 'main' },
      { id: preview.webContents.id, kind: 'preview' },
    ]);
  });

  it('shows the main window when ready, unless started hidden', () => {
    const shown = setup();
    shown.main.emit('ready-to-show');
    expect(shown.main.visible).toBe(true);
    const hidden = setup({ startHidden: true });
    hidden.main.emit('ready-to-show');
    expect(hidden.main.visible).toBe(false);
  });

  it('close hides the main window to the tray, unless quitting', () => {
    const { windows, main } = setup();
    main.show();
    expect(main.userClose().defaultPrevented).toBe(true);
    expect(main.visible).toBe(false);
    expect(main.destroyed).toBe(false);
    windows.setQuitting();
    expect(main.userClose().defaultPrevented).toBe(false);
    expect(main.destroyed).toBe(true);
  });

  it('showMain restores, shows and focuses; recreates the window if it was closed', () => {
    const { windows, main, created } = setup();
    main.minimized = true;
    windows.showMain('a-1');
    expect(main.minimized).toBe(false);
    expect(main.visible && main.focused).toBe(true);
    windows.setQuitting();
    main.userClose();
    windows.showMain();
    expect(created).toHaveLength(3);
    expect(created[2]?.loaded).toBe('app://kw/main.html');
  });

  it('the popup: always on top, not focusable, no taskbar entry, frameless', () => {
    const { preview } = setup();
    expect(preview.options).toMatchObject({
      alwaysOnTop: true,
      focusable: false,
      skipTaskbar: true,
      frame: false,
      show: false,
    });
    expect(preview.alwaysOnTop?.flag).toBe(true);
  });

  it('pops without focus at the bottom right, grows with the previews, hides at none', () => {
    const { windows, preview } = setup();
    windows.showPreviews(1);
    expect(preview.calls).toContain('showInactive');
    expect(preview.calls).not.toContain('show');
    expect(preview.calls).not.toContain('focus');
    expect(preview.focused).toBe(false);
    const one = PREVIEW_PADDING + PREVIEW_CARD_HEIGHT;
    expect(preview.bounds).toEqual({
      x: 1920 - PREVIEW_WIDTH - PREVIEW_MARGIN,
      y: 1040 - one - PREVIEW_MARGIN,
      width: PREVIEW_WIDTH,
      height: one,
    });
    windows.showPreviews(2);
    expect(preview.bounds.height).toBe(PREVIEW_PADDING + 2 * PREVIEW_CARD_HEIGHT);
    expect(preview.calls.filter((c) => c === 'showInactive')).toHaveLength(1);
    windows.showPreviews(0);
    expect(preview.visible).toBe(false);
  });

  it('follows the work area when displays change', () => {
    const { windows, preview, screen } = setup();
    windows.showPreviews(1);
    screen.workArea = { x: 100, y: 50, width: 1280, height: 720 };
    screen.emit('display-metrics-changed');
    expect(preview.bounds.x).toBe(100 + 1280 - PREVIEW_WIDTH - PREVIEW_MARGIN);
  });

  it('can show previews only when the popup is visible and its renderer ready', () => {
    const { windows, preview, ready } = setup();
    expect(windows.canShowPreviews()).toBe(false);
    windows.showPreviews(1);
    expect(windows.canShowPreviews()).toBe(false);
    ready.add(preview.webContents.id);
    expect(windows.canShowPreviews()).toBe(true);
    preview.visible = false; // failed to show
    expect(windows.canShowPreviews()).toBe(false);
  });

  it('a crashed renderer is reloaded', () => {
    const { preview, records } = setup();
    preview.webContents.emit('render-process-gone', {}, { reason: 'crashed' });
    expect(preview.webContents.reloads).toBe(1);
    expect(records.some((r) => r.msg === 'renderer gone: reloading')).toBe(true);
  });

  it('on macOS the popup is visible over full-screen apps', () => {
    const { preview } = setup({ platform: 'darwin' });
    expect(preview.calls).toContain('setVisibleOnAllWorkspaces');
  });
});

describe('previewBounds', () => {
  it('never leaves the work area, however many previews', () => {
    const area = { x: 0, y: 0, width: 800, height: 600 };
    const b = previewBounds(area, 10);
    expect(b.y).toBe(PREVIEW_MARGIN);
    expect(b.height).toBe(600 - 2 * PREVIEW_MARGIN);
    expect(b.x + b.width).toBe(800 - PREVIEW_MARGIN);
  });
});
