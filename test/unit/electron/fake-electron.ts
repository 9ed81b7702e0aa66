/**
 * A FAKE of the few parts of the `electron` module the shell uses — not
 * Electron. No Electron binary can run on this machine, so the shell's
 * modules take their Electron objects by injection, typed against Electron's
 * own types (the interfaces in main/electron/* are Picks of them), and these
 * fakes implement exactly those interfaces. Passing a test here means the
 * shell's logic is right against Electron's *types*, not that Electron ran.
 */
import type * as Electron from 'electron';
import type { GatewayFrame, GatewayInvokeEvent, GatewayIpcMain } from '../../../main/electron/ipc-gateway.js';
import type { HardenableContents, SecurityApp, SecuritySession } from '../../../main/electron/security.js';
import type { ShellScreen, ShellWebContents, ShellWindow } from '../../../main/electron/windows.js';
import type { ShellTray } from '../../../main/electron/tray.js';
import type { SecretSafeStorage } from '../../../main/electron/secret-store.js';
import type { ShellPowerMonitor } from '../../../main/electron/power.js';
import type { ShellNotification } from '../../../main/electron/notifications.js';
import type { SingleInstanceApp } from '../../../main/electron/single-instance.js';
import type { ShellMenu } from '../../../main/electron/app-menu.js';
import type {
  MediaIpcListener,
  MediaIpcMain,
  MediaShellWindow,
  MediaTimers,
} from '../../../main/electron/media-window.js';
import type { CommandResult } from '../../../main/app/run-command.js';
import type { AutoUpdater, UpdaterLog, UpdateTimers } from '../../../main/electron/updater.js';

type Listener = (...args: never[]) => void;

/** A minimal event emitter for the fakes (`on` / `once` / `emit`). */
export class FakeEmitter {
  private readonly listeners = new Map<string, Array<{ fn: Listener; once: boolean }>>();

  on(event: string, listener: Listener): this {
    this.add(event, listener, false);
    return this;
  }

  once(event: string, listener: Listener): this {
    this.add(event, listener, true);
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    this.listeners.set(
      event,
      list.filter((l) => l.fn !== listener),
    );
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    const list = this.listeners.get(event) ?? [];
    this.listeners.set(
      event,
      list.filter((l) => !l.once),
    );
    for (const l of list) (l.fn as (...a: unknown[]) => void)(...args);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  private add(event: string, fn: Listener, once: boolean): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ fn, once });
    this.listeners.set(event, list);
  }
}

/** A fake Electron `Event` with preventDefault. */
export function fakeEvent(): { preventDefault(): void; defaultPrevented: boolean } {
  const e = {
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true;
    },
  };
  return e;
}

export class FakeFrame implements GatewayFrame {
  constructor(
    public url: string,
    readonly processId: number,
    readonly routingId: number,
    readonly parent: FakeFrame | null = null,
  ) {}
}

let nextContentsId = 1;

/** A fake WebContents: records what was sent, lets tests fire its events. */
export class FakeWebContents extends FakeEmitter implements ShellWebContents, HardenableContents {
  readonly id = nextContentsId++;
  readonly mainFrame: FakeFrame;
  readonly sent: Array<{ channel: string; message: unknown }> = [];
  destroyed = false;
  reloads = 0;
  devToolsOpen = false;
  windowOpenHandler: ((details: Electron.HandlerDetails) => Electron.WindowOpenHandlerResponse) | undefined;

  constructor(url = 'app://kw/main.html') {
    super();
    this.mainFrame = new FakeFrame(url, 100 + this.id, 1);
  }

  send(channel: string, message: unknown): void {
    this.sent.push({ channel, message });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  reload(): void {
    this.reloads += 1;
  }

  /** What a user pressing the DevTools shortcut (or a debugger attaching) does. */
  openDevTools(): void {
    this.devToolsOpen = true;
    this.emit('devtools-opened');
  }

  closeDevTools(): void {
    this.devToolsOpen = false;
  }

  setWindowOpenHandler(
    handler: (details: Electron.HandlerDetails) => Electron.WindowOpenHandlerResponse,
  ): void {
    this.windowOpenHandler = handler;
  }

  /** A child frame of this page (an iframe). */
  subframe(url: string): FakeFrame {
    return new FakeFrame(url, this.mainFrame.processId, 2, this.mainFrame);
  }

  /** An invoke event as Electron would build it for a message from `frame`. */
  invokeEvent(frame: FakeFrame | null = this.mainFrame): GatewayInvokeEvent {
    return { sender: { id: this.id }, senderFrame: frame };
  }
}

export class FakeIpcMain implements GatewayIpcMain, MediaIpcMain {
  readonly handlers = new Map<
    string,
    (event: GatewayInvokeEvent, request: unknown) => Promise<CommandResult>
  >();
  readonly listeners = new Map<string, Set<MediaIpcListener>>();

