/**
 * The windows with UI of the KW Desktop (the hidden media window is
 * media-window.ts):
 * - the main window (conversations, settings): close hides it to the tray
 *   unless the app is quitting;
 * - the preview popup: small, always on top, bottom-right of the primary
 *   display's work area, never focusable (shown with `showInactive()` so it
 *   never steals the keyboard from what the KW is typing), as tall as the
 *   number of previews needs, hidden when there are none;
 * - the call popup: the same corner, stacked above the preview popup when
 *   that one shows, as tall as the ringing calls need, shown while a call
 *   rings. Shown with `showInactive()` too (a call must not swallow what the
 *   KW is typing), but focusable, so once clicked Enter answers and Escape
 *   declines; its ringtone plays without a user gesture.
 * All load our own origin (`app://kw/...`) with a sandboxed, isolated
 * renderer and the preload; all are attached to the IPC gateway.
 */
import type { BrowserWindowConstructorOptions, Rectangle, WebPreferences } from 'electron';
import type { WindowKind } from '../../preload/contract.js';
import type { WindowControl } from '../app/ports.js';
import type { Logger } from '../core/log.js';
import type { GatewayWebContents } from './ipc-gateway.js';
import { pageUrl } from './security.js';

/**
 * The webPreferences of every window: isolated, sandboxed, no Node, web
 * security on; DevTools only when asked for (app-menu.ts devToolsAllowed:
 * never in a packaged build unless its developer flag is set).
 */
export function secureWebPreferences(preloadPath: string, devTools = false): WebPreferences {
  return {
    preload: preloadPath,
    devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: true,
  };
}

export const PREVIEW_WIDTH = 380;
export const PREVIEW_CARD_HEIGHT = 240;
export const PREVIEW_PADDING = 16;
export const PREVIEW_MARGIN = 12;

/** Where the popup goes for `count` previews: bottom-right of the work area, growing upwards. */
export function previewBounds(workArea: Rectangle, count: number): Rectangle {
  const wanted = PREVIEW_PADDING + Math.max(1, count) * PREVIEW_CARD_HEIGHT;
  const height = Math.max(1, Math.min(wanted, workArea.height - 2 * PREVIEW_MARGIN));
  const width = Math.min(PREVIEW_WIDTH, workArea.width - 2 * PREVIEW_MARGIN);
  return {
    x: Math.round(workArea.x + workArea.width - width - PREVIEW_MARGIN),
    y: Math.round(workArea.y + workArea.height - height - PREVIEW_MARGIN),
    width: Math.round(width),
    height: Math.round(height),
  };
}

export const CALL_WIDTH = 380;
export const CALL_CARD_HEIGHT = 240;
export const CALL_PADDING = 16;
/** Gap between the call popup and the preview popup below it. */
export const CALL_GAP = 8;

/**
 * Where the call popup goes for `count` ringing calls: bottom-right, above
 * the preview popup when that one is visible (`below` is its bounds), never
 * outside the work area (it covers the previews rather than leave the screen).
 */
export function callBounds(workArea: Rectangle, count: number, below?: Rectangle): Rectangle {
  const width = Math.min(CALL_WIDTH, workArea.width - 2 * PREVIEW_MARGIN);
  const bottom = below ? below.y - CALL_GAP : workArea.y + workArea.height - PREVIEW_MARGIN;
  const wanted = CALL_PADDING + Math.max(1, count) * CALL_CARD_HEIGHT;
  const maxHeight = workArea.height - 2 * PREVIEW_MARGIN;
  const height = Math.max(1, Math.min(wanted, maxHeight));
  const y = Math.max(workArea.y + PREVIEW_MARGIN, bottom - height);
  return {
    x: Math.round(workArea.x + workArea.width - width - PREVIEW_MARGIN),
    y: Math.round(y),
    width: Math.round(width),
    height: Math.round(height),
  };
}

/** What the two popups (preview, call) share: frameless, fixed, always on top, out of the taskbar, shown by us. */
const POPUP_FRAME = {
  show: false,
  frame: false,
  resizable: false,
  movable: false,
  minimizable: false,
  maximizable: false,
  fullscreenable: false,
  skipTaskbar: true,
  alwaysOnTop: true,
} as const satisfies BrowserWindowConstructorOptions;

