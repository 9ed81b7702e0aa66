/**
 * Composition root of the KW Desktop in Electron (bundled to
 * dist/main/index.cjs by scripts/build-electron.mjs). Builds the logger, the
 * stores, the history, the media bridge and its hidden media window, KwApp
 * with the Electron adapters, the IPC gateway, the windows (main, preview and
 * call popups), tray, power and notification adapters — all inside `main()`, which
 * runs once; nothing is created by importing a module. Quitting publishes
 * `closed` and unregisters (`kwApp.stop()`) before the process exits.
 *
 * Environment (tests, development): KW_USER_DATA overrides the userData
 * directory; KW_LOG_LEVEL sets the log level (default info); KW_DEVTOOLS=1
 * allows DevTools in a packaged build (electron/app-menu.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync, renameSync } from 'node:fs';
import * as nodeTls from 'node:tls';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  globalShortcut,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
import ElectronStore from 'electron-store';
import { autoUpdater } from 'electron-updater';
import { KwApp } from './app/kw-app.js';
import type { StoredSettings } from './app/ports.js';
import type { CallMedia } from './core/calls/call-media.js';
import { MediaBridge } from './core/media/media-bridge.js';
import { FileHistoryStore } from './core/history/file-history-store.js';
import { FileRequestStore } from './core/requests/file-request-store.js';
import { SealedHistoryFiles } from './core/history/sealed-history-files.js';
import { SafeStorageHistoryKey } from './electron/history-key.js';
import { SaveDialogExport } from './electron/save-dialog.js';
import { kwCoreFactory } from './core/core-factory.js';
import type { Logger, LogLevel } from './core/log.js';
import { devToolsAllowed, installApplicationMenu } from './electron/app-menu.js';
import { registerAppScheme, serveRenderer } from './electron/app-protocol.js';
import { IpcGateway } from './electron/ipc-gateway.js';
import { createAppLogging } from './electron/logging.js';
import { ElectronLoginItems, START_HIDDEN_ARG, XdgAutostart } from './electron/login-items.js';
import { MediaWindowHost } from './electron/media-window.js';
import { PreviewNotifier } from './electron/notifications.js';
import { setupPower, systemIdleSource } from './electron/power.js';
import { SafeStorageSecretStore } from './electron/secret-store.js';
import { installSecurity, openExternalSafely } from './electron/security.js';
import { SETTINGS_FILE_SCHEMA } from './electron/settings-migrations.js';
import { ElectronSettingsStore, type KeyValueFile } from './electron/settings-store.js';
import { currentUserName, readPolicy, systemPolicySources } from './electron/policy/read-policy.js';
import { PolicySettingsStore, seedDefaults, startAtLoginFromPolicy } from './app/policy/policy-settings.js';
import { claimSingleInstance } from './electron/single-instance.js';
import { PendingLinks } from './electron/pending-links.js';
import { registerProtocolClients } from './electron/protocol-client.js';
import { setupUpdates, updatePolicy } from './electron/updater.js';
import { onAlert, onCalls, onRequests, onStatus } from './electron/status-feed.js';
import { answerOldestPreview, ElectronGlobalShortcuts } from './electron/global-shortcuts.js';
import { TrayController } from './electron/tray.js';
import { trayCall, type TrayCall } from './electron/tray-model.js';
import { AppWindows } from './electron/windows.js';
import { buildCaList } from './electron/ca-list.js';
import { sessionProxyResolver } from './electron/proxy-resolver.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const STOP_TIMEOUT_MS = 5000;

interface SettingsFile {
  schemaVersion: number;
  settings: StoredSettings;
}

/** electron-store on userData/settings.json; a file that is not JSON is set aside, not fatal. */
function openSettingsFile(dir: string, logger: Logger): KeyValueFile {
  const open = (): ElectronStore<SettingsFile> =>
    new ElectronStore<SettingsFile>({
      name: 'settings',
      cwd: dir,
      schema: SETTINGS_FILE_SCHEMA as never,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      watch: false,
    });
  let store: ElectronStore<SettingsFile>;
  try {
    store = open();
  } catch (error) {
    const file = join(dir, 'settings.json');
    const aside = `${file}.corrupt-${Date.now()}`;
    logger.error('settings file unreadable: set aside, starting from defaults', {
      error: error instanceof Error ? error.message : String(error),
      movedTo: aside,
    });
    renameSync(file, aside);
    store = open();
  }
  return {
    get: (key) => store.get(key),
    set: (values) => store.set(values),
  };
}

