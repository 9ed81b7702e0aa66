/**
 * The policy merged into the settings: Enforced wins over what is stored,
 * Default seeds a new install only, and a save that changes an enforced value
 * is refused with a sentence and changes nothing (settings file, password,
 * running core). Real stores: electron-store's settings store on a map, the
 * real KwApp and core (never started: no network needed here).
 */
import { describe, expect, it } from 'vitest';
import { KwApp } from '../../../main/app/kw-app.js';
import { runCommand } from '../../../main/app/run-command.js';
import {
  DEFAULT_SETTINGS,
  MemorySecretStore,
  type GlobalShortcutsPort,
  type StoredSettings,
} from '../../../main/app/ports.js';
import { parsePolicy, type Policy } from '../../../main/app/policy/policy-model.js';
import {
  PolicySettingsStore,
  seedDefaults,
  startAtLoginFromPolicy,
} from '../../../main/app/policy/policy-settings.js';
import { kwCoreFactory, type CoreConfig } from '../../../main/core/core-factory.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { memoryLogger } from '../../../main/core/log.js';
import { SETTINGS_VERSION } from '../../../main/electron/settings-migrations.js';
import { ElectronSettingsStore, type KeyValueFile } from '../../../main/electron/settings-store.js';
import type { SettingsInput } from '../../../preload/contract.js';
import { cleanupAfterEach } from '../../support/cleanup.js';

const later = cleanupAfterEach();

const STORED: StoredSettings = {
  ...DEFAULT_SETTINGS,
  account: { uri: 'sip:kim@example.com', authUser: '', displayName: 'Kim' },
  servers: ['wss://mine.example.com'],
  sounds: true,
};

const POLICY: Policy = parsePolicy({
  Default: { 'account.displayName': 'Default Name', idleMinutes: 20 },
  Enforced: { servers: ['wss://corp.example.com'], sounds: false },
  problems: [],
}).policy;

/** electron-store as a map; `undefined` settings = no file yet (a new install). */
class MapFile implements KeyValueFile {
  readonly data = new Map<string, unknown>();
  constructor(settings?: StoredSettings) {
    if (settings) this.data.set('schemaVersion', SETTINGS_VERSION);
    if (settings) this.data.set('settings', structuredClone(settings));
  }
  get(key: 'schemaVersion' | 'settings'): unknown {
    return this.data.get(key);
  }
  set(values: { schemaVersion: number; settings: StoredSettings }): void {
    this.data.set('schemaVersion', values.schemaVersion);
    this.data.set('settings', structuredClone(values.settings));
  }
}

function stores(settings?: StoredSettings, policy: Policy = POLICY) {
  const log = memoryLogger();
  const file = new MapFile(settings);
  const fresh = file.get('settings') === undefined;
  const stored = new ElectronSettingsStore(file, log.logger);
  seedDefaults(stored, policy, fresh, log.logger);
  return { file, stored, store: new PolicySettingsStore(stored, policy, log.logger), log };
}

