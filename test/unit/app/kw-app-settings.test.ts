/**
 * Saving the settings through KwApp: all or nothing (finding 6), and the
 * trusted routing points carried from the form to the core. The stores are
 * the Electron shell's real ones on injected files (a map for electron-store,
 * memory files for the secret) with a FAKE safeStorage (test/unit/electron:
 * no Electron here); the core is real, and where it signs in again it does so
 * over a real WebSocket to the lab SIP server on loopback.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KwApp } from '../../../main/app/kw-app.js';
import { runCommand } from '../../../main/app/run-command.js';
import type { StoredSettings } from '../../../main/app/ports.js';
import { kwCoreFactory, type CoreConfig } from '../../../main/core/core-factory.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { memoryLogger } from '../../../main/core/log.js';
import { SafeStorageSecretStore, SECRET_FILE_NAME } from '../../../main/electron/secret-store.js';
import { SETTINGS_VERSION } from '../../../main/electron/settings-migrations.js';
import { ElectronSettingsStore, type KeyValueFile } from '../../../main/electron/settings-store.js';
import type { SettingsInput } from '../../../preload/contract.js';
import { startSipServer } from '../../../lab/sip-server/index.js';
import { FakeSafeStorage } from '../electron/fake-electron.js';
import { cleanupAfterEach } from '../../support/cleanup.js';

const later = cleanupAfterEach();
const OLD_PASSWORD = 'old secret';
const SECRET_PATH = join('/user-data', SECRET_FILE_NAME);

const STORED: StoredSettings = {
  account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim Expert' },
  servers: ['ws://127.0.0.1:9'],
  idleMinutes: 10,
  startAtLogin: false,
  sounds: true,
  lastPresence: 'available',
  audioInput: '',
  audioOutput: '',
  trustedRoutingPoints: ['sip:billing-experts@lab.local'],
  extraCaCertificates: [],
  updates: {},
  timedDnd: null,
  globalShortcuts: null,
};

/** electron-store as a map, whose writes can be made to fail. */
class MapFile implements KeyValueFile {
  readonly data = new Map<string, unknown>();
  failWrites = false;
  constructor(settings: StoredSettings) {
    this.data.set('schemaVersion', SETTINGS_VERSION);
    this.data.set('settings', structuredClone(settings));
  }
  get(key: 'schemaVersion' | 'settings'): unknown {
    return this.data.get(key);
  }
  set(values: { schemaVersion: number; settings: StoredSettings }): void {
    if (this.failWrites) throw new Error("EROFS: read-only file system, open '/user-data/settings.json'");
    this.data.set('schemaVersion', values.schemaVersion);
    this.data.set('settings', structuredClone(values.settings));
  }
}

class MemoryFiles {
  readonly files = new Map<string, Buffer>();
  read = (path: string): Buffer | undefined => this.files.get(path);
  write = (path: string, data: Buffer): void => void this.files.set(path, Buffer.from(data));
  remove = (path: string): void => void this.files.delete(path);
}

function setup(settings: StoredSettings = STORED) {
  const log = memoryLogger();
  const file = new MapFile(settings);
  const safeStorage = new FakeSafeStorage();
  const files = new MemoryFiles();
  const secrets = new SafeStorageSecretStore({
    safeStorage,
    dir: '/user-data',
    logger: log.logger,
    platform: 'linux',
    files,
  });
  secrets.setPassword(OLD_PASSWORD);
  const configs: CoreConfig[] = [];
  const factory = kwCoreFactory({ history: new MemoryHistoryStore(), logger: log.logger });
  const app = new KwApp({
    settings: new ElectronSettingsStore(file, log.logger),
    secrets,
    createCore: (config) => {
      configs.push(config);
      return factory(config);
    },
    links: { open: () => Promise.resolve() },
    windows: { showMain: () => undefined, setCallPopup: () => undefined },
    logger: log.logger,
  });
  later(() => app.stop());
  const secretBytes = (): Buffer | undefined => files.read(SECRET_PATH);
  return { app, file, safeStorage, files, secrets, configs, log, secretBytes };
}

/** A save that changes everything: account, servers, behaviour, routing points and the password. */
function everythingChanged(servers: string[]): SettingsInput {
  return {
    account: { uri: 'sip:kw2@lab.local', authUser: 'kw2', displayName: 'Kai', password: 'new secret' },
    servers,
    idleMinutes: 3,
    startAtLogin: true,
    sounds: false,
    trustedRoutingPoints: ['sip:claims-experts@lab.local'],
  };
}