function main(): void {
  if (process.env.KW_USER_DATA) app.setPath('userData', resolve(process.env.KW_USER_DATA));
  const userData = app.getPath('userData');
  const envLevel = process.env.KW_LOG_LEVEL as LogLevel | undefined;
  const logging = createAppLogging({
    logDir: join(userData, 'logs'),
    level: envLevel && LOG_LEVELS.includes(envLevel) ? envLevel : 'info',
    console: process.stderr,
  });
  const logger = logging.logger;
  logger.info('KW Desktop starting', { version: app.getVersion(), electron: process.versions.electron });

  let windows: AppWindows | undefined;
  let mediaWindow: MediaWindowHost | undefined;
  // Links (kwdesk://provision, sip:, tel:, --provision) wait here until KwApp has started.
  const links = new PendingLinks();
  const singleInstance = claimSingleInstance(
    app,
    process.argv,
    { onSecondInstance: () => windows?.showMain(), onLink: (link) => links.push(link) },
    logger.child('links'),
  );
  if (!singleInstance) {
    void logging.close().finally(() => app.quit());
    return;
  }
  registerAppScheme(protocol);
  app.setAppUserModelId('com.kwdesk.desktop');
  // A tray app: closing every window does not quit.
  app.on('window-all-closed', () => undefined);

  const distDir = resolve(__dirname, '..');
  const devTools = devToolsAllowed(app, process.env);
  if (devTools && app.isPackaged) logger.warn('DevTools allowed in a packaged build (KW_DEVTOOLS=1)');
  let shutdown: (() => Promise<void>) | undefined;
  let stopped = false;
  let stopping = false;

  app.on('before-quit', (event) => {
    windows?.setQuitting();
    mediaWindow?.setQuitting();
    if (stopped || !shutdown) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    const done = shutdown;
    void done().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  const start = async (): Promise<void> => {
    serveRenderer(protocol, join(distDir, 'renderer'), logger.child('protocol'));
    installApplicationMenu(Menu, process.platform, devTools, logger.child('menu'));
    installSecurity({
      app,
      session: session.defaultSession,
      shell,
      logger: logger.child('security'),
      devTools,
    });

    // The organization's policy (docs/deploy.md, "Policy"): Default seeds a new install, Enforced always wins.
    const policy = await readPolicy(
      systemPolicySources(process.platform, currentUserName()),
      logger.child('policy'),
    );
    registerProtocolClients(
      app,
      { platform: process.platform, execPath: process.execPath, argv: process.argv },
      logger.child('links'),
    );
    const settingsFile = openSettingsFile(userData, logger);
    const freshInstall = settingsFile.get('settings') === undefined;
    const storedSettings = new ElectronSettingsStore(settingsFile, logger.child('settings'));
    seedDefaults(storedSettings, policy, freshInstall, logger.child('policy'));
    const settings = new PolicySettingsStore(storedSettings, policy, logger.child('policy'));
    // Linux has no login-item API: an XDG autostart entry in ~/.config/autostart (appData).
    const autostart = new XdgAutostart({
      configHome: app.getPath('appData'),
      executable: process.env.APPIMAGE ?? process.execPath,
    });
    // Off until the KW turns them on in Settings; they answer the oldest pending request.
    const shortcutLog = logger.child('shortcuts');
    const shortcuts = new ElectronGlobalShortcuts(
      globalShortcut,
      {
        accept: () => answerOldestPreview(kwApp, 'accept', shortcutLog),
        decline: () => answerOldestPreview(kwApp, 'decline', shortcutLog),
      },
      shortcutLog,
    );
    const loginItems = new ElectronLoginItems(app, process.platform, logger.child('login'), autostart);
    const policyStartAtLogin = startAtLoginFromPolicy(policy, freshInstall);
    if (policyStartAtLogin !== undefined) loginItems.setStartAtLogin(policyStartAtLogin);
    const secrets = new SafeStorageSecretStore({
      safeStorage,
      dir: userData,
      logger: logger.child('secrets'),
      platform: process.platform,
    });
    const unavailable = secrets.unavailableReason();
    if (unavailable) logger.error(`the SIP password cannot be stored on this system: ${unavailable}`);
    // History and missed requests are encrypted at rest with a key the OS keystore wraps (docs/security.md).
    const historyFiles = new SealedHistoryFiles(
      new SafeStorageHistoryKey({
        safeStorage,
        dir: userData,
        logger: logger.child('history-key'),
        platform: process.platform,
      }).load(),
    );

    // Calls: JsSIP in main, the audio in the hidden media window (docs/design.md §3).
    // 30 s per host request: macOS asks the user before the first microphone capture.
    const mediaBridge = new MediaBridge({ logger: logger.child('media'), requestTimeoutMs: 30_000 });
    const media: CallMedia = mediaBridge;
    const mediaLog = logger.child('media-window');
    const mediaHost = new MediaWindowHost({
      createWindow: (options) => new BrowserWindow(options),
      ipcMain,
      preloadPath: join(distDir, 'preload', 'media-preload.cjs'),
      devTools,
      logger: mediaLog,
      onLink: (link) => {
        mediaBridge.attach(link).catch((error: unknown) => {
          mediaLog.warn('media host link ended before hello', {
            error: error instanceof Error ? error.message : String(error),
          });
        });
      },
    });
    mediaWindow = mediaHost;

    const kwApp = new KwApp({
      settings,
      policy: settings,
      secrets,
      createCore: kwCoreFactory({
        history: new FileHistoryStore({
          dir: join(userData, 'history'),
          logger: logger.child('history'),
          files: historyFiles,
        }),
        media,
        logger,
      }),
      links: {
        open: async (url) => {
          await openExternalSafely(shell, url, logger.child('links'));
        },
      },
      windows: {
        showMain: (id) => windows?.showMain(id),
        setCallPopup: (visible) => windows?.setCallPopup(visible),
      },
      logger,
      requests: new FileRequestStore({
        dir: join(userData, 'history', 'requests'),
        logger: logger.child('requests'),
        files: historyFiles,
      }),
      exports: new SaveDialogExport({
        showSaveDialog: (options) => {
          const parent = windows?.mainWindow as BrowserWindow | undefined;
          return parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options);
        },
        defaultDir: () => app.getPath('documents'),
        logger: logger.child('export'),
      }),
      quit: () => app.quit(),
      loginItems,
      shortcuts,
      idle: systemIdleSource(powerMonitor),
      // Enterprise networks: the OS proxy (via Chromium) and the OS certificate store (docs/deploy.md).
      resolveProxy: sessionProxyResolver(session.defaultSession),
      // Per account: its extra CA certificates (PEM, from its settings) on top of the OS store.
      tlsFor: (extra) => ({ ca: buildCaList(nodeTls, extra, logger.child('tls')) }),
    });

    const gateway = new IpcGateway({ ipcMain, handlers: kwApp.handlers, logger: logger.child('ipc') });
    gateway.start();
    const offEvents = kwApp.onEvent(gateway.publish);
    mediaHost.start();

    const shellWindows = new AppWindows({
      createWindow: (options) => new BrowserWindow(options),
      screen,
      preloadPath: join(distDir, 'preload', 'electron-preload.cjs'),
      devTools,
      attach: (contents, kind) => gateway.attach(contents, kind),
      isReady: (id) => gateway.isReady(id),
      logger: logger.child('windows'),
      platform: process.platform,
      startHidden: process.argv.includes(START_HIDDEN_ARG),
    });
    windows = shellWindows;
    shellWindows.open();

    const tray = new TrayController({
      createTray: (image: Electron.NativeImage) => new Tray(image),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      createImage: (png1x, png2x) => {
        const image = nativeImage.createFromBuffer(png1x, { scaleFactor: 1 });
        image.addRepresentation({ scaleFactor: 2, buffer: png2x });
        return image;
      },
      actions: {
        setPresence: (state) => kwApp.handlers['presence.set']({ state }),
        setDndFor: (minutes) =>
          kwApp.handlers['presence.set']({
            state: 'dnd',
            until: new Date(Date.now() + minutes * 60_000).toISOString(),
          }),
        hangup: (callId) => kwApp.handlers['calls.hangup']({ callId }),
        openMain: () => shellWindows.showMain(),
        openRequests: () => kwApp.showRequests(),
        quit: () => app.quit(),
      },
      logger: logger.child('tray'),
    });

    const notifier = new PreviewNotifier({
      createNotification: (options) => new Notification(options),
      isSupported: () => Notification.isSupported(),
      canShowPreviews: () => shellWindows.canShowPreviews(),
      showMain: (interactionId) => void kwApp.handlers['windows.showMain']({ interactionId }),
      logger: logger.child('notify'),
    });

    let status = kwApp.snapshot().status;
    let call: TrayCall | undefined;
    let missed = kwApp.requests.unseen();
    const updateTray = (): void => tray.update({ ...status, ...(call ? { call } : {}), missed });
    const applyStatus = (next: typeof status): void => {
      status = next;
      shellWindows.showPreviews(status.previews.length);
      notifier.update(status.previews);
      updateTray();
    };
    const offStatus = onStatus(kwApp, applyStatus);
    // KwApp emits `calls` before it calls setCallPopup: the popup is sized before it shows.
    const offCalls = onCalls(kwApp, (calls) => {
      shellWindows.setRingingCalls(calls.filter((c) => c.phase === 'ringing').length);
      call = trayCall(calls);
      updateTray();
    });
    const offRequests = onRequests(kwApp, (requests) => {
      missed = requests.unseen;
      updateTray();
    });
    applyStatus(status);

    // A request unseen after its louder chime: a native notification too (it does not take focus).
    const offAlerts = onAlert(kwApp, ({ interactionId, level }) => {
      const preview = status.previews.find((p) => p.interactionId === interactionId);
      if (level === 3 && preview) notifier.escalate(preview);
    });
    const offPower = setupPower(powerMonitor, kwApp, logger.child('power'));
    const offUpdates = setupUpdates({
      loadUpdater: () => autoUpdater,
      isPackaged: app.isPackaged,
      install: {
        platform: process.platform,
        updateConfigExists: existsSync(join(process.resourcesPath, 'app-update.yml')),
        appImage: process.env.APPIMAGE !== undefined,
        nsisUninstaller: existsSync(join(dirname(process.execPath), `Uninstall ${app.getName()}.exe`)),
      },
      policy: updatePolicy(policy, settings.load().updates),
      logger: logger.child('updates'),
      timers: {
        setInterval: (fn, ms) => setInterval(fn, ms),
        clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
      },
    });

    shutdown = async () => {
      logger.info('quitting: signing out');
      offUpdates();
      offPower();
      offAlerts();
      shortcuts.dispose();
      offStatus();
      offCalls();
      offRequests();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        kwApp.stop().catch((error: unknown) => {
          logger.warn('stop failed', { error: error instanceof Error ? error.message : String(error) });
        }),
        new Promise<void>((done) => {
          timer = setTimeout(() => {
            logger.warn('stop took too long: quitting anyway');
            done();
          }, STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      mediaHost.dispose();
      mediaBridge.detach('the app is quitting');
      offEvents();
      gateway.stop();
      notifier.dispose();
      tray.dispose();
      logger.info('KW Desktop stopped');
      await logging.close();
    };

    await kwApp.start();
    logger.info('KW Desktop started');
    links.deliverTo((link) => kwApp.openLink(link));
  };

  app
    .whenReady()
    .then(start)
    .catch(async (error: unknown) => {
      logger.error('KW Desktop failed to start', {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      await logging.close();
      app.exit(1);
    });
}

main();
