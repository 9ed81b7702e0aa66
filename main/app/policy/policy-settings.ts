/**
 * The policy applied to the settings: effective = Enforced over the stored
 * settings, and the stored settings of a new install are seeded from Default
 * (docs/decisions.md, "Admin policy"). `PolicySettingsStore` wraps the real
 * store: it loads the effective settings, refuses a save that changes an
 * enforced value (a sentence, nothing written), and writes the KW's own
 * values for the enforced keys, so lifting a policy gives them back.
 */
import type { Logger } from '../../core/log.js';
import type { SettingsStore, StoredSettings } from '../ports.js';
import { POLICY_KEYS, type Policy, type PolicyKey, type PolicyValues } from './policy-model.js';

/** What KwApp asks of the policy: which keys are locked, and whether a save may go ahead. */
export interface SettingsPolicy {
  /** The enforced keys (setting paths such as `account.uri`), for the Settings form. */
  locked(): readonly PolicyKey[];
  /** A sentence for the KW when `next` changes an enforced value; undefined when it does not. */
  refusal(next: StoredSettings): string | undefined;
  /** `next` with the enforced values (a setup document never overrides the organization's policy). */
  enforce(next: StoredSettings): StoredSettings;
}

const LABELS: Record<PolicyKey, string> = {
  'account.uri': 'the SIP address',
  'account.authUser': 'the authentication user',
  'account.displayName': 'the display name',
  servers: 'the servers',
  trustedRoutingPoints: 'the trusted routing points',
  idleMinutes: 'the idle time',
  startAtLogin: 'start at login',
  sounds: 'sounds',
  'updates.enabled': 'automatic updates',
  'updates.feedUrl': 'the update feed',
  extraCaCertificates: 'the trusted certificates',
  globalShortcuts: 'the global shortcuts',
};

/** `settings` with every value of `values` that is a setting (update keys are not). */
export function withPolicyValues(settings: StoredSettings, values: PolicyValues): StoredSettings {
  const a = settings.account;
  return {
    ...settings,
    account: {
      uri: values['account.uri'] ?? a.uri,
      authUser: values['account.authUser'] ?? a.authUser,
      displayName: values['account.displayName'] ?? a.displayName,
    },
    servers: values.servers ?? settings.servers,
    trustedRoutingPoints: values.trustedRoutingPoints ?? settings.trustedRoutingPoints,
    idleMinutes: values.idleMinutes ?? settings.idleMinutes,
    startAtLogin: values.startAtLogin ?? settings.startAtLogin,
    sounds: values.sounds ?? settings.sounds,
    extraCaCertificates: values.extraCaCertificates ?? settings.extraCaCertificates,
    // null is a value here (off), not "not set".
    globalShortcuts: values.globalShortcuts !== undefined ? values.globalShortcuts : settings.globalShortcuts,
  };
}

/** The enforced keys whose value in `next` is not the enforced one. */
export function enforcedKeysChanged(next: StoredSettings, policy: Policy): PolicyKey[] {
  const enforcedNow = withPolicyValues(next, policy.enforced);
  return POLICY_KEYS.filter(
    (key) =>
      policy.enforced[key] !== undefined && !sameValue(settingOf(next, key), settingOf(enforcedNow, key)),
  );
}

export function refusalSentence(keys: readonly PolicyKey[]): string {
  const names = keys.map((key) => LABELS[key]);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `Set by your organization: ${list} cannot be changed here.`;
}

export class PolicySettingsStore implements SettingsStore, SettingsPolicy {
  constructor(
    private readonly stored: SettingsStore,
    private readonly policy: Policy,
    private readonly logger: Logger,
  ) {}

  load(): StoredSettings {
    return withPolicyValues(this.stored.load(), this.policy.enforced);
  }

  /** Refuses (throws a sentence, writes nothing) a change to an enforced value; keeps the KW's own values under it. */
  save(settings: StoredSettings): void {
    const refused = this.refusal(settings);
    if (refused !== undefined) throw new Error(refused);
    this.stored.save(this.underEnforced(settings));
  }

  locked(): readonly PolicyKey[] {
    return POLICY_KEYS.filter((key) => this.policy.enforced[key] !== undefined);
  }

  refusal(next: StoredSettings): string | undefined {
    const keys = enforcedKeysChanged(next, this.policy);
    if (keys.length === 0) return undefined;
    this.logger.warn('settings save refused: enforced by policy', { keys });
    return refusalSentence(keys);
  }

  enforce(next: StoredSettings): StoredSettings {
    return withPolicyValues(next, this.policy.enforced);
  }

  /** `settings` with the stored (the KW's own) values where the policy enforces one. */
  private underEnforced(settings: StoredSettings): StoredSettings {
    const stored = this.stored.load();
    const own: Partial<Record<PolicyKey, unknown>> = {};
    for (const key of this.locked()) own[key] = settingOf(stored, key);
    return withPolicyValues(settings, own as PolicyValues);
  }
}

/**
 * Seeds a new install's settings from the policy's Default values: only when
 * no settings file existed (`fresh`), so a KW's own choice is never overwritten
 * and a later change of a Default reaches new installs only.
 */
export function seedDefaults(store: SettingsStore, policy: Policy, fresh: boolean, logger: Logger): void {
  if (!fresh || Object.keys(policy.defaults).length === 0) return;
  const seeded = withPolicyValues(store.load(), policy.defaults);
  try {
    store.save(seeded);
    logger.info('settings seeded from the policy defaults', { keys: Object.keys(policy.defaults) });
  } catch (error) {
    logger.warn('settings not seeded from the policy defaults', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Start-at-login the policy asks for at this start: an enforced value, or a
 * Default that just seeded a new install (a save never changes either, so the
 * OS login item would otherwise never follow them). Undefined: leave it be.
 */
export function startAtLoginFromPolicy(policy: Policy, fresh: boolean): boolean | undefined {
  return policy.enforced.startAtLogin ?? (fresh ? policy.defaults.startAtLogin : undefined);
}

function settingOf(settings: StoredSettings, key: PolicyKey): unknown {
  switch (key) {
    case 'account.uri':
      return settings.account.uri;
    case 'account.authUser':
      return settings.account.authUser;
    case 'account.displayName':
      return settings.account.displayName;
    case 'updates.enabled':
    case 'updates.feedUrl':
      return undefined;
    default:
      return settings[key];
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
