/**
 * Automatic updates with electron-updater (docs/deploy.md, "Updates"). Off
 * unless the app was installed by an installer that updates itself (NSIS,
 * dmg/zip, AppImage; MSI and deb are managed installs) and the policy allows
 * it. Checks at start and every 6 hours, downloads in the background and
 * installs when the KW quits: never a restart under the KW, who may be in a call.
 *
 * `app-update.yml` alone does not tell a managed install apart: electron-builder
 * writes it into the unpacked app that the MSI (built beside NSIS) and the deb
 * (beside the AppImage) pack too. So on Windows the NSIS uninstaller must sit
 * beside the executable, and on Linux the app must run from an AppImage.
 */
import type { Logger } from '../core/log.js';
import type { Policy } from '../app/policy/policy-model.js';

/**
 * The part of electron-updater's AppUpdater this module uses (main/index.ts
 * passes the real one, so the compiler checks it fits).
 */
export interface AutoUpdater {
  autoDownload: boolean;
  logger: UpdaterLog | null;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'update-downloaded', listener: (event: { version: string }) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'update-downloaded', listener: (event: { version: string }) => void): unknown;
}

/** electron-updater's logger shape. */
export interface UpdaterLog {
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
}

export interface UpdatePolicy {
  readonly enabled?: boolean;
  readonly feedUrl?: string;
}

export interface UpdateTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** What the shell found about this install (main/index.ts looks at the files). */
export interface InstallFacts {
  readonly platform: NodeJS.Platform;
  /** `process.resourcesPath/app-update.yml` exists: the feed electron-updater reads. */
  readonly updateConfigExists: boolean;
  /** Linux: running from an AppImage (`$APPIMAGE` is set); otherwise a deb install. */
  readonly appImage: boolean;
  /** Windows: `Uninstall <productName>.exe` is beside the executable (NSIS); an MSI has none. */
  readonly nsisUninstaller: boolean;
}

export interface UpdaterDeps {
  /** Called only when updates are on: electron-updater builds its updater on first use. */
  readonly loadUpdater: () => AutoUpdater;
  readonly isPackaged: boolean;
  readonly install: InstallFacts;
  readonly policy: UpdatePolicy;
  readonly logger: Logger;
  readonly timers: UpdateTimers;
}

export const UPDATE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

/**
 * What updates follow: the admin policy's Enforced value, else the account's
 * provisioned value (settings.updates), else the policy's Default; key by key.
 */
export function updatePolicy(policy: Policy, provisioned: UpdatePolicy = {}): UpdatePolicy {
  const enabled =
    policy.enforced['updates.enabled'] ?? provisioned.enabled ?? policy.defaults['updates.enabled'];
  const feedUrl =
    policy.enforced['updates.feedUrl'] ?? provisioned.feedUrl ?? policy.defaults['updates.feedUrl'];
  return { ...(enabled !== undefined ? { enabled } : {}), ...(feedUrl !== undefined ? { feedUrl } : {}) };
}

/** Why updates are off, or undefined when they are on. */
function offReason(deps: UpdaterDeps): string | undefined {
  const { install } = deps;
  if (!deps.isPackaged) return 'the app is not packaged';
  if (!install.updateConfigExists) return 'this build has no update feed (no app-update.yml)';
  if (install.platform === 'win32' && !install.nsisUninstaller)
    return 'a per-machine (MSI) install: the administrator updates it';
  if (install.platform === 'linux' && !install.appImage)
    return 'a package (deb) install: the package manager updates it';
  if (deps.policy.enabled === false) return 'turned off (updates.enabled)';
  return undefined;
}

/** Starts the update checks; the returned function stops them. Never throws. */
export function setupUpdates(deps: UpdaterDeps): () => void {
  const { logger } = deps;
  const off = offReason(deps);
  if (off !== undefined) {
    logger.info(`updates off: ${off}`);
    return () => undefined;
  }
  let updater: AutoUpdater;
  try {
    updater = configure(deps.loadUpdater(), deps.policy, logger);
  } catch (error) {
    logger.warn('updates off: the updater could not be set up', { error: messageOf(error) });
    return () => undefined;
  }
  const onError = (error: Error): void => logger.warn('update failed', { error: error.message });
  const onDownloaded = (event: { version: string }): void =>
    logger.info('update downloaded: installs when KW Desktop quits', { version: event.version });
  updater.on('error', onError);
  updater.on('update-downloaded', onDownloaded);
  const check = (): void => {
    updater.checkForUpdates().catch((error: unknown) => {
      logger.warn('update check failed', { error: messageOf(error) });
    });
  };
  check();
  const interval = deps.timers.setInterval(check, UPDATE_CHECK_INTERVAL_MS);
  return () => {
    deps.timers.clearInterval(interval);
    updater.off('error', onError);
    updater.off('update-downloaded', onDownloaded);
  };
}

function configure(updater: AutoUpdater, policy: UpdatePolicy, logger: Logger): AutoUpdater {
  // Its own chatter at debug: the outcomes are logged here (update failed, downloaded).
  const say = (message?: unknown): void => logger.debug(`electron-updater: ${String(message)}`);
  updater.logger = { info: say, warn: say, error: say };
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  if (policy.feedUrl !== undefined) {
    updater.setFeedURL({ provider: 'generic', url: policy.feedUrl });
    logger.info('updates on, feed set by policy or provisioning', { feedUrl: policy.feedUrl });
  } else {
    logger.info('updates on, feed from app-update.yml');
  }
  return updater;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
