import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type StoredSettings } from '../../../main/app/ports.js';
import { memoryLogger } from '../../../main/core/log.js';
import {
  MIGRATIONS,
  migrateSettings,
  SETTINGS_VERSION,
  toStoredSettings,
} from '../../../main/electron/settings-migrations.js';
import { ElectronSettingsStore, type KeyValueFile } from '../../../main/electron/settings-store.js';

const V1 = {
  sipUri: 'sip:kim@example.com',
  displayName: 'Kim Expert',
  server: 'wss://sip.example.com:7443',
  idleMinutes: 15,
};
const V2 = {
  account: { uri: 'sip:kim@example.com', authUser: 'kim', displayName: 'Kim Expert' },
  servers: ['wss://a.example.com', 'wss://b.example.com'],
  idleMinutes: 5,
  startAtLogin: true,
  sounds: false,
};
const V3 = { ...V2, lastPresence: 'busy' as const };
const V4 = { ...V3, audioInput: 'usb-headset-mic', audioOutput: 'usb-headset' };
const V5 = { ...V4, trustedRoutingPoints: ['sip:billing-experts@example.com'] };
const V6 = { ...V5, extraCaCertificates: [], updates: {} };
const V7 = { ...V6, timedDnd: null };
const V8: StoredSettings = { ...V7, globalShortcuts: null };
const NEW_IN_6 = { extraCaCertificates: [], updates: {}, timedDnd: null, globalShortcuts: null };

