import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { memoryLogger } from '../../../main/core/log.js';
import {
  AppWindows,
  CALL_CARD_HEIGHT,
  CALL_GAP,
  CALL_PADDING,
  CALL_WIDTH,
  callBounds,
  PREVIEW_CARD_HEIGHT,
  PREVIEW_MARGIN,
  PREVIEW_PADDING,
  PREVIEW_WIDTH,
  previewBounds,
  secureWebPreferences,
} from '../../../main/electron/windows.js';
import { FakeBrowserWindow, FakeScreen } from './fake-electron.js';

function setup(options: { startHidden?: boolean; platform?: NodeJS.Platform; devTools?: boolean } = {}) {
  const created: FakeBrowserWindow[] = [];
  const attached: Array<{ id: number; kind: string }> = [];
  const ready = new Set<number>();
  const screen = new FakeScreen({ x: 0, y: 0, width: 1920, height: 1040 });
  const { logger, records } = memoryLogger();
  const deferred: Array<() => void> = [];
  const runDeferred = (): void => {
    for (const fn of deferred.splice(0)) fn();
  };
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
    defer: (fn) => deferred.push(fn),
    ...(options.startHidden !== undefined ? { startHidden: options.startHidden } : {}),
    ...(options.devTools !== undefined ? { devTools: options.devTools } : {}),
  });
  windows.open();
  const [main, preview, call] = created;
  if (!main || !preview || !call) throw new Error('windows not created');
  return { windows, created, attached, ready, screen, main, preview, call, records, runDeferred };
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

  it('no DevTools unless asked for', () => {
    expect(secureWebPreferences('/p.cjs').devTools).toBe(false);
    expect(secureWebPreferences('/p.cjs', true).devTools).toBe(true);
  });
});

describe('AppWindows', () => {
  it('creates the windows on our origin with the secure preferences, attached to the gateway', () => {
    const { main, preview, call, attached } = setup();
    expect(main.loaded).toBe('app://kw/main.html');
    expect(preview.loaded).toBe('app://kw/preview.html');
    expect(call.loaded).toBe('app://kw/call.html');
    const secure = secureWebPreferences('/app/dist/preload/electron-preload.cjs');
    for (const w of [main, preview]) expect(w.options.webPreferences).toEqual(secure);
    // The call popup's ringtone starts with no click.
    expect(call.options.webPreferences).toEqual({ ...secure, autoplayPolicy: 'no-user-gesture-required' });
    expect(attached).toEqual([
      { id: main.webContents.id, kind: 'main' },
      { id: preview.webContents.id, kind: 'preview' },
      { id: call.webContents.id, kind: 'call' },
    ]);
  });

  it('every window is created without DevTools unless the shell allows them', () => {
    const production = setup();
    for (const w of [production.main, production.preview, production.call])
      expect(w.options.webPreferences?.devTools).toBe(false);
    const development = setup({ devTools: true });
    for (const w of [development.main, development.preview, development.call])
      expect(w.options.webPreferences?.devTools).toBe(true);
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
    expect(created).toHaveLength(4);
    expect(created[3]?.loaded).toBe('app://kw/main.html');
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

  it('a crashed renderer is reloaded, after the event (electron/electron#51900)', () => {
    const { preview, records, runDeferred } = setup();
    preview.webContents.emit('render-process-gone', {}, { reason: 'crashed' });
    expect(preview.webContents.reloads).toBe(0);
    runDeferred();
    expect(preview.webContents.reloads).toBe(1);
    expect(records.some((r) => r.msg === 'renderer gone: reloading')).toBe(true);
  });

  it('on macOS the popup is visible over full-screen apps', () => {
    const { preview } = setup({ platform: 'darwin' });
    expect(preview.calls).toContain('setVisibleOnAllWorkspaces');
  });
});

describe('the call popup', () => {
  it('always on top, focusable, frameless, no taskbar entry, hidden until a call rings', () => {
    const { call } = setup();
    expect(call.options).toMatchObject({
      alwaysOnTop: true,
      focusable: true,
      skipTaskbar: true,
      frame: false,
      show: false,
    });
    expect(call.alwaysOnTop).toEqual({ flag: true, level: 'pop-up-menu' });
    expect(call.visible).toBe(false);
  });

  it('setCallPopup shows it without stealing focus, bottom-right; hides it; grows with ringing calls', () => {
    const { windows, call } = setup();
    windows.setRingingCalls(1);
    windows.setCallPopup(true);
    expect(call.calls).toContain('showInactive');
    expect(call.calls).not.toContain('show');
    expect(call.calls).not.toContain('focus');
    expect(call.focused).toBe(false);
    const one = CALL_PADDING + CALL_CARD_HEIGHT;
    expect(call.bounds).toEqual({
      x: 1920 - CALL_WIDTH - PREVIEW_MARGIN,
      y: 1040 - one - PREVIEW_MARGIN,
      width: CALL_WIDTH,
      height: one,
    });
    windows.setRingingCalls(2);
    expect(call.bounds.height).toBe(CALL_PADDING + 2 * CALL_CARD_HEIGHT);
    windows.setCallPopup(true);
    expect(call.calls.filter((c) => c === 'showInactive')).toHaveLength(1);
    windows.setCallPopup(false);
    expect(call.visible).toBe(false);
  });

  it('sits above the preview popup while previews show, and comes down when they go', () => {
    const { windows, call, preview } = setup();
    windows.setRingingCalls(1);
    windows.setCallPopup(true);
    windows.showPreviews(1);
    expect((call.bounds.y ?? 0) + (call.bounds.height ?? 0)).toBe((preview.bounds.y ?? 0) - CALL_GAP);
    windows.showPreviews(0);
    expect((call.bounds.y ?? 0) + (call.bounds.height ?? 0)).toBe(1040 - PREVIEW_MARGIN);
  });

  it('close hides it (unless quitting); a crashed renderer is reloaded', () => {
    const { windows, call, runDeferred } = setup();
    windows.setCallPopup(true);
    expect(call.userClose().defaultPrevented).toBe(true);
    expect(call.visible).toBe(false);
    call.webContents.emit('render-process-gone', {}, { reason: 'oom' });
    runDeferred();
    expect(call.webContents.reloads).toBe(1);
    windows.setQuitting();
    expect(call.userClose().defaultPrevented).toBe(false);
    windows.setCallPopup(true); // destroyed: nothing to show, no throw
    expect(windows.callWindow).toBeUndefined();
  });
});

describe('callBounds', () => {
  it('stays in the work area: over the previews rather than off the screen', () => {
    const area = { x: 0, y: 0, width: 800, height: 600 };
    const below = previewBounds(area, 2);
    const b = callBounds(area, 3, below);
    expect(b.y).toBe(PREVIEW_MARGIN);
    expect(b.y + b.height).toBeLessThanOrEqual(600 - PREVIEW_MARGIN);
    expect(b.x + b.width).toBe(800 - PREVIEW_MARGIN);
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
