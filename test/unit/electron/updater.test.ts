import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import {
  setupUpdates,
  UPDATE_CHECK_INTERVAL_MS,
  updatePolicy,
  type InstallFacts,
  type UpdatePolicy,
} from '../../../main/electron/updater.js';
import { FakeAutoUpdater, FakeIntervals } from './fake-electron.js';

/** An NSIS install on Windows: the one that updates itself. */
const NSIS: InstallFacts = {
  platform: 'win32',
  updateConfigExists: true,
  appImage: false,
  nsisUninstaller: true,
};

function setup(
  options: { isPackaged?: boolean; install?: Partial<InstallFacts>; policy?: UpdatePolicy } = {},
): {
  updater: FakeAutoUpdater;
  timers: FakeIntervals;
  records: ReturnType<typeof memoryLogger>['records'];
  dispose: () => void;
  loads: () => number;
} {
  const updater = new FakeAutoUpdater();
  const timers = new FakeIntervals();
  const { logger, records } = memoryLogger();
  let loads = 0;
  const dispose = setupUpdates({
    loadUpdater: () => {
      loads += 1;
      return updater;
    },
    isPackaged: options.isPackaged ?? true,
    install: { ...NSIS, ...options.install },
    policy: options.policy ?? {},
    logger,
    timers,
  });
  return { updater, timers, records, dispose, loads: () => loads };
}

/** Lets the check's promise settle. */
const settle = (): Promise<void> => new Promise((done) => setImmediate(done));

describe('updates', () => {
  it('packaged by a self-updating installer: checks at start and every 6 h, downloads, installs on quit', () => {
    const { updater, timers, records } = setup();
    expect(updater.checks).toBe(1);
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(updater.feeds).toEqual([]);
    expect([...timers.running.values()].map((t) => t.ms)).toEqual([UPDATE_CHECK_INTERVAL_MS]);
    expect(UPDATE_CHECK_INTERVAL_MS).toBe(6 * 3600_000);
    timers.tick();
    timers.tick();
    expect(updater.checks).toBe(3);
    expect(records.map((r) => r.msg)).toContain('updates on, feed from app-update.yml');
  });

  it('a downloaded update waits for the KW to quit: the app is never restarted under them', () => {
    const { updater, records } = setup();
    updater.emit('update-downloaded', { version: '2.0.0' });
    expect(updater.restarts).toBe(0);
    expect(records.find((r) => r.msg.startsWith('update downloaded'))?.fields).toEqual({ version: '2.0.0' });
  });

  it('off when not packaged (logged, the updater is never built)', () => {
    const { loads, timers, records } = setup({ isPackaged: false });
    expect(loads()).toBe(0);
    expect(timers.running.size).toBe(0);
    expect(records.map((r) => r.msg)).toEqual(['updates off: the app is not packaged']);
  });

  it('off for a build without app-update.yml', () => {
    const { loads, records } = setup({ install: { updateConfigExists: false } });
    expect(loads()).toBe(0);
    expect(records.map((r) => r.msg)).toEqual([
      'updates off: this build has no update feed (no app-update.yml)',
    ]);
  });

  it('off for an MSI install (no NSIS uninstaller beside the executable), even with app-update.yml', () => {
    const { loads, records } = setup({ install: { nsisUninstaller: false } });
    expect(loads()).toBe(0);
    expect(records.map((r) => r.msg)).toEqual([
      'updates off: a per-machine (MSI) install: the administrator updates it',
    ]);
  });

  it('Linux: on from an AppImage, off for a deb install', () => {
    const appImage = setup({ install: { platform: 'linux', appImage: true, nsisUninstaller: false } });
    expect(appImage.updater.checks).toBe(1);
    const deb = setup({ install: { platform: 'linux', appImage: false } });
    expect(deb.loads()).toBe(0);
    expect(deb.records.map((r) => r.msg)).toEqual([
      'updates off: a package (deb) install: the package manager updates it',
    ]);
  });

  it('macOS: on for the dmg/zip install', () => {
    expect(setup({ install: { platform: 'darwin', nsisUninstaller: false } }).updater.checks).toBe(1);
  });

  it('off when the policy says updates.enabled = false, even with a feed', () => {
    const { loads, records } = setup({ policy: { enabled: false, feedUrl: 'https://u.example.com/kw' } });
    expect(loads()).toBe(0);
    expect(records.map((r) => r.msg)).toEqual(['updates off: turned off (updates.enabled)']);
  });

  it("the policy's feed URL replaces app-update.yml's, as a generic provider", () => {
    const { updater } = setup({ policy: { enabled: true, feedUrl: 'https://u.example.com/kw' } });
    expect(updater.feeds).toEqual([{ provider: 'generic', url: 'https://u.example.com/kw' }]);
    expect(updater.checks).toBe(1);
  });

  it('a failed check or an updater error is a warning, never thrown; the next check still runs', async () => {
    const { updater, timers, records } = setup();
    updater.checkResult = () => Promise.reject(new Error('net::ERR_NAME_NOT_RESOLVED'));
    timers.tick();
    await settle();
    updater.emit('error', new Error('sha512 checksum mismatch'));
    const warnings = records.filter((r) => r.level === 'warn');
    expect(warnings.map((r) => [r.msg, r.fields['error']])).toEqual([
      ['update check failed', 'net::ERR_NAME_NOT_RESOLVED'],
      ['update failed', 'sha512 checksum mismatch'],
    ]);
    timers.tick();
    expect(updater.checks).toBe(3);
  });

  it('an updater that cannot be built leaves updates off with a warning', () => {
    const { logger, records } = memoryLogger();
    const dispose = setupUpdates({
      loadUpdater: () => {
        throw new Error('ENOENT app-update.yml');
      },
      isPackaged: true,
      install: NSIS,
      policy: {},
      logger,
      timers: new FakeIntervals(),
    });
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      ['warn', 'updates off: the updater could not be set up'],
    ]);
    dispose();
  });

  it('dispose stops the checks and the listeners', () => {
    const { updater, timers, dispose } = setup();
    dispose();
    expect(timers.running.size).toBe(0);
    expect(updater.listenerCount('error')).toBe(0);
    expect(updater.listenerCount('update-downloaded')).toBe(0);
  });

  it('Enforced wins over the provisioned value, which wins over Default, key by key', () => {
    const policy = {
      defaults: { 'updates.enabled': false, 'updates.feedUrl': 'https://default.example.com' },
      enforced: { 'updates.feedUrl': 'https://enforced.example.com' },
    } as const;
    expect(updatePolicy(policy, { enabled: true, feedUrl: 'https://provisioned.example.com' })).toEqual({
      enabled: true,
      feedUrl: 'https://enforced.example.com',
    });
    expect(
      updatePolicy({ defaults: policy.defaults, enforced: { 'updates.enabled': false } }, { enabled: true }),
    ).toEqual({
      enabled: false,
      feedUrl: 'https://default.example.com',
    });
  });

  it('policy alone: Enforced wins over Default, key by key', () => {
    expect(updatePolicy({ defaults: {}, enforced: {} })).toEqual({});
    expect(
      updatePolicy({
        defaults: { 'updates.enabled': true, 'updates.feedUrl': 'https://default.example.com' },
        enforced: { 'updates.enabled': false },
      }),
    ).toEqual({ enabled: false, feedUrl: 'https://default.example.com' });
    expect(
      updatePolicy({
        defaults: { 'updates.feedUrl': 'https://default.example.com' },
        enforced: { 'updates.feedUrl': 'https://enforced.example.com' },
      }),
    ).toEqual({ feedUrl: 'https://enforced.example.com' });
  });
});
