/**
 * SecretStore on Electron's safeStorage: the SIP password is encrypted by the
 * OS (Keychain, DPAPI, libsecret/kwallet) and the ciphertext kept in its own
 * file in userData (`sip-password.bin`, mode 0600, written atomically). When
 * the OS cannot encrypt (`isEncryptionAvailable()` false, or Linux's
 * `basic_text` backend, which is a fixed key) it refuses to store — logged as
 * an error and thrown, so the settings form shows why — and never falls back
 * to plain text. The password itself is never logged.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SafeStorage } from 'electron';
import type { SecretStore } from '../app/ports.js';
import type { Logger } from '../core/log.js';

export const SECRET_FILE_NAME = 'sip-password.bin';

export type SecretSafeStorage = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/** The file operations used (node:fs in the app; tests may pass their own). */
export interface SecretFiles {
  read(path: string): Buffer | undefined;
  write(path: string, data: Buffer): void;
  remove(path: string): void;
}

export const nodeSecretFiles: SecretFiles = {
  read: (path) => {
    try {
      return readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  write: (path, data) => {
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${randomUUID()}.tmp`;
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, path);
  },
  remove: (path) => rmSync(path, { force: true }),
};

export interface SafeStorageSecretStoreOptions {
  readonly safeStorage: SecretSafeStorage;
  /** userData */
  readonly dir: string;
  readonly logger: Logger;
  readonly platform: NodeJS.Platform;
  readonly files?: SecretFiles;
}

export class SafeStorageSecretStore implements SecretStore {
  private readonly path: string;
  private readonly files: SecretFiles;
  private cached: { password: string | undefined } | undefined;

  constructor(private readonly options: SafeStorageSecretStoreOptions) {
    this.path = join(options.dir, SECRET_FILE_NAME);
    this.files = options.files ?? nodeSecretFiles;
  }

  /** Why the OS cannot protect a secret here, or undefined when it can. */
  unavailableReason(): string | undefined {
    const { safeStorage, platform } = this.options;
    if (!safeStorage.isEncryptionAvailable()) return 'the system offers no encryption for secrets';
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
      return 'no system keyring (libsecret or kwallet) is available';
    return undefined;
  }

  getPassword(): string | undefined {
    if (this.cached) return this.cached.password;
    const data = this.files.read(this.path);
    let password: string | undefined;
    if (data !== undefined && data.length > 0) {
      if (this.unavailableReason() === undefined) {
        try {
          password = this.options.safeStorage.decryptString(data);
        } catch {
          this.options.logger.error(
            'the stored SIP password cannot be decrypted: enter it again in Settings',
          );
        }
      } else {
        this.options.logger.error(
          'the stored SIP password cannot be read: ' + (this.unavailableReason() ?? ''),
        );
      }
    }
    this.cached = { password };
    return password;
  }

  setPassword(password: string | undefined): void {
    if (password === undefined || password === '') {
      this.files.remove(this.path);
      this.cached = { password: undefined };
      this.options.logger.info('SIP password forgotten');
      return;
    }
    const reason = this.unavailableReason();
    if (reason !== undefined) {
      const message = `the SIP password was not stored: ${reason}; it is never kept in plain text`;
      this.options.logger.error(message);
      throw new Error(message);
    }
    this.files.write(this.path, this.options.safeStorage.encryptString(password));
    this.cached = { password };
    this.options.logger.info('SIP password stored (encrypted by the system)');
  }
}
