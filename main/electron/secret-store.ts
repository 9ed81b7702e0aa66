/**
 * SecretStore on Electron's safeStorage: the SIP password is encrypted by the
 * OS (Keychain, DPAPI, libsecret/kwallet) and the ciphertext kept in its own
 * file in userData (`sip-password.bin`, mode 0600, written atomically). When
 * the OS cannot encrypt (`isEncryptionAvailable()` false, or Linux's
 * `basic_text` backend, which is a fixed key) it refuses to store — logged as
 * an error and thrown, so the settings form shows why — and never falls back
 * to plain text. The password itself is never logged. A change is prepared
 * (encrypted) before anything is written and can be undone exactly, so a
 * settings save is all or nothing (ports.ts SecretStore).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SafeStorage } from 'electron';
import type { PreparedSecret, SecretStore } from '../app/ports.js';
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

  /** Stores (or, with undefined / '', forgets) the password at once: `prepare(password).apply()`. */
  setPassword(password: string | undefined): void {
    this.prepare(password).apply();
  }

  /**
   * Encrypts now (refused with a sentence when the system cannot protect it,
   * never stored in plain text) and writes only on `apply`, whose undo puts
   * the previous file back byte for byte (even one this system cannot read).
   */
  prepare(password: string | undefined): PreparedSecret {
    const forget = password === undefined || password === '';
    const data = forget ? undefined : this.encrypt(password);
    return {
      apply: () => {
        const previousFile = this.readFile();
        const previousCache = this.cached;
        this.write(data);
        this.cached = { password: forget ? undefined : password };
        this.options.logger.info(
          forget ? 'SIP password forgotten' : 'SIP password stored (encrypted by the system)',
        );
        return () => {
          this.write(previousFile);
          this.cached = previousCache;
          this.options.logger.info('SIP password put back as it was');
        };
      },
    };
  }

  private encrypt(password: string): Buffer {
    const reason = this.unavailableReason();
    if (reason !== undefined) {
      this.options.logger.error('the SIP password was not stored: it is never kept in plain text', {
        reason,
      });
      throw new Error(`the password cannot be stored securely on this computer: ${reason}`);
    }
    try {
      return this.options.safeStorage.encryptString(password);
    } catch (error) {
      this.options.logger.error('the SIP password could not be encrypted', {
        error: error instanceof Error ? error.message : String(error),
      });
      throw new Error('the password could not be encrypted by the system', { cause: error });
    }
  }

  private readFile(): Buffer | undefined {
    try {
      return this.files.read(this.path);
    } catch (error) {
      this.options.logger.error('the SIP password file could not be read', {
        error: error instanceof Error ? error.message : String(error),
      });
      throw new Error('the stored password could not be read from disk', { cause: error });
    }
  }

  /** The file with `data`, or no file. */
  private write(data: Buffer | undefined): void {
    try {
      if (data === undefined) this.files.remove(this.path);
      else this.files.write(this.path, data);
    } catch (error) {
      this.options.logger.error('the SIP password file could not be written', {
        error: error instanceof Error ? error.message : String(error),
      });
      throw new Error('the password could not be written to disk', { cause: error });
    }
  }
}