  on(channel: string, listener: MediaIpcListener): this {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return this;
  }

  removeListener(channel: string, listener: MediaIpcListener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  /** What `ipcRenderer.send(channel, message)` from that event's frame would deliver. */
  emitFrom(channel: string, event: GatewayInvokeEvent, message: unknown): void {
    for (const listener of [...(this.listeners.get(channel) ?? [])]) listener(event, message);
  }

  handle(
    channel: string,
    listener: (event: GatewayInvokeEvent, request: unknown) => Promise<CommandResult>,
  ): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What `ipcRenderer.invoke(channel, request)` from that event's frame would get. */
  invoke(channel: string, event: GatewayInvokeEvent, request: unknown): Promise<CommandResult> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return handler(event, request);
  }
}

export class FakeBrowserWindow extends FakeEmitter implements ShellWindow, MediaShellWindow {
  readonly webContents: FakeWebContents;
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  bounds: Partial<Electron.Rectangle>;
  loaded: string | undefined;
  alwaysOnTop: { flag: boolean; level: string | undefined } | undefined;
  readonly calls: string[] = [];

  constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
    super();
    this.webContents = new FakeWebContents('about:blank');
    this.bounds = { x: options.x, y: options.y, width: options.width, height: options.height };
  }

  loadURL(url: string): Promise<void> {
    this.loaded = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.calls.push('show');
    this.visible = true;
    this.focused = this.options.focusable !== false;
  }
  showInactive(): void {
    this.calls.push('showInactive');
    this.visible = true;
  }
  hide(): void {
    this.calls.push('hide');
    this.visible = false;
  }
  focus(): void {
    this.calls.push('focus');
    if (this.options.focusable !== false) this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Like Electron: no `close` event, `closed` fires, the webContents is destroyed too. */
  destroy(): void {
    if (this.destroyed) return;
    this.calls.push('destroy');
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
    this.webContents.destroyed = true;
    this.webContents.emit('destroyed');
  }
  setBounds(bounds: Partial<Electron.Rectangle>): void {
    this.bounds = { ...this.bounds, ...bounds };
  }
  setAlwaysOnTop(flag: boolean, level?: 'floating' | 'pop-up-menu' | 'screen-saver'): void {
    this.alwaysOnTop = { flag, level };
  }
  setVisibleOnAllWorkspaces(): void {
    this.calls.push('setVisibleOnAllWorkspaces');
  }
  /** What the user clicking the window's close button does. */
  userClose(): { defaultPrevented: boolean } {
    const event = fakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) {
      this.destroyed = true;
      this.visible = false;
      this.emit('closed');
    }
    return event;
  }
}

export class FakeScreen extends FakeEmitter implements ShellScreen {
  constructor(public workArea: Electron.Rectangle = { x: 0, y: 0, width: 1920, height: 1040 }) {
    super();
  }
  getPrimaryDisplay(): { readonly workArea: Electron.Rectangle } {
    return { workArea: this.workArea };
  }
}

type PermissionRequestHandler = Parameters<SecuritySession['setPermissionRequestHandler']>[0];
type PermissionCheckHandler = Parameters<SecuritySession['setPermissionCheckHandler']>[0];
type HeadersListener = Parameters<SecuritySession['webRequest']['onHeadersReceived']>[0];

type DevicePermissionHandler = Parameters<SecuritySession['setDevicePermissionHandler']>[0];

export class FakeSession implements SecuritySession {
  requestHandler: PermissionRequestHandler | undefined;
  checkHandler: PermissionCheckHandler | undefined;
  deviceHandler: DevicePermissionHandler | undefined;
  headersListener: HeadersListener | undefined;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener): void => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler): void {
    this.checkHandler = handler;
  }
  setDevicePermissionHandler(handler: DevicePermissionHandler): void {
    this.deviceHandler = handler;
  }
  /** What `resolveProxy` answers (Chromium's PAC-style string) and the URLs it was asked about. */
  proxyAnswer = 'DIRECT';
  readonly proxyLookups: string[] = [];
  resolveProxy(url: string): Promise<string> {
    this.proxyLookups.push(url);
    return Promise.resolve(this.proxyAnswer);
  }
}

export class FakeShell implements Pick<Electron.Shell, 'openExternal'> {
  readonly opened: string[] = [];
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }
}

export class FakeApp
  extends FakeEmitter
  implements
    SecurityApp,
    SingleInstanceApp,
    Pick<Electron.App, 'setLoginItemSettings' | 'isPackaged' | 'setAsDefaultProtocolClient'>
{
  isPackaged = true;
  lock = true;
  readonly loginItemSettings: Electron.Settings[] = [];
  readonly protocolClients: Array<{ protocol: string; path?: string; args?: string[] }> = [];
  /** What setAsDefaultProtocolClient answers (false: the registry refused). */
  protocolClientAnswer = true;
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
    this.protocolClients.push({
      protocol,
      ...(path !== undefined ? { path } : {}),
      ...(args !== undefined ? { args } : {}),
    });
    return this.protocolClientAnswer;
  }
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  setLoginItemSettings(settings: Electron.Settings): void {
    this.loginItemSettings.push(settings);
  }
}

