/**
 * The hidden media window (docs/design.md §3): the renderer that holds the real
 * RTCPeerConnections and the microphone, created with the app, never shown,
 * not throttled in the background, sandboxed, with its own preload
 * (preload/media-preload.ts, `window.kwMedia`) and no `window.kw`.
 *
 * Main talks to it through a `MediaHostLink` over two IPC channels
 * (preload/media-bridge.ts). A link stands for one page load of one window:
 * - a message is accepted only from that window's top frame showing
 *   `app://kw/media.html` (the gateway's frame rule); others are refused and
 *   logged;
 * - it closes, with a reason, when the renderer goes away
 *   (`render-process-gone`), the webContents is destroyed, or the page
 *   reloads after it has spoken (the host's state is gone with the page);
 * - each new link is handed to `onLink` (the composition attaches it to the
 *   media bridge, which waits for the host's hello).
 * A crashed renderer is replaced by a new window after a backoff; after
 * `maxRestarts` crashes in a row (a window that lived `stableMs` resets the
 * count) it gives up and calls stay unavailable (the core answers 480).
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { MediaHostLink, ToHost } from '../../wire/media-host.js';
import type { Logger } from '../core/log.js';
import { IPC_CHANNELS } from '../../preload/ipc-channels.js';
import { frameProblem, type GatewayFrame, type GatewayInvokeEvent } from './ipc-gateway.js';
import { PAGES, pageUrl } from './security.js';
import { secureWebPreferences } from './windows.js';

export function mediaWindowOptions(preloadPath: string, devTools = false): BrowserWindowConstructorOptions {
  return {
    title: 'KW Desktop media',
    width: 320,
    height: 200,
    show: false,
    skipTaskbar: true,
    focusable: false,
    webPreferences: {
      ...secureWebPreferences(preloadPath, devTools),
      // Calls run while the window is hidden: no timer throttling, and remote
      // audio plays without a user gesture (nobody can click a hidden window).
      backgroundThrottling: false,
      autoplayPolicy: 'no-user-gesture-required',
      spellcheck: false,
    },
  };
}

/** What the media window uses of a webContents. */
export interface MediaWebContents {
  readonly id: number;
  readonly mainFrame: GatewayFrame;
  isDestroyed(): boolean;
  send(channel: string, message: unknown): void;
  on(
    event: 'render-process-gone',
    listener: (event: unknown, details: { readonly reason: string; readonly exitCode: number }) => void,
  ): unknown;
  on(event: 'destroyed', listener: () => void): unknown;
  on(
    event: 'did-start-navigation',
    listener: (details: {
      readonly url: string;
      readonly isMainFrame: boolean;
      readonly isSameDocument: boolean;
    }) => void,
  ): unknown;
  on(
    event: 'did-fail-load',
    listener: (event: unknown, errorCode: number, errorDescription: string, validatedURL: string) => void,
  ): unknown;
}

/** What the media window uses of a BrowserWindow. */
export interface MediaShellWindow {
  readonly webContents: MediaWebContents;
  on(event: 'closed', listener: () => void): unknown;
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  destroy(): void;
}

export type MediaIpcListener = (event: GatewayInvokeEvent, message: unknown) => void;

/** What the media window uses of `ipcMain`. */
export interface MediaIpcMain {
  on(channel: string, listener: MediaIpcListener): unknown;
  removeListener(channel: string, listener: MediaIpcListener): unknown;
}

export interface MediaTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface MediaWindowDeps {
  readonly createWindow: (options: BrowserWindowConstructorOptions) => MediaShellWindow;
  readonly ipcMain: MediaIpcMain;
  /** dist/preload/media-preload.cjs */
  readonly preloadPath: string;
  /** Whether the window may open DevTools (default: no). */
  readonly devTools?: boolean;
  readonly logger: Logger;
  /** Each new link (first window, after a reload, after a crash). */
  readonly onLink: (link: MediaHostLink) => void;
  readonly timers?: MediaTimers;
  /** Crashes in a row before giving up (default 5). */
  readonly maxRestarts?: number;
  /** First restart delay, doubled each time (default 1000 ms) up to maxDelayMs (default 30 s). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A window that lived this long resets the crash count (default 60 s). */
  readonly stableMs?: number;
}

const realTimers: MediaTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

/** Main's end of the IPC to one page load of the media window. */
class IpcMediaLink implements MediaHostLink {
  private readonly messageListeners = new Set<(message: unknown) => void>();
  private readonly closedListeners = new Set<(reason: string) => void>();
  private closedReason: string | undefined;
  /** The host has said something: a reload now loses its state. */
  spoken = false;

