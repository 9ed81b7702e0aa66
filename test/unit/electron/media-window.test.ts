import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { memoryLogger } from '../../../main/core/log.js';
import type { MediaHostLink, ToHost } from '../../../wire/media-host.js';
import { MediaWindowHost, mediaWindowOptions } from '../../../main/electron/media-window.js';
import { secureWebPreferences } from '../../../main/electron/windows.js';
import { installSecurity } from '../../../main/electron/security.js';
import { IPC_CHANNELS } from '../../../preload/ipc-channels.js';
import {
  fakeEvent,
  FakeApp,
  FakeBrowserWindow,
  FakeFrame,
  FakeIpcMain,
  FakeSession,
  FakeShell,
  FakeTimers,
  FakeWebContents,
} from './fake-electron.js';

const PRELOAD = '/app/dist/preload/media-preload.cjs';
const HELLO = { kind: 'hello', protocol: 1, host: 'electron-media-window' };

function setup(options: { maxRestarts?: number } = {}) {
  const ipcMain = new FakeIpcMain();
  const timers = new FakeTimers();
  const created: FakeBrowserWindow[] = [];
  const links: MediaHostLink[] = [];
  const { logger, records } = memoryLogger();
  const host = new MediaWindowHost({
    createWindow: (o: BrowserWindowConstructorOptions) => {
      const w = new FakeBrowserWindow(o);
      created.push(w);
      return w;
    },
    ipcMain,
    preloadPath: PRELOAD,
    logger,
    onLink: (link) => links.push(link),
    timers,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    stableMs: 60_000,
    ...(options.maxRestarts !== undefined ? { maxRestarts: options.maxRestarts } : {}),
  });
  host.start();
  const current = (): FakeBrowserWindow => {
    const w = created.at(-1);
    if (!w) throw new Error('no media window');
    return w;
  };
  /** `ipcRenderer.send('kw:media:from-host', message)` from the media window's top frame. */
  const fromHost = (message: unknown, w = current()): void =>
    ipcMain.emitFrom(IPC_CHANNELS.mediaFromHost, w.webContents.invokeEvent(), message);
  const received = (link: MediaHostLink | undefined): unknown[] => {
    const got: unknown[] = [];
    link?.onMessage((m) => got.push(m));
    return got;
  };
  const closedReasons = (link: MediaHostLink | undefined): string[] => {
    const got: string[] = [];
    link?.onClosed((r) => got.push(r));
    return got;
  };
  return { host, ipcMain, timers, created, links, records, current, fromHost, received, closedReasons };
}

