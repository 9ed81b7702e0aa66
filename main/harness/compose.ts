/**
 * Composition root of the KW Desktop in the browser harness: the same KwApp
 * as in Electron, with in-memory settings and secret adapters, a link opener
 * that records (a page cannot reach the OS shell), and the harness server.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { KwApp } from '../app/kw-app.js';
import type { Policy } from '../app/policy/policy-model.js';
import { PolicySettingsStore } from '../app/policy/policy-settings.js';
import type { TlsOptions } from '../core/sip/ws-socket.js';
import {
  DEFAULT_SETTINGS,
  MemorySecretStore,
  MemorySettingsStore,
  type StoredSettings,
} from '../app/ports.js';
import { FileHistoryStore } from '../core/history/file-history-store.js';
import { FileRequestStore } from '../core/requests/file-request-store.js';
import { SealedHistoryFiles } from '../core/history/sealed-history-files.js';
import { fixedHistoryKey, HISTORY_KEY_BYTES } from '../core/history/history-key.js';
import { kwCoreFactory, type CoreEnvironment } from '../core/core-factory.js';
import type { Logger } from '../core/log.js';
import type { AlertSteps } from '../core/previews/preview-alerts.js';
import { bundleHarnessClient, bundleHarnessMedia } from './client-bundle.js';
import { MediaBridge } from '../core/media/media-bridge.js';
import { startHarness, type Harness } from './harness-server.js';

export interface HarnessKwOptions {
  /** The account to sign in with; absent: a new install (the sign-in screen, nothing connects). */
  readonly account?: {
    readonly uri: string;
    readonly displayName: string;
    readonly password?: string;
    readonly authUser?: string;
  };
  readonly servers: readonly string[];
  /**
   * The routing points whose previews this KW accepts: the lab's (`npm start`
   * passes its router's), or the ones a test's router uses. Required: trust is
   * never a default.
   */
  readonly trustedRoutingPoints: readonly string[];
  readonly historyDir: string;
  /**
   * The key history is encrypted with (32 bytes). Absent: the harness keeps
   * one in plain beside the history (`harness-key.bin`): a development tool,
   * not a place for real chats; the app wraps its key in the OS keystore.
   */
  readonly historyKey?: Uint8Array;
  readonly logger: Logger;
  readonly rendererDir?: string;
  readonly port?: number;
  readonly idleMinutes?: number;
  readonly agentOptions?: CoreEnvironment['agentOptions'];
  /** TLS for the SIP servers (a test's private CA); the account's extra CAs are added to it. */
  readonly tls?: TlsOptions;
  readonly ringTimeoutMs?: number;
  /** e2e only: alert levels sooner than the product's; a Node option, never read from a URL or the network. */
  readonly alertStepsMs?: AlertSteps;
  /** An organization's policy, as the shell reads it from the OS (tests of locked settings). */
  readonly policy?: Policy;
}

export interface HarnessKw {
  readonly app: KwApp;
  /** The media bridge; the harness main page attaches as its host. */
  readonly media: MediaBridge;
  readonly harness: Harness;
  /** Links the renderer asked to open (validated https:/mailto: only). */
  readonly openedLinks: readonly string[];
  close(): Promise<void>;
}

export async function startHarnessKw(options: HarnessKwOptions): Promise<HarnessKw> {
  const settings: StoredSettings = {
    ...DEFAULT_SETTINGS,
    account: options.account
      ? {
          uri: options.account.uri,
          displayName: options.account.displayName,
          authUser: options.account.authUser ?? '',
        }
      : DEFAULT_SETTINGS.account,
    servers: options.servers,
    idleMinutes: options.idleMinutes ?? DEFAULT_SETTINGS.idleMinutes,
    trustedRoutingPoints: options.trustedRoutingPoints,
  };
  const openedLinks: string[] = [];
  const logger = options.logger;
  const media = new MediaBridge({
    logger: logger.child('media'),
    // A person's browser may ask before it opens the microphone: give them time to click Allow.
    requestTimeoutMs: 30_000,
  });
  const stored = new MemorySettingsStore(settings);
  const policy = options.policy
    ? new PolicySettingsStore(stored, options.policy, logger.child('policy'))
    : undefined;
  const historyFiles = new SealedHistoryFiles(
    fixedHistoryKey(options.historyKey ?? harnessHistoryKey(options.historyDir, logger)).load(),
  );
  const app = new KwApp({
    createCore: kwCoreFactory({
      history: new FileHistoryStore({
        dir: options.historyDir,
        logger: logger.child('history'),
        files: historyFiles,
      }),
      media,
      logger,
      ...(options.ringTimeoutMs ? { ringTimeoutMs: options.ringTimeoutMs } : {}),
      ...(options.agentOptions ? { agentOptions: options.agentOptions } : {}),
      ...(options.alertStepsMs ? { alertStepsMs: options.alertStepsMs } : {}),
    }),
    settings: policy ?? stored,
    ...(policy ? { policy } : {}),
    secrets: new MemorySecretStore(options.account?.password),
    links: {
      open: (url) => {
        openedLinks.push(url);
        logger.info('link to open (the browser harness has no system shell)', { url });
        return Promise.resolve();
      },
    },
    windows: { showMain: () => undefined, setCallPopup: () => undefined },
    logger,
    requests: new FileRequestStore({
      dir: join(options.historyDir, 'requests'),
      logger: logger.child('requests'),
      files: historyFiles,
    }),
    ...(options.tls ? { tlsFor: withExtraCas(options.tls) } : {}),
  });
  await app.start();
  const harness = await startHarness({
    app,
    rendererDir: resolve(options.rendererDir ?? 'dist/renderer'),
    clientScript: await bundleHarnessClient(),
    mediaScript: await bundleHarnessMedia(),
    onMediaHost: (link) => {
      media
        .attach(link)
        .catch((error: unknown) => logger.warn('media host did not say hello', { error: String(error) }));
    },
    logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return {
    app,
    media,
    harness,
    openedLinks,
    close: async () => {
      await app.stop();
      await harness.close();
      media.detach('the KW Desktop stopped');
    },
  };
}

/** The harness's TLS with the account's extra CAs added to its own list. */
function withExtraCas(base: TlsOptions): (extra: readonly string[]) => TlsOptions {
  const own = base.ca === undefined ? [] : typeof base.ca === 'string' ? [base.ca] : base.ca;
  return (extra) => ({ ...base, ...(own.length + extra.length > 0 ? { ca: [...own, ...extra] } : {}) });
}

/** The harness's own key, kept with its history so a restart of the harness reads it back. */
function harnessHistoryKey(historyDir: string, logger: Logger): Uint8Array {
  const path = join(historyDir, 'harness-key.bin');
  try {
    const key = readFileSync(path);
    if (key.length === HISTORY_KEY_BYTES) return key;
  } catch {
    // None yet: made below.
  }
  const key = randomBytes(HISTORY_KEY_BYTES);
  try {
    mkdirSync(historyDir, { recursive: true });
    writeFileSync(path, key, { mode: 0o600 });
  } catch (error) {
    // The history folder is unusable anyway (the store says so): this run's key stays in memory.
    logger.warn('harness history key not stored', { path, error: String(error) });
  }
  return key;
}