  constructor(
    readonly contents: MediaWebContents,
    private readonly logger: Logger,
  ) {}

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  send(message: ToHost): void {
    if (this.closed || this.contents.isDestroyed()) return;
    try {
      this.contents.send(IPC_CHANNELS.mediaToHost, message);
    } catch (error) {
      // The interface promises send never throws; a failed send is a lost host soon anyway.
      this.logger.warn('media ipc send failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  onMessage(listener: (message: unknown) => void): () => void {
    if (this.closed) return () => undefined;
    this.messageListeners.add(listener);
    return () => void this.messageListeners.delete(listener);
  }

  onClosed(listener: (reason: string) => void): () => void {
    const reason = this.closedReason;
    if (reason !== undefined) {
      queueMicrotask(() => listener(reason));
      return () => undefined;
    }
    this.closedListeners.add(listener);
    return () => void this.closedListeners.delete(listener);
  }

  deliver(message: unknown): void {
    if (this.closed) return;
    this.spoken = true;
    for (const listener of [...this.messageListeners]) listener(message);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closedReason = reason;
    const listeners = [...this.closedListeners];
    this.closedListeners.clear();
    this.messageListeners.clear();
    for (const listener of listeners) listener(reason);
  }
}

export class MediaWindowHost {
  private window: MediaShellWindow | undefined;
  /** A dead window waiting for the restart timer to destroy it. */
  private dying: MediaShellWindow | undefined;
  private link: IpcMediaLink | undefined;
  private restartTimer: unknown;
  private crashes = 0;
  private createdAt = 0;
  private started = false;
  private disposed = false;
  private quitting = false;
  private readonly timers: MediaTimers;

  constructor(private readonly deps: MediaWindowDeps) {
    this.timers = deps.timers ?? realTimers;
  }

  /** Registers the IPC listener and creates the window (after `app` is ready). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.deps.ipcMain.on(IPC_CHANNELS.mediaFromHost, this.receive);
    this.create();
  }

  /** From `before-quit`: the window keeps working until dispose, but a closed one is not recreated. */
  setQuitting(): void {
    this.quitting = true;
  }

  /** Quitting: closes the link, destroys the window, never recreates it. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.restartTimer !== undefined) this.timers.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.deps.ipcMain.removeListener(IPC_CHANNELS.mediaFromHost, this.receive);
    this.link?.close('the app is quitting');
    const win = this.window ?? this.dying;
    this.window = undefined;
    this.dying = undefined;
    if (win && !win.isDestroyed()) win.destroy();
  }

  get mediaWindow(): MediaShellWindow | undefined {
    return this.window;
  }

  /** The `kw:media:from-host` listener: only the current window's top media frame gets through. */
  private readonly receive: MediaIpcListener = (event, message) => {
    const link = this.link;
    const win = this.window;
    const refuse = (reason: string): void => {
      this.deps.logger.warn('media ipc refused: bad sender', {
        reason,
        webContents: event.sender.id,
        url: event.senderFrame?.url.slice(0, 200),
      });
    };
    if (!link || link.closed || !win || win.isDestroyed() || event.sender.id !== link.contents.id) {
      refuse('not the media window');
      return;
    }
    const problem = frameProblem(link.contents, event.senderFrame, PAGES.media);
    if (problem) {
      refuse(problem);
      return;
    }
    link.deliver(message);
  };

  private create(): void {
    const logger = this.deps.logger;
    const win = this.deps.createWindow(mediaWindowOptions(this.deps.preloadPath, this.deps.devTools));
    this.window = win;
    this.createdAt = this.timers.now();
    const contents = win.webContents;
    const mine = (): boolean => this.window === win && !this.disposed;

    contents.on('did-start-navigation', (details) => {
      if (!mine() || !details.isMainFrame || details.isSameDocument) return;
      // The first load (and a reload before the host spoke) keeps its link: nothing was lost.
      if (this.link && !this.link.closed && !this.link.spoken) return;
      this.replaceLink(contents, 'the media page reloaded');
    });
    contents.on('render-process-gone', (_event, details) => {
      if (!mine()) return;
      logger.error('media window renderer gone', { reason: details.reason, exitCode: details.exitCode });
      this.link?.close(`media window renderer gone (${details.reason})`);
      this.restartLater(win);
    });
    contents.on('destroyed', () => {
      if (this.link?.contents === contents) this.link.close('media window destroyed');
    });
    contents.on('did-fail-load', (_event, errorCode, errorDescription, url) => {
      if (mine())
        logger.error('media page failed to load', { errorCode, errorDescription, url: url.slice(0, 200) });
    });
    win.on('closed', () => {
      if (!mine()) return;
      logger.warn('media window closed: recreating it');
      this.link?.close('media window closed');
      this.restartLater(win);
    });

    this.replaceLink(contents);
    win.loadURL(pageUrl('media')).catch((error: unknown) => {
      logger.error('media window failed to load', {
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }

  private replaceLink(contents: MediaWebContents, closeReason?: string): void {
    if (closeReason) this.link?.close(closeReason);
    const link = new IpcMediaLink(contents, this.deps.logger);
    this.link = link;
    this.deps.onLink(link);
  }

  private restartLater(win: MediaShellWindow): void {
    if (this.window !== win || this.restartTimer !== undefined) return;
    this.window = undefined;
    this.dying = win;
    if (this.timers.now() - this.createdAt >= (this.deps.stableMs ?? 60_000)) this.crashes = 0;
    const max = this.deps.maxRestarts ?? 5;
    const giveUp = this.quitting || this.crashes >= max;
    const delay = giveUp
      ? 0
      : Math.min((this.deps.baseDelayMs ?? 1000) * 2 ** this.crashes, this.deps.maxDelayMs ?? 30_000);
    if (this.quitting) {
      this.deps.logger.info('media window gone while quitting: not recreated');
    } else if (giveUp) {
      this.deps.logger.error('media window keeps failing: giving up; calls are unavailable', {
        restarts: this.crashes,
      });
    } else {
      this.crashes += 1;
      this.deps.logger.info('media window: recreating', { inMs: delay, attempt: this.crashes });
    }
    // The dead window goes in the timer, not inside its own event: destroying or navigating
    // while Electron still handles the process's death can crash it (electron/electron#51900).
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = undefined;
      this.dying = undefined;
      if (!win.isDestroyed()) win.destroy();
      if (!giveUp && !this.disposed) this.create();
    }, delay);
  }
}