describe('media window options', () => {
  it('hidden, not throttled, sandboxed and isolated, its own preload, autoplay without a gesture', () => {
    const options = mediaWindowOptions(PRELOAD);
    expect(options).toMatchObject({ show: false, skipTaskbar: true, focusable: false });
    expect(options.webPreferences).toEqual({
      ...secureWebPreferences(PRELOAD),
      backgroundThrottling: false,
      autoplayPolicy: 'no-user-gesture-required',
      spellcheck: false,
    });
    expect(options.webPreferences?.devTools).toBe(false);
    expect(mediaWindowOptions(PRELOAD, true).webPreferences?.devTools).toBe(true);
    expect(options.webPreferences).toMatchObject({
      preload: PRELOAD,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
  });

  it('is created at start, hidden, on app://kw/media.html, with one IPC listener and a link', () => {
    const { created, ipcMain, links, current } = setup();
    expect(created).toHaveLength(1);
    expect(current().loaded).toBe('app://kw/media.html');
    expect(current().visible).toBe(false);
    expect(current().options.webPreferences?.preload).toBe(PRELOAD);
    expect(ipcMain.listeners.get(IPC_CHANNELS.mediaFromHost)?.size).toBe(1);
    expect(links).toHaveLength(1);
  });

  it('is hardened like every webContents: no navigation, no window.open', () => {
    const app = new FakeApp();
    const { logger } = memoryLogger();
    installSecurity({ app, session: new FakeSession(), shell: new FakeShell(), logger });
    const { current } = setup();
    const contents = current().webContents;
    app.emit('web-contents-created', fakeEvent(), contents);
    const nav = fakeEvent();
    contents.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.defaultPrevented).toBe(true);
    expect(
      contents.windowOpenHandler?.({
        url: 'app://kw/main.html',
        frameName: '',
        features: '',
        disposition: 'new-window',
        referrer: { url: '', policy: 'default' },
      }),
    ).toEqual({ action: 'deny' });
  });
});

describe('the IPC media host link', () => {
  it('send goes to the media window on kw:media:to-host; messages from its top frame come back', () => {
    const { links, current, fromHost, received } = setup();
    const link = links[0];
    const got = received(link);
    const request: ToHost = { kind: 'request', id: 1, request: { op: 'devices' } };
    link?.send(request);
    expect(current().webContents.sent).toEqual([{ channel: IPC_CHANNELS.mediaToHost, message: request }]);
    fromHost(HELLO);
    expect(got).toEqual([HELLO]);
  });

  it('refuses and logs messages from another frame, another window or another page', () => {
    const { links, current, ipcMain, records, received } = setup();
    const got = received(links[0]);
    const contents = current().webContents;
    const other = new FakeWebContents('app://kw/media.html');
    const bad = [
      contents.invokeEvent(contents.subframe('app://kw/media.html')),
      contents.invokeEvent(new FakeFrame('app://kw/media.html', 999, 7)),
      contents.invokeEvent(null),
      other.invokeEvent(),
    ];
    for (const event of bad) ipcMain.emitFrom(IPC_CHANNELS.mediaFromHost, event, HELLO);
    contents.mainFrame.url = 'app://kw/main.html';
    ipcMain.emitFrom(IPC_CHANNELS.mediaFromHost, contents.invokeEvent(), HELLO);
    contents.mainFrame.url = 'https://evil.example/media.html';
    ipcMain.emitFrom(IPC_CHANNELS.mediaFromHost, contents.invokeEvent(), HELLO);
    expect(got).toEqual([]);
    const refused = records.filter((r) => r.level === 'warn' && r.msg === 'media ipc refused: bad sender');
    expect(refused).toHaveLength(6);
    expect(refused.map((r) => r.fields['reason'])).toEqual([
      'not the top frame of the window',
      'not the top frame of the window',
      'no sender frame',
      'not the media window',
      'not our origin or page',
      'not our origin or page',
    ]);
  });

  it('closes with the reason when the renderer goes away; sends after that go nowhere', async () => {
    const { links, current, closedReasons, received, fromHost } = setup();
    const link = links[0];
    const reasons = closedReasons(link);
    const got = received(link);
    const win = current();
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    expect(reasons).toEqual(['media window renderer gone (crashed)']);
    link?.send({ kind: 'request', id: 2, request: { op: 'devices' } });
    expect(win.webContents.sent).toEqual([]);
    fromHost(HELLO, win);
    expect(got).toEqual([]);
    // A listener that comes late still hears why.
    const late: string[] = [];
    link?.onClosed((r) => late.push(r));
    await Promise.resolve();
    expect(late).toEqual(['media window renderer gone (crashed)']);
  });

  it('a reload after the host spoke closes the link and hands a new one; the first load does not', () => {
    const { links, current, closedReasons, fromHost, received } = setup();
    const first = links[0];
    const reasons = closedReasons(first);
    const contents = current().webContents;
    const nav = { url: 'app://kw/media.html', isMainFrame: true, isSameDocument: false };
    contents.emit('did-start-navigation', nav); // the initial load
    contents.emit('did-start-navigation', { ...nav, isSameDocument: true });
    contents.emit('did-start-navigation', { ...nav, isMainFrame: false });
    expect(links).toHaveLength(1);
    fromHost(HELLO);
    contents.emit('did-start-navigation', nav); // reload
    expect(reasons).toEqual(['the media page reloaded']);
    expect(links).toHaveLength(2);
    const got = received(links[1]);
    fromHost(HELLO);
    expect(got).toEqual([HELLO]);
  });

  it('closes when the webContents is destroyed', () => {
    const { links, current, closedReasons } = setup();
    const reasons = closedReasons(links[0]);
    current().webContents.destroyed = true;
    current().webContents.emit('destroyed');
    expect(reasons).toEqual(['media window destroyed']);
  });
});

describe('recreating a crashed media window', () => {
  const crash = (w: FakeBrowserWindow): void =>
    w.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });

  it('destroys the dead window and makes a new one after a backoff that doubles, with a new link', () => {
    const { created, links, timers, current, fromHost, received } = setup();
    const first = current();
    crash(first);
    // Not destroyed inside its own render-process-gone (electron/electron#51900).
    expect(first.destroyed).toBe(false);
    expect(timers.delays()).toEqual([1000]);
    timers.advance(999);
    expect(created).toHaveLength(1);
    timers.advance(1);
    expect(first.destroyed).toBe(true);
    expect(created).toHaveLength(2);
    expect(current().loaded).toBe('app://kw/media.html');
    expect(links).toHaveLength(2);
    // The old window's messages no longer count; the new one's reach the new link.
    const got = received(links[1]);
    fromHost(HELLO, first);
    fromHost(HELLO);
    expect(got).toEqual([HELLO]);
    crash(current());
    expect(timers.delays()).toEqual([2000]);
    timers.advance(2000);
    crash(current());
    expect(timers.delays()).toEqual([4000]);
  });

  it('gives up after maxRestarts crashes in a row, and says so', () => {
    const { created, timers, current, records } = setup({ maxRestarts: 2 });
    crash(current());
    timers.advance(1000);
    crash(current());
    timers.advance(2000);
    expect(created).toHaveLength(3);
    const last = current();
    crash(last);
    expect(records.some((r) => r.level === 'error' && r.msg.includes('giving up'))).toBe(true);
    timers.advance(0);
    expect(last.destroyed).toBe(true);
    timers.advance(120_000);
    expect(created).toHaveLength(3);
  });

  it('a window that lived long enough starts the count again', () => {
    const { timers, current } = setup();
    crash(current());
    timers.advance(1000);
    crash(current());
    timers.advance(2000);
    timers.advance(60_000);
    crash(current());
    expect(timers.delays()).toEqual([1000]);
  });

  it('a media window closed from outside is recreated too', () => {
    const { created, links, timers, current, closedReasons } = setup();
    const reasons = closedReasons(links[0]);
    current().userClose();
    expect(reasons).toEqual(['media window closed']);
    timers.advance(1000);
    expect(created).toHaveLength(2);
  });

  it('while quitting, a closed media window is not recreated', () => {
    const { host, timers, current, created } = setup();
    host.setQuitting();
    const win = current();
    win.userClose();
    timers.advance(120_000);
    expect(created).toHaveLength(1);
  });

  it('dispose during a pending restart destroys the dead window and creates none', () => {
    const { host, timers, current, created } = setup();
    const dead = current();
    crash(dead);
    host.dispose();
    expect(dead.destroyed).toBe(true);
    timers.advance(120_000);
    expect(created).toHaveLength(1);
  });

  it('dispose: closes the link, destroys the window, stops listening, never recreates', () => {
    const { host, links, timers, current, created, ipcMain, closedReasons } = setup();
    const reasons = closedReasons(links[0]);
    host.dispose();
    expect(reasons).toEqual(['the app is quitting']);
    expect(current().destroyed).toBe(true);
    expect(ipcMain.listeners.get(IPC_CHANNELS.mediaFromHost)?.size).toBe(0);
    timers.advance(120_000);
    expect(created).toHaveLength(1);
  });
});