describe('settings migrations', () => {
  it('numbers the steps 1..current-1, in order', () => {
    expect(MIGRATIONS.map((m) => m.from)).toEqual(
      Array.from({ length: SETTINGS_VERSION - 1 }, (_, i) => i + 1),
    );
  });

  it('no file: the defaults, to be written; a new install trusts no routing point', () => {
    expect(migrateSettings({})).toEqual({
      settings: DEFAULT_SETTINGS,
      fromVersion: 0,
      applied: [],
      changed: true,
      problems: [],
    });
    expect(DEFAULT_SETTINGS.trustedRoutingPoints).toEqual([]);
  });

  it('version 1 → current', () => {
    const out = migrateSettings({ schemaVersion: 1, settings: V1 });
    expect(out.applied).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(out.changed).toBe(true);
    expect(out.problems).toEqual([]);
    expect(out.settings).toEqual({
      account: { uri: 'sip:kim@example.com', authUser: '', displayName: 'Kim Expert' },
      servers: ['wss://sip.example.com:7443'],
      idleMinutes: 15,
      startAtLogin: false,
      sounds: true,
      lastPresence: 'available',
      audioInput: '',
      audioOutput: '',
      trustedRoutingPoints: [],
      ...NEW_IN_6,
    });
  });

  it('a file without schemaVersion is version 1', () => {
    expect(migrateSettings({ settings: V1 }).settings).toEqual(
      migrateSettings({ schemaVersion: 1, settings: V1 }).settings,
    );
  });

  it('version 2 → current', () => {
    const out = migrateSettings({ schemaVersion: 2, settings: V2 });
    expect(out.applied).toEqual([2, 3, 4, 5, 6, 7]);
    expect(out.settings).toEqual({
      ...V2,
      lastPresence: 'available',
      audioInput: '',
      audioOutput: '',
      trustedRoutingPoints: [],
      ...NEW_IN_6,
    });
  });

  it('version 3 → current: system default devices until chosen', () => {
    const out = migrateSettings({ schemaVersion: 3, settings: V3 });
    expect(out.applied).toEqual([3, 4, 5, 6, 7]);
    expect(out.settings).toEqual({
      ...V3,
      audioInput: '',
      audioOutput: '',
      trustedRoutingPoints: [],
      ...NEW_IN_6,
    });
  });

  it('version 4 → 5: an existing install trusts no routing point until the KW lists one', () => {
    const out = migrateSettings({ schemaVersion: 4, settings: V4 });
    expect(out.applied).toEqual([4, 5, 6, 7]);
    expect(out.changed).toBe(true);
    expect(out.problems).toEqual([]);
    expect(out.settings).toEqual({ ...V4, trustedRoutingPoints: [], ...NEW_IN_6 });
  });

  it('version 5 → 6: no extra certificates, no provisioned update settings; the account is kept', () => {
    const out = migrateSettings({ schemaVersion: 5, settings: V5 });
    expect(out.applied).toEqual([5, 6, 7]);
    expect(out.problems).toEqual([]);
    expect(out.settings).toEqual(V8);
  });

  it('version 6 → 7: no timed Do not disturb', () => {
    const out = migrateSettings({ schemaVersion: 6, settings: V6 });
    expect(out.applied).toEqual([6, 7]);
    expect(out.problems).toEqual([]);
    expect(out.settings).toEqual(V8);
  });

  it('version 7 → 8: no global shortcuts (off until turned on); good ones kept, bad ones off, reported', () => {
    const out = migrateSettings({ schemaVersion: 7, settings: V7 });
    expect(out.applied).toEqual([7]);
    expect(out.settings).toEqual(V8);
    expect(SETTINGS_VERSION).toBe(8);
    const shortcuts = { accept: 'CommandOrControl+Alt+A', decline: 'CommandOrControl+Alt+D' };
    expect(
      migrateSettings({ schemaVersion: 8, settings: { ...V8, globalShortcuts: shortcuts } }).settings
        .globalShortcuts,
    ).toEqual(shortcuts);
    const bare = migrateSettings({
      schemaVersion: 8,
      settings: { ...V8, globalShortcuts: { accept: 'A', decline: 'D' } },
    });
    expect(bare.settings.globalShortcuts).toBeNull();
    expect(bare.problems).toEqual(['globalShortcuts: invalid, using the default']);
  });

  it('a timed Do not disturb is kept; a broken one is none, reported', () => {
    const timedDnd = { until: '2026-12-05T15:30:00.000Z', returnTo: 'busy' };
    expect(migrateSettings({ schemaVersion: 8, settings: { ...V8, timedDnd } }).settings.timedDnd).toEqual(
      timedDnd,
    );
    const bad = migrateSettings({
      schemaVersion: 8,
      settings: { ...V8, timedDnd: { until: '2026-02-30T10:00:00Z', returnTo: 'busy' } },
    });
    expect(bad.settings.timedDnd).toBeNull();
    expect(bad.problems).toEqual(['timedDnd: invalid, using the default']);
  });

  it('a new install has no account and no server (the sign-in screen); both are valid in the file', () => {
    expect(DEFAULT_SETTINGS.account.uri).toBe('');
    expect(DEFAULT_SETTINGS.servers).toEqual([]);
    const out = migrateSettings({ schemaVersion: SETTINGS_VERSION, settings: DEFAULT_SETTINGS });
    expect(out).toMatchObject({ problems: [], changed: false, settings: DEFAULT_SETTINGS });
  });

  it('extra certificates and the update feed are checked like the policy checks them', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
    const good = migrateSettings({
      schemaVersion: 8,
      settings: {
        ...V8,
        extraCaCertificates: [pem],
        updates: { enabled: false, feedUrl: 'https://u.example.com/kw' },
      },
    });
    expect(good.problems).toEqual([]);
    expect(good.settings.extraCaCertificates).toEqual([pem]);
    const bad = migrateSettings({
      schemaVersion: 8,
      settings: {
        ...V8,
        extraCaCertificates: ['not a certificate'],
        updates: { feedUrl: 'http://u.example.com' },
      },
    });
    expect(bad.settings).toMatchObject({ extraCaCertificates: [], updates: {} });
    expect(bad.problems).toEqual([
      'extraCaCertificates: invalid, using the default',
      'updates: invalid, using the default',
    ]);
  });

  it('current version: unchanged, nothing to write', () => {
    const out = migrateSettings({ schemaVersion: SETTINGS_VERSION, settings: V8 });
    expect(out).toMatchObject({ applied: [], changed: false, problems: [], settings: V8 });
  });

  it('trusted routing points in the file are checked like a save: a bad list trusts none, reported', () => {
    const bad: unknown[] = [
      ['billing-experts'],
      ['sip:a@example.com', 'sip:a@EXAMPLE.com'],
      ['sip:a@example.com:5060'],
      Array.from({ length: 51 }, (_, i) => `sip:rp${i}@example.com`),
      'sip:a@example.com',
    ];
    for (const trustedRoutingPoints of bad) {
      const out = migrateSettings({ schemaVersion: 8, settings: { ...V8, trustedRoutingPoints } });
      expect(out.settings.trustedRoutingPoints).toEqual([]);
      expect(out.problems).toEqual(['trustedRoutingPoints: invalid, using the default']);
      expect(out.changed).toBe(true);
    }
  });

  it('a newer version is read as far as known and never written back', () => {
    const out = migrateSettings({ schemaVersion: SETTINGS_VERSION + 1, settings: { ...V8, theme: 'dark' } });
    expect(out.settings).toEqual(V8);
    expect(out.changed).toBe(false);
    expect(out.problems[0]).toMatch(/newer version/);
  });

  it('invalid fields take their default, reported; unknown keys (a password) are dropped', () => {
    const out = migrateSettings({
      schemaVersion: SETTINGS_VERSION,
      settings: {
        ...V8,
        idleMinutes: -3,
        servers: ['http://x'],
        password: 'hunter2',
        account: { ...V8.account, password: 'x' },
      },
    });
    expect(out.settings.idleMinutes).toBe(DEFAULT_SETTINGS.idleMinutes);
    expect(out.settings.servers).toEqual(DEFAULT_SETTINGS.servers);
    expect(out.problems).toEqual([
      'servers: invalid, using the default',
      'idleMinutes: invalid, using the default',
    ]);
    expect(out.changed).toBe(true);
    expect(JSON.stringify(out.settings)).not.toContain('hunter2');
    expect(JSON.stringify(out.settings)).not.toContain('password');
  });

  it('toStoredSettings of garbage is the defaults', () => {
    expect(toStoredSettings('nope').settings).toEqual(DEFAULT_SETTINGS);
    expect(toStoredSettings([1, 2]).settings).toEqual(DEFAULT_SETTINGS);
  });
});

