/**
 * The key that encrypts history at rest (main/core/history/record-cipher.ts),
 * kept wrapped by the OS keystore through safeStorage, like the SIP password
 * (secret-store.ts): 32 random bytes made on first use, stored encrypted in
 * userData/`history-key.bin` (0600, written atomically), read at start. Never
 * throws and never stores the key in plain text: with no keystore the load
 * says `unavailable` (history is not written); a stored key that cannot be
 * decrypted is kept aside as `history-key.bin.unreadable-<ms>` (it may still
 * open the old files where it was made) and a new one replaces it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../core/log.js';
import { HISTORY_KEY_BYTES, type HistoryKey, type HistoryKeyLoad } from '../core/history/history-key.js';
import { nodeSecretFiles, type SecretFiles, type SecretSafeStorage } from './secret-store.js';

export const HISTORY_KEY_FILE = 'history-key.bin';

export interface SafeStorageHistoryKeyOptions {
  readonly safeStorage: SecretSafeStorage;
  /** userData */
  readonly dir: string;
  readonly logger: Logger;
  readonly platform: NodeJS.Platform;
  readonly files?: SecretFiles;
  readonly now?: () => number;
  readonly randomKey?: () => Buffer;
}

/** The clauses the banner shows: "can't be read on this computer (…)". */
export const KEY_MISSING = 'the key that protects it is missing';
export const NO_KEYSTORE = 'the system keystore that protects it is not available';

export class SafeStorageHistoryKey implements HistoryKey {
  private readonly path: string;
  private readonly files: SecretFiles;

  constructor(private readonly options: SafeStorageHistoryKeyOptions) {
    this.path = join(options.dir, HISTORY_KEY_FILE);
    this.files = options.files ?? nodeSecretFiles;
  }

  load(): HistoryKeyLoad {
    const unavailable = this.unavailableReason();
    if (unavailable !== undefined) {
      this.options.logger.error('history is not saved: no key can be kept on this system', {
        reason: unavailable,
      });
      return { state: 'unavailable', reason: NO_KEYSTORE };
    }
    const wrapped = this.readWrapped();
    if (wrapped === undefined) return this.makeNew(undefined);
    const key = this.unwrap(wrapped.data);
    if (key !== undefined) return { state: 'ready', key };
    this.keepAside(wrapped.data);
    return this.makeNew(KEY_MISSING);
  }

  private unavailableReason(): string | undefined {
    const { safeStorage, platform } = this.options;
    if (!safeStorage.isEncryptionAvailable()) return 'the system offers no encryption for secrets';
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
      return 'no system keyring (libsecret or kwallet) is available';
    return undefined;
  }

  /** The stored wrapped key, `{ data: empty }` when the file cannot be read, undefined when there is none. */
  private readWrapped(): { data: Buffer } | undefined {
    try {
      const data = this.files.read(this.path);
      return data === undefined ? undefined : { data };
    } catch (error) {
      this.options.logger.error('the history key file cannot be read', { error: String(error) });
      return { data: Buffer.alloc(0) };
    }
  }

  private unwrap(data: Buffer): Uint8Array | undefined {
    try {
      const key = Buffer.from(this.options.safeStorage.decryptString(data), 'base64');
      if (key.length === HISTORY_KEY_BYTES) return key;
      this.options.logger.error('the stored history key is not a key: set aside');
    } catch (error) {
      this.options.logger.error('the stored history key cannot be decrypted by the system: set aside', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return undefined;
  }

  /** The old wrapped key is copied aside, never deleted: it may still open the old files elsewhere. */
  private keepAside(data: Buffer): void {
    if (data.length === 0) return;
    const to = `${this.path}.unreadable-${(this.options.now ?? Date.now)()}`;
    try {
      this.files.write(to, data);
    } catch (error) {
      this.options.logger.error('the unreadable history key could not be kept aside', {
        error: String(error),
      });
    }
  }

  private makeNew(replacing: string | undefined): HistoryKeyLoad {
    const key = (this.options.randomKey ?? (() => randomBytes(HISTORY_KEY_BYTES)))();
    try {
      this.files.write(this.path, this.options.safeStorage.encryptString(key.toString('base64')));
    } catch (error) {
      this.options.logger.error('a new history key could not be stored: history is not saved', {
        error: error instanceof Error ? error.message : String(error),
      });
      return { state: 'unavailable', reason: replacing ?? NO_KEYSTORE };
    }
    this.options.logger.info('a new history key was made (kept encrypted by the system)');
    return replacing === undefined ? { state: 'ready', key } : { state: 'replaced', key, reason: replacing };
  }
}
