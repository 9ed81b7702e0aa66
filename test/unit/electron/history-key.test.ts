/**
 * The history key on safeStorage: made once and kept wrapped by the system
 * (never in plain text), read back the same by a new instance; a wrapped key
 * the system cannot decrypt is kept aside and replaced; no keystore, no key.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import type { SecretFiles } from '../../../main/electron/secret-store.js';
import {
  HISTORY_KEY_FILE,
  KEY_MISSING,
  NO_KEYSTORE,
  SafeStorageHistoryKey,
} from '../../../main/electron/history-key.js';
import { FakeSafeStorage } from './fake-electron.js';

class MemoryFiles implements SecretFiles {
  readonly files = new Map<string, Buffer>();
  failWrites = false;
  read(path: string): Buffer | undefined {
    return this.files.get(path);
  }
  write(path: string, data: Buffer): void {
    if (this.failWrites) throw Object.assign(new Error('EROFS'), { code: 'EROFS' });
    this.files.set(path, Buffer.from(data));
  }
  remove(path: string): void {
    this.files.delete(path);
  }
}

const PATH = join('/user-data', HISTORY_KEY_FILE);

function setup(platform: NodeJS.Platform = 'linux') {
  const safeStorage = new FakeSafeStorage();
  const files = new MemoryFiles();
  const log = memoryLogger();
  const make = () =>
    new SafeStorageHistoryKey({
      safeStorage,
      dir: '/user-data',
      logger: log.logger,
      platform,
      files,
      now: () => 7,
    });
  return { safeStorage, files, log, make };
}

describe('SafeStorageHistoryKey', () => {
  it('makes a 32-byte key on first use, stores it wrapped by the system, and reads the same one back', () => {
    const { files, make, safeStorage } = setup();
    const first = make().load();
    expect(first.state).toBe('ready');
    const key = first.state === 'ready' ? Buffer.from(first.key) : Buffer.alloc(0);
    expect(key).toHaveLength(32);
    const stored = files.read(PATH);
    expect(stored?.subarray(0, 3).toString()).toBe('v10');
    expect(stored?.includes(Buffer.from(key.toString('base64')))).toBe(false);
    expect(safeStorage.encryptCalls).toBe(1);

    const again = make().load();
    expect(again.state === 'ready' && Buffer.from(again.key).equals(key)).toBe(true);
    expect(safeStorage.encryptCalls).toBe(1);
  });

  it('keeps a wrapped key the system cannot decrypt aside, and replaces it', () => {
    const { files, make, log } = setup();
    files.write(PATH, Buffer.from('garbage from another computer'));
    const load = make().load();
    expect(load).toMatchObject({ state: 'replaced', reason: KEY_MISSING });
    expect(files.read(`${PATH}.unreadable-7`)?.toString()).toBe('garbage from another computer');
    expect(files.read(PATH)?.subarray(0, 3).toString()).toBe('v10');
    expect(log.records.some((r) => r.level === 'error' && /cannot be decrypted/.test(r.msg))).toBe(true);
    expect(make().load().state).toBe('ready');
  });

  it('says unavailable, and stores nothing, without a keystore (none, or Linux basic_text)', () => {
    const none = setup();
    none.safeStorage.available = false;
    expect(none.make().load()).toEqual({ state: 'unavailable', reason: NO_KEYSTORE });
    expect(none.files.files.size).toBe(0);

    const basic = setup('linux');
    basic.safeStorage.backend = 'basic_text';
    expect(basic.make().load().state).toBe('unavailable');
    expect(basic.files.files.size).toBe(0);

    const mac = setup('darwin');
    mac.safeStorage.backend = 'basic_text';
    expect(mac.make().load().state).toBe('ready');
  });

  it('says unavailable, never throws, when the new key cannot be written', () => {
    const { files, make } = setup();
    files.failWrites = true;
    expect(make().load()).toEqual({ state: 'unavailable', reason: NO_KEYSTORE });
  });
});