export function mainWindowOptions(preloadPath: string, devTools = false): BrowserWindowConstructorOptions {
  return {
    title: 'KW Desktop',
    width: 1040,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    webPreferences: secureWebPreferences(preloadPath, devTools),
  };
}

export function previewWindowOptions(
  preloadPath: string,
  bounds: Rectangle,
  devTools = false,
): BrowserWindowConstructorOptions {
  return {
    title: 'KW Desktop — expert request',
    ...bounds,
    ...POPUP_FRAME,
    focusable: false,
    webPreferences: secureWebPreferences(preloadPath, devTools),
  };
}

export function callWindowOptions(
  preloadPath: string,
  bounds: Rectangle,
  devTools = false,
): BrowserWindowConstructorOptions {
  return {
    title: 'KW Desktop — incoming call',
    ...bounds,
    ...POPUP_FRAME,
    focusable: true,
    // The ringtone (WebAudio) starts when a call arrives, never after a click.
    webPreferences: {
      ...secureWebPreferences(preloadPath, devTools),
      autoplayPolicy: 'no-user-gesture-required',
    },
  };
}

export type ShellWebContents = GatewayWebContents & {
  reload(): void;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string }) => void): unknown;
};

/** What this module uses of a BrowserWindow. */
export interface ShellWindow {
  readonly webContents: ShellWebContents;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
  loadURL(url: string): Promise<void>;
  show(): void;
  showInactive(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  setBounds(bounds: Partial<Rectangle>): void;
  setAlwaysOnTop(flag: boolean, level?: 'floating' | 'pop-up-menu' | 'screen-saver'): void;
  setVisibleOnAllWorkspaces(visible: boolean, options?: { visibleOnFullScreen?: boolean }): void;
}

export interface ShellScreen {
  getPrimaryDisplay(): { readonly workArea: Rectangle };
  on(event: 'display-metrics-changed' | 'display-added' | 'display-removed', listener: () => void): unknown;
}

export interface WindowsDeps {
  readonly createWindow: (options: BrowserWindowConstructorOptions) => ShellWindow;
  readonly screen: ShellScreen;
  readonly preloadPath: string;
  /** Whether the windows may open DevTools (default: no). */
  readonly devTools?: boolean;
  readonly attach: (contents: GatewayWebContents, kind: WindowKind) => void;
  /** Whether a window's renderer has said it is ready (the gateway knows). */
  readonly isReady: (contentsId: number) => boolean;
  readonly logger: Logger;
  readonly platform: NodeJS.Platform;
  /** Start in the tray (login item): do not show the main window at start. */
  readonly startHidden?: boolean;
  /** Runs a crashed renderer's reload later (default: the next macrotask). */
  readonly defer?: (fn: () => void) => void;
}

export class AppWindows implements WindowControl {
  private main: ShellWindow | undefined;
  private preview: ShellWindow | undefined;
  private call: ShellWindow | undefined;
  private previewCount = 0;
  private ringingCount = 0;
  private quitting = false;

  constructor(private readonly deps: WindowsDeps) {}

  /** Creates the windows (after `app` is ready). */
  open(): void {
    this.main = this.createMain();
    this.preview = this.createPreview();
    this.call = this.createCall();
    const relayout = (): void => {
      this.layoutPreview();
      this.layoutCall();
    };
    this.deps.screen.on('display-metrics-changed', relayout);
    this.deps.screen.on('display-added', relayout);
    this.deps.screen.on('display-removed', relayout);
  }

  /** From `before-quit`: windows may close for real now. */
  setQuitting(): void {
    this.quitting = true;
  }

  get mainWindow(): ShellWindow | undefined {
    return this.main;
  }

  get previewWindow(): ShellWindow | undefined {
    return this.preview;
  }

  get callWindow(): ShellWindow | undefined {
    return this.call;
  }

  showMain(interactionId?: string): void {
    const win = this.main && !this.main.isDestroyed() ? this.main : (this.main = this.createMain(true));
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    if (interactionId) this.deps.logger.debug('main window shown for a conversation', { interactionId });
  }