describe('policy over settings', () => {
  it('enforced values win over the stored ones; the others are the KW’s', () => {
    const { store } = stores(STORED);
    expect(store.load()).toEqual({ ...STORED, servers: ['wss://corp.example.com'], sounds: false });
    expect(store.locked()).toEqual(['servers', 'sounds']);
  });

  it('defaults seed a new install (no settings file), and are written', () => {
    const { store, file } = stores(undefined);
    expect(store.load().account.displayName).toBe('Default Name');
    expect(store.load().idleMinutes).toBe(20);
    expect(file.data.get('settings')).toMatchObject({
      account: { displayName: 'Default Name' },
      idleMinutes: 20,
    });
  });

  it('defaults never overwrite an existing settings file', () => {
    const { store } = stores(STORED);
    expect(store.load().account.displayName).toBe('Kim');
    expect(store.load().idleMinutes).toBe(STORED.idleMinutes);
  });

  it('a save that keeps the enforced values goes through and keeps the KW’s own values underneath', () => {
    const { store, file } = stores(STORED);
    store.save({ ...store.load(), idleMinutes: 5 });
    expect(store.load().idleMinutes).toBe(5);
    expect(store.load().servers).toEqual(['wss://corp.example.com']);
    // Lifting the policy gives back the KW's servers and sounds.
    expect(file.data.get('settings')).toMatchObject({
      servers: ['wss://mine.example.com'],
      sounds: true,
      idleMinutes: 5,
    });
  });

  it('a save that changes an enforced value is refused with a sentence, nothing written', () => {
    const { store, file, log } = stores(STORED);
    const before = structuredClone(file.data.get('settings'));
    expect(() => store.save({ ...store.load(), idleMinutes: 5, sounds: true })).toThrow(
      'Set by your organization: sounds cannot be changed here.',
    );
    expect(file.data.get('settings')).toEqual(before);
    expect(log.records.some((r) => r.msg === 'settings save refused: enforced by policy')).toBe(true);
  });
});

describe('KwApp with a policy', () => {
  function app() {
    const { store, file } = stores(STORED);
    const secrets = new MemorySecretStore('old secret');
    const configs: CoreConfig[] = [];
    const factory = kwCoreFactory({ history: new MemoryHistoryStore(), logger: memoryLogger().logger });
    const kwApp = new KwApp({
      settings: store,
      policy: store,
      secrets,
      createCore: (config) => {
        configs.push(config);
        return factory(config);
      },
      links: { open: () => Promise.resolve() },
      windows: { showMain: () => undefined, setCallPopup: () => undefined },
      logger: memoryLogger().logger,
    });
    later(() => kwApp.stop());
    return { kwApp, file, secrets, configs };
  }

  const save = (changes: Partial<SettingsInput>): SettingsInput => ({
    account: { uri: 'sip:kim@example.com', authUser: '', displayName: 'Kim', password: 'new secret' },
    servers: ['wss://corp.example.com'],
    idleMinutes: 10,
    startAtLogin: false,
    sounds: false,
    ...changes,
  });

  it('builds the core with the enforced servers and shows them locked', async () => {
    const { kwApp, configs } = app();
    expect(configs[0]?.account.servers).toEqual(['wss://corp.example.com']);
    const view = await kwApp.handlers['settings.get']({});
    expect(view.locked).toEqual(['servers', 'sounds']);
    expect(view.sounds).toBe(false);
  });

  it('refuses a save that changes enforced keys: settings, password and core unchanged', async () => {
    const { kwApp, file, secrets, configs } = app();
    const before = structuredClone(file.data.get('settings'));
    const result = await runCommand(
      kwApp.handlers,
      'settings.save',
      save({ servers: ['wss://elsewhere.example.com'], sounds: true, idleMinutes: 3 }),
      memoryLogger().logger,
      'main',
    );
    expect(result).toEqual({
      ok: false,
      error: 'Set by your organization: the servers and sounds cannot be changed here.',
    });
    expect(file.data.get('settings')).toEqual(before);
    expect(secrets.getPassword()).toBe('old secret');
    expect(configs).toHaveLength(1);
  });
});

describe('start at login from the policy', () => {
  const policy = (Default: Record<string, unknown>, Enforced: Record<string, unknown>): Policy =>
    parsePolicy({ Default, Enforced, problems: [] }).policy;

  it('an enforced value applies at every start; a Default only on a new install; else nothing', () => {
    expect(startAtLoginFromPolicy(policy({ startAtLogin: false }, { startAtLogin: true }), false)).toBe(true);
    expect(startAtLoginFromPolicy(policy({ startAtLogin: true }, {}), true)).toBe(true);
    expect(startAtLoginFromPolicy(policy({ startAtLogin: true }, {}), false)).toBeUndefined();
    expect(startAtLoginFromPolicy(policy({}, {}), true)).toBeUndefined();
  });
});