export interface FakeImage {
  readonly png1x: Buffer;
  readonly png2x: Buffer;
}

export interface FakeMenu {
  readonly template: Electron.MenuItemConstructorOptions[];
}

/** A fake `Menu` (the static part app-menu.ts uses): records the application menu set. */
export class FakeMenuApi implements ShellMenu<FakeMenu> {
  applicationMenu: FakeMenu | null | undefined;
  buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): FakeMenu {
    return { template };
  }
  setApplicationMenu(menu: FakeMenu | null): void {
    this.applicationMenu = menu;
  }
}

export class FakeTray extends FakeEmitter implements ShellTray<FakeImage, FakeMenu> {
  image: FakeImage;
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: FakeImage) {
    super();
    this.image = image;
  }
  setImage(image: FakeImage): void {
    this.image = image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/**
 * A fake safeStorage: "encrypts" by XOR with a key and a marker prefix, so the
 * ciphertext never contains the plain text; availability and the Linux backend
 * are settable.
 */
export class FakeSafeStorage implements SecretSafeStorage {
  available = true;
  backend: ReturnType<Electron.SafeStorage['getSelectedStorageBackend']> = 'gnome_libsecret';
  encryptCalls = 0;
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  encryptString(plainText: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    this.encryptCalls += 1;
    const data = Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a);
    return Buffer.concat([Buffer.from('v10'), data]);
  }
  decryptString(encrypted: Buffer): string {
    if (!this.available) throw new Error('Decryption is not available.');
    if (encrypted.subarray(0, 3).toString() !== 'v10')
      throw new Error('Error while decrypting the ciphertext provided');
    return Buffer.from(encrypted.subarray(3).map((b) => b ^ 0x5a)).toString('utf8');
  }
  getSelectedStorageBackend(): ReturnType<Electron.SafeStorage['getSelectedStorageBackend']> {
    return this.backend;
  }
}

export class FakePowerMonitor extends FakeEmitter implements ShellPowerMonitor {
  idleSeconds = 0;
  getSystemIdleTime(): number {
    return this.idleSeconds;
  }
}

export class FakeNotification extends FakeEmitter implements ShellNotification {
  shown = false;
  closed = false;
  constructor(readonly options: Electron.NotificationConstructorOptions) {
    super();
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
}

/** Fake timers for the media window's backoff: run by hand, with a settable clock. */
export class FakeTimers implements MediaTimers {
  time = 0;
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; at: number; ms: number }>();
  setTimeout(fn: () => void, ms: number): number {
    const id = this.next++;
    this.pending.set(id, { fn, at: this.time + ms, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  now(): number {
    return this.time;
  }
  /** The delays of the timers waiting now. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
  /** Moves the clock and runs what is due, in order. */
  advance(ms: number): void {
    this.time += ms;
    for (const [id, t] of [...this.pending].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > this.time) continue;
      this.pending.delete(id);
      t.fn();
    }
  }
}

/** Fake intervals for the update checks: fired by hand. */
export class FakeIntervals implements UpdateTimers {
  private next = 1;
  readonly running = new Map<number, { fn: () => void; ms: number }>();
  setInterval(fn: () => void, ms: number): number {
    const id = this.next++;
    this.running.set(id, { fn, ms });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.running.delete(handle as number);
  }
  /** Runs every interval once, as if each period had passed. */
  tick(): void {
    for (const t of [...this.running.values()]) t.fn();
  }
}

/**
 * A fake electron-updater AppUpdater (the part updater.ts uses): records the
 * feed and the checks; a check answers `checkResult` (a rejection to test errors).
 */
export class FakeAutoUpdater extends FakeEmitter implements AutoUpdater {
  logger: UpdaterLog | null = null;
  autoDownload = false;
  autoInstallOnAppQuit = false;
  readonly feeds: Array<{ provider: 'generic'; url: string }> = [];
  checks = 0;
  restarts = 0;
  checkResult: () => Promise<unknown> = () => Promise.resolve(null);
  setFeedURL(options: { provider: 'generic'; url: string }): void {
    this.feeds.push(options);
  }
  checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    return this.checkResult();
  }
  off(event: string, listener: (...args: never[]) => void): this {
    return this.removeListener(event, listener);
  }
  /** Restarts the app to install: the updater must never call it (the KW may be in a call). */
  quitAndInstall(): void {
    this.restarts += 1;
  }
}
