/**
 * The three platform readers, each on fixture files or fixture reg.exe output
 * (test/fixtures/policy), then validated by parsePolicy exactly as the app does.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../main/app/policy/policy-model.js';
import { readLinuxPolicy } from '../../../main/electron/policy/linux-policy.js';
import { macPolicyPaths, readMacPolicy } from '../../../main/electron/policy/macos-policy.js';
import { parseRegQuery, readWindowsPolicy } from '../../../main/electron/policy/windows-policy.js';
import { readPolicy } from '../../../main/electron/policy/read-policy.js';
import { memoryLogger } from '../../../main/core/log.js';
import { fakeRunner, fixtureFiles, fixtureText } from './fixtures.js';

const LINUX = '/etc/kw-desktop/policy.json';
const linux = (name: string | undefined) =>
  readLinuxPolicy(fixtureFiles(name === undefined ? {} : { [LINUX]: name }).readText);

describe('Linux policy file', () => {
  it('reads Default and Enforced from the JSON file', async () => {
    const { policy, problems } = parsePolicy(await linux('linux-good.json'));
    expect(problems).toEqual([]);
    expect(policy.defaults).toEqual({
      'account.uri': 'sip:kim@example.com',
      'account.displayName': 'Kim Expert',
      idleMinutes: 15,
    });
    expect(policy.enforced).toEqual({
      servers: ['wss://sip1.example.com:7443', 'wss://sip2.example.com:7443'],
      trustedRoutingPoints: ['sip:billing-experts@example.com'],
      sounds: false,
      'updates.enabled': true,
      'updates.feedUrl': 'https://updates.example.com/kw-desktop',
    });
  });

  it('a partial file (one section, nested keys) gives just those keys', async () => {
    const { policy, problems } = parsePolicy(await linux('linux-partial.json'));
    expect(problems).toEqual([]);
    expect(policy).toEqual({
      defaults: {},
      enforced: { 'account.authUser': 'kim.expert', startAtLogin: true },
    });
  });

  it('invalid values, unknown keys and an unknown section are reported and skipped; valid keys stay', async () => {
    const { policy, problems } = parsePolicy(await linux('linux-invalid.json'));
    expect(policy).toEqual({ defaults: {}, enforced: { startAtLogin: false } });
    expect(problems).toEqual([
      `${LINUX}: unknown section Recommended, ignored`,
      'Default.account.uri: the SIP address looks like sip:user@domain, ignored',
      expect.stringMatching(/^Default\.idleMinutes: .*, ignored$/),
      'Default.colour: unknown key, ignored',
      'Enforced.servers: a server is a ws:// or wss:// URL, ignored',
      expect.stringMatching(/^Enforced\.sounds: .*, ignored$/),
      'Enforced.updates.feedUrl: the update feed is an https:// URL, ignored',
    ]);
  });

  it('no file is an empty policy without a problem', async () => {
    expect(parsePolicy(await linux(undefined))).toEqual({
      policy: { defaults: {}, enforced: {} },
      problems: [],
    });
  });

  it('a file that is not JSON is an empty policy, and says why', async () => {
    const { policy, problems } = parsePolicy(await linux('linux-not-json.json'));
    expect(policy).toEqual({ defaults: {}, enforced: {} });
    expect(problems).toEqual([expect.stringMatching(/^\/etc\/kw-desktop\/policy\.json: not JSON \(/)]);
  });

  it('the path is injectable, and a read error is a problem, not a crash', async () => {
    const raw = await readLinuxPolicy(
      () => Promise.reject(new Error('EACCES: permission denied')),
      '/opt/p.json',
    );
    expect(raw.problems).toEqual(['/opt/p.json: cannot be read (EACCES: permission denied)']);
  });
});

describe('macOS managed preferences', () => {
  const [MACHINE = '', USER = ''] = macPolicyPaths('kim');
  const noPlutil = fakeRunner({ code: undefined, stdout: '', stderr: '' });

  it('looks in the machine-wide and the user folder of Managed Preferences', () => {
    expect(macPolicyPaths('kim')).toEqual([
      '/Library/Managed Preferences/com.kwdesktop.KWDesktop.plist',
      '/Library/Managed Preferences/kim/com.kwdesktop.KWDesktop.plist',
    ]);
    expect(macPolicyPaths('../etc')).toEqual(['/Library/Managed Preferences/com.kwdesktop.KWDesktop.plist']);
  });

  it('reads XML plists; the user file wins key by key', async () => {
    const files = fixtureFiles({ [MACHINE]: 'macos-machine.plist', [USER]: 'macos-user.plist' });
    const raw = await readMacPolicy({ ...files, run: noPlutil.run, user: 'kim' });
    const { policy, problems } = parsePolicy(raw);
    expect(problems).toEqual([]);
    expect(policy.defaults).toEqual({ 'account.uri': 'sip:kim@example.com', idleMinutes: 15 });
    expect(policy.enforced).toEqual({
      servers: ['wss://sip1.example.com:7443', 'wss://sip2.example.com:7443'],
      sounds: true,
      'updates.enabled': true,
      'account.displayName': 'Kim & Co',
    });
    expect(noPlutil.calls).toEqual([]);
  });

  it('invalid values and unknown keys are reported; valid ones stay', async () => {
    const files = fixtureFiles({ [MACHINE]: 'macos-invalid.plist' });
    const { policy, problems } = parsePolicy(
      await readMacPolicy({ ...files, run: noPlutil.run, user: 'kim' }),
    );
    expect(policy).toEqual({ defaults: {}, enforced: { startAtLogin: true } });
    expect(problems).toEqual([
      expect.stringMatching(/^Enforced\.idleMinutes: .*, ignored$/),
      'Enforced.autoAnswer: unknown key, ignored',
    ]);
  });

  it('refuses a plist with its own entities (nothing from it is used)', async () => {
    const files = fixtureFiles({ [MACHINE]: 'macos-entity.plist' });
    const { policy, problems } = parsePolicy(
      await readMacPolicy({ ...files, run: noPlutil.run, user: 'kim' }),
    );
    expect(policy).toEqual({ defaults: {}, enforced: {} });
    expect(problems).toEqual([`${MACHINE}: not a readable property list (DOCTYPE not allowed)`]);
  });

  it('converts a binary plist with plutil', async () => {
    const plutil = fakeRunner({ code: 0, stdout: fixtureText('macos-user.plist'), stderr: '' });
    const files = fixtureFiles({ [USER]: 'macos-binary.plist' });
    const { policy } = parsePolicy(await readMacPolicy({ ...files, run: plutil.run, user: 'kim' }));
    expect(plutil.calls).toEqual([['plutil', '-convert', 'xml1', '-o', '-', USER]]);
    expect(policy.enforced).toEqual({ sounds: true, 'account.displayName': 'Kim & Co' });
  });

  it('a binary plist without plutil is skipped and reported', async () => {
    const files = fixtureFiles({ [USER]: 'macos-binary.plist' });
    const raw = await readMacPolicy({ ...files, run: noPlutil.run, user: 'kim' });
    expect(raw).toEqual({
      Default: {},
      Enforced: {},
      problems: [`${USER}: a binary property list, and plutil is not available`],
    });
  });

  it('no managed preferences is an empty policy without a problem', async () => {
    const raw = await readMacPolicy({ ...fixtureFiles({}), run: noPlutil.run, user: 'kim' });
    expect(raw).toEqual({ Default: {}, Enforced: {}, problems: [] });
  });
});

describe('Windows registry (reg.exe query output)', () => {
  it('runs reg.exe on the policy key and reads both subkeys, all value types', async () => {
    const reg = fakeRunner({ code: 0, stdout: fixtureText('reg-good.txt'), stderr: '' });
    const { policy, problems } = parsePolicy(await readWindowsPolicy(reg.run));
    expect(reg.calls).toEqual([['reg.exe', 'query', 'HKLM\\Software\\Policies\\KWDesktop', '/s']]);
    expect(problems).toEqual([]);
    expect(policy.defaults).toEqual({
      'account.uri': 'sip:kim@example.com',
      'account.displayName': 'Kim Expert',
      idleMinutes: 15,
    });
    expect(policy.enforced).toEqual({
      servers: ['wss://sip1.example.com:7443', 'wss://sip2.example.com:7443'],
      trustedRoutingPoints: ['sip:billing-experts@example.com'],
      sounds: false,
      'updates.enabled': true,
      'updates.feedUrl': 'https://updates.example.com/kw-desktop',
      'account.authUser': 'kim.expert',
    });
  });

  it('invalid values, unknown types, keys and subkeys are reported and skipped', () => {
    const { policy, problems } = parsePolicy(parseRegQuery(fixtureText('reg-invalid.txt')));
    // A REG_SZ where a list is expected is a list of one.
    expect(policy).toEqual({ defaults: { servers: ['wss://sip.example.com'] }, enforced: {} });
    expect(problems).toEqual([
      'registry: startAtLogin has type REG_BINARY, ignored',
      'registry: unknown subkey Recommended, ignored',
      expect.stringMatching(/^Default\.idleMinutes: .*, ignored$/),
      'Default.colour: unknown key, ignored',
      expect.stringMatching(/^Enforced\.sounds: .*, ignored$/),
      'Enforced.account.uri: the SIP address looks like sip:user@domain, ignored',
    ]);
  });

  it('a missing key (reg.exe exits 1) is an empty policy without a problem', async () => {
    const reg = fakeRunner({ code: 1, stdout: '', stderr: fixtureText('reg-missing.txt') });
    expect(await readWindowsPolicy(reg.run)).toEqual({ Default: {}, Enforced: {}, problems: [] });
  });

  it('reg.exe that cannot start is an empty policy, reported', async () => {
    const reg = fakeRunner({ code: undefined, stdout: '', stderr: '' });
    expect((await readWindowsPolicy(reg.run)).problems).toEqual(['reg.exe could not be started']);
  });
});

describe('readPolicy', () => {
  it('picks the platform reader and logs every problem', async () => {
    const log = memoryLogger();
    const files = fixtureFiles({ [LINUX]: 'linux-invalid.json' });
    const reg = fakeRunner({ code: 0, stdout: fixtureText('reg-good.txt'), stderr: '' });
    const sources = { ...files, run: reg.run, user: 'kim' };
    const onLinux = await readPolicy({ ...sources, platform: 'linux' }, log.logger);
    expect(onLinux.enforced).toEqual({ startAtLogin: false });
    expect(log.records.filter((r) => r.level === 'warn' && r.msg === 'policy')).toHaveLength(7);
    const onWindows = await readPolicy({ ...sources, platform: 'win32' }, log.logger);
    expect(onWindows.enforced['account.authUser']).toBe('kim.expert');
  });
});

describe('the globalShortcuts key on each platform', () => {
  const ON = { accept: 'CommandOrControl+Shift+F9', decline: 'CommandOrControl+Shift+F10' };
  const DEFAULT_KEYS = { accept: 'CommandOrControl+Alt+A', decline: 'CommandOrControl+Alt+D' };

  it('Linux: a nested object or dotted names; absent accelerators are the defaults', async () => {
    const { policy, problems } = parsePolicy(await linux('linux-shortcuts.json'));
    expect(problems).toEqual([]);
    expect(policy).toEqual({
      defaults: { globalShortcuts: DEFAULT_KEYS },
      enforced: { globalShortcuts: ON },
    });
  });

  it('Windows: a subkey with its values, or a dotted value name; enabled 0 = off (null)', () => {
    const { policy, problems } = parsePolicy(parseRegQuery(fixtureText('reg-shortcuts.txt')));
    expect(problems).toEqual([]);
    expect(policy).toEqual({
      defaults: { globalShortcuts: DEFAULT_KEYS },
      enforced: { globalShortcuts: null },
    });
  });

  it('macOS: a dictionary', async () => {
    const [MACHINE = ''] = macPolicyPaths('kim');
    const files = fixtureFiles({ [MACHINE]: 'macos-shortcuts.plist' });
    const noPlutil = fakeRunner({ code: undefined, stdout: '', stderr: '' });
    const { policy, problems } = parsePolicy(
      await readMacPolicy({ ...files, run: noPlutil.run, user: 'kim' }),
    );
    expect(problems).toEqual([]);
    expect(policy.enforced).toEqual({
      globalShortcuts: { accept: 'CommandOrControl+Alt+A', decline: 'Alt+Shift+N' },
    });
  });

  it('without enabled, or with a bare key, the key is reported and skipped', async () => {
    const { policy, problems } = parsePolicy(await linux('linux-shortcuts-invalid.json'));
    expect(policy).toEqual({ defaults: {}, enforced: {} });
    expect(problems).toEqual([
      'Default.globalShortcuts: the global shortcuts need enabled (yes or no) and may have accept and decline, nothing else, ignored',
      'Enforced.globalShortcuts: a shortcut is modifiers and a key, like CommandOrControl+Alt+A, ignored',
    ]);
  });

  it('the same accelerator twice, an unknown part or a word for enabled is skipped with its reason', () => {
    const problemOf = (value: unknown) =>
      parsePolicy({ Default: {}, Enforced: { globalShortcuts: value }, problems: [] }).problems;
    expect(problemOf({ enabled: 1, accept: 'CommandOrControl+Alt+D' })).toEqual([
      'Enforced.globalShortcuts: accept and decline need different shortcuts, ignored',
    ]);
    expect(problemOf({ enabled: true, colour: 'red' })).toEqual([
      'Enforced.globalShortcuts: the global shortcuts need enabled (yes or no) and may have accept and decline, nothing else, ignored',
    ]);
    expect(problemOf({ enabled: 'yes' })).toEqual([
      'Enforced.globalShortcuts: enabled is yes or no (true / false, 1 / 0), ignored',
    ]);
    expect(problemOf(true)).toHaveLength(1);
  });
});
