import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import {
  SafeStorageSecretStore,
  SECRET_FILE_NAME,
  type SecretFiles,
} from '../../../main/electron/secret-store.js';
import { FakeSafeStorage } from './fake-electron.js';

const PASSWORD = 'correct horse battery staple';

class MemoryFiles implements SecretFiles {
  readonly files = new Map<string, Buffer>();
  read(path: string): Buffer | undefined {
    return this.files.get(path);
  }
  write(path: string, data: Buffer): void {
    this.files.set(path, Buffer.from(data));
  }
  remove(path: string): void {
    this.files.delete(path);
  }
}

function setup(platform: NodeJS.Platform = 'linux') {
  const safeStorage = new FakeSafeStorage();
  const files = new MemoryFiles();
  const { logger, records } = memoryLogger();
  const make = () => new SafeStorageSecretStore({ safeStorage, dir: '/user-data', logger, platform, files });
  return { safeStorage, files, records, make, store: make() };
}

describe('SafeStorageSecretStore', () => {
  it('stores only ciphertext, in its own file, and reads it back in a new store', () => {
    const { store, files, make, records } = setup();
    store.setPassword(PASSWORD);
    const data = files.read(join('/user-data', SECRET_FILE_NAME));
    expect(data).toBeDefined();
    expect(data?.toString('utf8')).not.toContain(PASSWORD);
    expect(data?.toString('latin1')).not.toContain(PASSWORD);
    expect(make().getPassword()).toBe(PASSWORD);
    expect(JSON.stringify(records)).not.toContain(PASSWORD);
  });

  it('refuses to store when the system cannot encrypt: throws, logs, writes nothing', () => {
    const { store, files, safeStorage, records } = setup();
    safeStorage.available = false;
    expect(() => store.setPassword(PASSWORD)).toThrow(
      /^the password cannot be stored securely on this computer: the system offers no encryption for secrets$/,
    );
    expect(files.files.size).toBe(0);
    expect(safeStorage.encryptCalls).toBe(0);
    expect(
      records.some((r) => r.level === 'error' && /not stored.*never kept in plain text/.test(r.msg)),
    ).toBe(true);
    expect(JSON.stringify(records)).not.toContain(PASSWORD);
    expect(store.getPassword()).toBeUndefined();
  });

  it("refuses Linux's basic_text backend (a fixed key) too", () => {
    const { store, files, safeStorage } = setup('linux');
    safeStorage.backend = 'basic_text';
    expect(store.unavailableReason()).toMatch(/keyring/);
    expect(() => store.setPassword(PASSWORD)).toThrow(/cannot be stored securely.*keyring/);
    expect(files.files.size).toBe(0);
  });

  it('forgets: an empty or absent password removes the file', () => {
    const { store, files, make } = setup();
    store.setPassword(PASSWORD);
    store.setPassword('');
    expect(files.files.size).toBe(0);
    expect(store.getPassword()).toBeUndefined();
    expect(make().getPassword()).toBeUndefined();
  });

  it('prepare encrypts and writes nothing; a refusal comes before any write', () => {
    const { store, files, safeStorage } = setup();
    const prepared = store.prepare(PASSWORD);
    expect(safeStorage.encryptCalls).toBe(1);
    expect(files.files.size).toBe(0);
    prepared.apply();
    expect(store.getPassword()).toBe(PASSWORD);
    safeStorage.available = false;
    expect(() => store.prepare('another')).toThrow(/cannot be stored securely/);
    expect(store.getPassword()).toBe(PASSWORD);
  });

  it('undo puts the previous file back byte for byte, and the password with it', () => {
    const { store, files, make } = setup();
    const path = join('/user-data', SECRET_FILE_NAME);
    store.setPassword(PASSWORD);
    const before = Buffer.from(files.read(path) ?? Buffer.alloc(0));
    const undo = store.prepare('new password').apply();
    expect(store.getPassword()).toBe('new password');
    undo();
    expect(files.read(path)).toEqual(before);
    expect(store.getPassword()).toBe(PASSWORD);
    expect(make().getPassword()).toBe(PASSWORD);
    // Forgetting, undone: the file is back too; a first password, undone: no file.
    const undoForget = store.prepare(undefined).apply();
    expect(files.files.size).toBe(0);
    undoForget();
    expect(files.read(path)).toEqual(before);
    files.remove(path);
    const fresh = make();
    fresh.prepare(PASSWORD).apply()();
    expect(files.files.size).toBe(0);
    expect(fresh.getPassword()).toBeUndefined();
  });

  it('undo restores even a file this system cannot decrypt (it is not ours to lose)', () => {
    const { files, make } = setup();
    const path = join('/user-data', SECRET_FILE_NAME);
    files.write(path, Buffer.from('v11 sealed by another keyring'));
    const store = make();
    store.prepare(PASSWORD).apply()();
    expect(files.read(path)?.toString()).toBe('v11 sealed by another keyring');
  });

  it('a disk that refuses the write: a sentence, logged, nothing changed', () => {
    const { store, files, records } = setup();
    store.setPassword(PASSWORD);
    files.write = () => {
      throw new Error('ENOSPC: no space left on device');
    };
    expect(() => store.setPassword('new password')).toThrow(/^the password could not be written to disk$/);
    expect(store.getPassword()).toBe(PASSWORD);
    expect(
      records.some((r) => r.level === 'error' && r.msg === 'the SIP password file could not be written'),
    ).toBe(true);
  });

  it('a ciphertext that cannot be decrypted is no password (logged, without content)', () => {
    const { files, make, records } = setup();
    files.write(join('/user-data', SECRET_FILE_NAME), Buffer.from('garbage'));
    expect(make().getPassword()).toBeUndefined();
    expect(records.some((r) => r.level === 'error' && /cannot be decrypted/.test(r.msg))).toBe(true);
  });

  it('on disk: a 0600 file of ciphertext', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-secret-'));
    const safeStorage = new FakeSafeStorage();
    const store = new SafeStorageSecretStore({
      safeStorage,
      dir,
      logger: memoryLogger().logger,
      platform: 'darwin',
    });
    store.setPassword(PASSWORD);
    const path = join(dir, SECRET_FILE_NAME);
    expect(readFileSync(path).toString('latin1')).not.toContain(PASSWORD);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(
      new SafeStorageSecretStore({
        safeStorage,
        dir,
        logger: memoryLogger().logger,
        platform: 'darwin',
      }).getPassword(),
    ).toBe(PASSWORD);
  });
});