  /** Shows (without focus), resizes or hides the popup for this number of pending previews. */
  showPreviews(count: number): void {
    this.previewCount = count;
    const win = this.preview;
    if (!win || win.isDestroyed()) return;
    if (count === 0) {
      if (win.isVisible()) win.hide();
    } else {
      this.layoutPreview();
      if (!win.isVisible()) win.showInactive();
    }
    // The call popup sits above the previews: it follows them.
    this.layoutCall();
  }

  /** How many calls ring (the popup's height); set before `setCallPopup`, from the `calls` event. */
  setRingingCalls(count: number): void {
    this.ringingCount = count;
    this.layoutCall();
  }

  /** WindowControl: the call popup shows (without taking focus) while a call rings. */
  setCallPopup(visible: boolean): void {
    const win = this.call;
    if (!win || win.isDestroyed()) return;
    if (!visible) {
      if (win.isVisible()) win.hide();
      return;
    }
    this.layoutCall();
    if (!win.isVisible()) win.showInactive();
  }

  /** Whether a preview pops where the KW can see it: popup there, visible, its renderer ready. */
  canShowPreviews(): boolean {
    const win = this.preview;
    return (
      win !== undefined && !win.isDestroyed() && win.isVisible() && this.deps.isReady(win.webContents.id)
    );
  }

  private layoutPreview(): void {
    const win = this.preview;
    if (!win || win.isDestroyed()) return;
    win.setBounds(previewBounds(this.deps.screen.getPrimaryDisplay().workArea, this.previewCount));
  }

  private layoutCall(): void {
    const win = this.call;
    if (!win || win.isDestroyed()) return;
    const preview = this.preview;
    const below =
      preview && !preview.isDestroyed() && preview.isVisible() && this.previewCount > 0
        ? previewBounds(this.deps.screen.getPrimaryDisplay().workArea, this.previewCount)
        : undefined;
    win.setBounds(callBounds(this.deps.screen.getPrimaryDisplay().workArea, this.ringingCount, below));
  }

  private createMain(showWhenReady = !this.deps.startHidden): ShellWindow {
    const win = this.deps.createWindow(mainWindowOptions(this.deps.preloadPath, this.deps.devTools));
    this.prepare(win, 'main');
    win.on('close', (event) => {
      if (this.quitting) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => {
      if (this.main === win) this.main = undefined;
    });
    if (showWhenReady) win.once('ready-to-show', () => win.show());
    return win;
  }

  private createPreview(): ShellWindow {
    const bounds = previewBounds(this.deps.screen.getPrimaryDisplay().workArea, 1);
    const win = this.deps.createWindow(
      previewWindowOptions(this.deps.preloadPath, bounds, this.deps.devTools),
    );
    this.preparePopup(win, 'preview', () => {
      if (this.preview === win) this.preview = undefined;
    });
    return win;
  }

  private createCall(): ShellWindow {
    const bounds = callBounds(this.deps.screen.getPrimaryDisplay().workArea, 1);
    const win = this.deps.createWindow(callWindowOptions(this.deps.preloadPath, bounds, this.deps.devTools));
    this.preparePopup(win, 'call', () => {
      if (this.call === win) this.call = undefined;
    });
    return win;
  }

  /** A popup: above other apps (and full-screen ones on macOS); close only hides it. */
  private preparePopup(win: ShellWindow, kind: WindowKind, onClosed: () => void): void {
    this.prepare(win, kind);
    win.setAlwaysOnTop(true, 'pop-up-menu');
    if (this.deps.platform === 'darwin') win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    win.on('close', (event) => {
      if (this.quitting) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', onClosed);
  }

  private prepare(win: ShellWindow, kind: WindowKind): void {
    this.deps.attach(win.webContents, kind);
    win.webContents.on('render-process-gone', (_event, details) => {
      this.deps.logger.error('renderer gone: reloading', { window: kind, reason: details.reason });
      // Not from inside the event: a navigation while Electron still handles the process's
      // death can bring the browser process down (electron/electron#51900).
      const defer = this.deps.defer ?? ((fn: () => void) => void setTimeout(fn, 0));
      defer(() => {
        if (!win.isDestroyed()) win.webContents.reload();
      });
    });
    win.loadURL(pageUrl(kind)).catch((error: unknown) => {
      this.deps.logger.error('window failed to load', {
        window: kind,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
}