describe('KwApp: a settings save is all or nothing', () => {
  it('the password cannot be encrypted: settings and secret stay exactly as they were; the error is a sentence', async () => {
    const { app, file, safeStorage, secrets, configs, secretBytes } = setup();
    const fileBefore = structuredClone(file.data.get('settings'));
    const secretBefore = secretBytes();
    safeStorage.available = false;
    const result = await runCommand(
      app.handlers,
      'settings.save',
      everythingChanged(['ws://127.0.0.1:9']),
      memoryLogger().logger,
      'main',
    );
    expect(result).toEqual({
      ok: false,
      error:
        'the password cannot be stored securely on this computer: the system offers no encryption for secrets; nothing was changed',
    });
    expect(file.data.get('settings')).toEqual(fileBefore);
    expect(secretBytes()).toEqual(secretBefore);
    safeStorage.available = true;
    expect(secrets.getPassword()).toBe(OLD_PASSWORD);
    expect(await app.handlers['settings.get']({})).toEqual({
      account: { ...STORED.account, hasPassword: true },
      servers: STORED.servers,
      idleMinutes: 10,
      startAtLogin: false,
      sounds: true,
      trustedRoutingPoints: STORED.trustedRoutingPoints,
      locked: [],
      globalShortcuts: null,
    });
    expect(configs).toHaveLength(1); // the first core only: no sign-in again
  });

  it('the settings file cannot be written after the secret was stored: the old secret is put back', async () => {
    const { app, file, files, secrets, configs, secretBytes, log } = setup();
    const fileBefore = structuredClone(file.data.get('settings'));
    const secretBefore = Buffer.from(secretBytes() ?? Buffer.alloc(0));
    let writes = 0;
    const write = files.write;
    files.write = (path, data) => {
      writes += 1;
      write(path, data);
    };
    file.failWrites = true;
    const result = await runCommand(
      app.handlers,
      'settings.save',
      everythingChanged(['ws://127.0.0.1:9']),
      memoryLogger().logger,
      'main',
    );
    expect(result).toEqual({
      ok: false,
      error: 'the settings file could not be written; nothing was changed',
    });
    // The new secret was written, then the old one put back.
    expect(writes).toBe(2);
    expect(secretBytes()).toEqual(secretBefore);
    expect(secrets.getPassword()).toBe(OLD_PASSWORD);
    expect(file.data.get('settings')).toEqual(fileBefore);
    expect((await app.handlers['settings.get']({})).account.displayName).toBe('Kim Expert');
    expect(configs).toHaveLength(1);
    const errors = log.records.filter((r) => r.level === 'error').map((r) => r.msg);
    expect(errors).toContain('settings file not written');
    expect(JSON.stringify(log.records)).not.toContain('new secret');
  });

  it('forgetting the password, when the settings cannot be written: the password stays', async () => {
    const { app, file, secrets } = setup();
    file.failWrites = true;
    const input = { ...everythingChanged(STORED.servers as string[]) };
    await expect(
      app.handlers['settings.save']({ ...input, account: { ...input.account, password: '' } }),
    ).rejects.toThrow(/nothing was changed/);
    expect(secrets.getPassword()).toBe(OLD_PASSWORD);
  });
});

describe('KwApp: trusted routing points in the settings', () => {
  it('the view carries them; an unchanged list and password keep the same core', async () => {
    const { app, configs } = setup();
    expect(configs[0]?.trustedRoutingPoints).toEqual(['sip:billing-experts@lab.local']);
    const view = await app.handlers['settings.save']({
      account: STORED.account,
      servers: [...STORED.servers],
      idleMinutes: 7,
      startAtLogin: false,
      sounds: true,
      trustedRoutingPoints: ['sip:billing-experts@lab.local'],
    });
    expect(view.idleMinutes).toBe(7);
    expect(view.trustedRoutingPoints).toEqual(['sip:billing-experts@lab.local']);
    expect(configs).toHaveLength(1);
  });

  it('an input without the list keeps the stored one', async () => {
    const { app } = setup();
    const view = await app.handlers['settings.save']({
      account: STORED.account,
      servers: [...STORED.servers],
      idleMinutes: 10,
      startAtLogin: false,
      sounds: false,
    });
    expect(view.trustedRoutingPoints).toEqual(['sip:billing-experts@lab.local']);
  });

  it('a changed list is saved and the core built again with it, signing in again on the lab server', async () => {
    const { logger } = memoryLogger('warn');
    const sip = await startSipServer({ port: 0, logger });
    later(() => sip.close());
    const { app, configs, file } = setup({ ...STORED, servers: [sip.url] });
    await app.start();
    await expect.poll(() => app.kwCore.agent.isRegistered, { timeout: 10_000 }).toBe(true);
    const first = app.kwCore;
    const result = await runCommand(
      app.handlers,
      'settings.save',
      {
        account: STORED.account,
        servers: [sip.url],
        idleMinutes: 10,
        startAtLogin: false,
        sounds: true,
        trustedRoutingPoints: ['sip:claims-experts@LAB.local', ' sips:billing@example.com '],
      },
      memoryLogger().logger,
      'main',
    );
    const normalised = ['sip:claims-experts@lab.local', 'sips:billing@example.com'];
    expect(result).toMatchObject({ ok: true, value: { trustedRoutingPoints: normalised } });
    expect((file.data.get('settings') as StoredSettings).trustedRoutingPoints).toEqual(normalised);
    expect(configs.map((c) => c.trustedRoutingPoints)).toEqual([
      ['sip:billing-experts@lab.local'],
      normalised,
    ]);
    expect(app.kwCore).not.toBe(first);
    expect(first.agent.isRegistered).toBe(false);
    await expect.poll(() => app.kwCore.agent.isRegistered, { timeout: 10_000 }).toBe(true);
  });
});