class MapFile implements KeyValueFile {
  readonly data = new Map<string, unknown>();
  writes = 0;
  constructor(init: Record<string, unknown> = {}) {
    for (const [k, v] of Object.entries(init)) this.data.set(k, v);
  }
  get(key: 'schemaVersion' | 'settings'): unknown {
    return this.data.get(key);
  }
  set(values: { schemaVersion: number; settings: StoredSettings }): void {
    this.writes += 1;
    this.data.set('schemaVersion', values.schemaVersion);
    this.data.set('settings', JSON.parse(JSON.stringify(values.settings)));
  }
}

describe('ElectronSettingsStore', () => {
  it('migrates an old file on open and writes it back at the current version', () => {
    const file = new MapFile({ schemaVersion: 1, settings: V1 });
    const { logger, records } = memoryLogger();
    const store = new ElectronSettingsStore(file, logger);
    expect(file.data.get('schemaVersion')).toBe(SETTINGS_VERSION);
    expect(file.data.get('settings')).toEqual(store.load());
    expect(records.some((r) => r.msg === 'settings migrated')).toBe(true);
  });

  it('does not rewrite a current file; saves what it is given', () => {
    const file = new MapFile({ schemaVersion: SETTINGS_VERSION, settings: V8 });
    const store = new ElectronSettingsStore(file, memoryLogger().logger);
    expect(file.writes).toBe(0);
    store.save({ ...V8, lastPresence: 'away' });
    expect(store.load().lastPresence).toBe('away');
    expect((file.data.get('settings') as StoredSettings).lastPresence).toBe('away');
  });

  it('a write that fails changes nothing: the store keeps the old settings and says so in a sentence', () => {
    const file = new MapFile({ schemaVersion: SETTINGS_VERSION, settings: V8 });
    const { logger, records } = memoryLogger();
    const store = new ElectronSettingsStore(file, logger);
    file.set = () => {
      throw new Error("EACCES: permission denied, open '/home/kim/.config/kw/settings.json'");
    };
    expect(() => store.save({ ...V8, idleMinutes: 3 })).toThrow(/^the settings file could not be written$/);
    expect(store.load()).toEqual(V8);
    expect(file.data.get('settings')).toEqual(V8);
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'settings file not written' }),
    );
  });

  it('refuses invalid settings and never writes extra keys such as a password', () => {
    const file = new MapFile({ schemaVersion: SETTINGS_VERSION, settings: V8 });
    const store = new ElectronSettingsStore(file, memoryLogger().logger);
    expect(() => store.save({ ...V8, idleMinutes: 9999 })).toThrow(
      /^these settings are not valid: idleMinutes$/,
    );
    expect(store.load()).toEqual(V8);
    store.save({ ...V8, password: 'hunter2' } as StoredSettings);
    expect(JSON.stringify(file.data.get('settings'))).not.toContain('hunter2');
  });
});