describe('global shortcuts set by the policy', () => {
  const CORP = { accept: 'CommandOrControl+Shift+F9', decline: 'CommandOrControl+Shift+F10' };
  const MINE = { accept: 'Alt+Shift+Y', decline: 'Alt+Shift+N' };
  const policy = (Default: Record<string, unknown>, Enforced: Record<string, unknown>): Policy =>
    parsePolicy({ Default, Enforced, problems: [] }).policy;
  const ENFORCED_ON = policy({}, { globalShortcuts: { enabled: true, ...CORP } });

  it('enforced on wins over the KW’s off, is locked, and a save turning them off is refused', () => {
    const { store, file } = stores({ ...STORED, globalShortcuts: null }, ENFORCED_ON);
    expect(store.load().globalShortcuts).toEqual(CORP);
    expect(store.locked()).toEqual(['globalShortcuts']);
    const before = structuredClone(file.data.get('settings'));
    expect(() => store.save({ ...store.load(), globalShortcuts: null })).toThrow(
      'Set by your organization: the global shortcuts cannot be changed here.',
    );
    expect(() =>
      store.save({ ...store.load(), globalShortcuts: { ...CORP, accept: 'Alt+Shift+Q' } }),
    ).toThrow('Set by your organization: the global shortcuts cannot be changed here.');
    expect(file.data.get('settings')).toEqual(before);
  });

  it('a save that keeps them keeps the KW’s own choice (off) underneath', () => {
    const { store, file } = stores({ ...STORED, globalShortcuts: null }, ENFORCED_ON);
    store.save({ ...store.load(), idleMinutes: 7 });
    expect(file.data.get('settings')).toMatchObject({ globalShortcuts: null, idleMinutes: 7 });
    expect(store.load().globalShortcuts).toEqual(CORP);
  });

  it('enforced off (null) wins over the KW’s own shortcuts, which stay underneath', () => {
    const { store, file } = stores(
      { ...STORED, globalShortcuts: MINE },
      policy({}, { globalShortcuts: { enabled: 0 } }),
    );
    expect(store.load().globalShortcuts).toBeNull();
    expect(store.locked()).toEqual(['globalShortcuts']);
    store.save({ ...store.load(), idleMinutes: 3 });
    expect(file.data.get('settings')).toMatchObject({ globalShortcuts: MINE });
  });

  it('a Default turns them on for a new install only', () => {
    const byDefault = policy({ globalShortcuts: { enabled: true } }, {});
    expect(stores(undefined, byDefault).store.load().globalShortcuts).toEqual({
      accept: 'CommandOrControl+Alt+A',
      decline: 'CommandOrControl+Alt+D',
    });
    expect(stores({ ...STORED, globalShortcuts: null }, byDefault).store.load().globalShortcuts).toBeNull();
  });

  it('KwApp registers the enforced shortcuts and shows them locked', async () => {
    const { store } = stores(
      { ...STORED, account: DEFAULT_SETTINGS.account, globalShortcuts: null },
      ENFORCED_ON,
    );
    const applied: StoredSettings['globalShortcuts'][] = [];
    const shortcuts: GlobalShortcutsPort = {
      apply: (s) => {
        applied.push(s);
        return undefined;
      },
    };
    const kwApp = new KwApp({
      settings: store,
      policy: store,
      secrets: new MemorySecretStore(),
      createCore: kwCoreFactory({ history: new MemoryHistoryStore(), logger: memoryLogger().logger }),
      links: { open: () => Promise.resolve() },
      windows: { showMain: () => undefined, setCallPopup: () => undefined },
      logger: memoryLogger().logger,
      shortcuts,
    });
    later(() => kwApp.stop());
    await kwApp.start();
    expect(applied).toEqual([CORP]);
    const view = await kwApp.handlers['settings.get']({});
    expect(view.locked).toEqual(['globalShortcuts']);
    expect(view.globalShortcuts).toEqual(CORP);
  });
});
