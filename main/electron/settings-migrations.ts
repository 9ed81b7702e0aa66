/**
 * The settings file's schema versions and the numbered migrations between
 * them. Pure (no Electron, no file system): settings-store.ts applies it to
 * electron-store's data; unit tests apply it to plain objects.
 *
 * The file holds `{ schemaVersion, settings }`. MIGRATIONS[i] takes the
 * settings of version i + 1 to version i + 2, in order, so any older file
 * walks up to SETTINGS_VERSION one step at a time. Add a version by appending
 * one migration and bumping SETTINGS_VERSION; never edit a published step.
 *
 *   1 — `{ sipUri, displayName, server, idleMinutes }` (one server)
 *   2 — `{ account: { uri, authUser, displayName }, servers[], idleMinutes, startAtLogin, sounds }`
 *   3 — 2 + `lastPresence` (the manual state restored at start)
 *   4 — 3 + `audioInput`, `audioOutput` (chosen microphone and speaker)
 *   5 — 4 + `trustedRoutingPoints` (SIP AORs whose previews are accepted; [] until listed)
 *   6 — 5 + `extraCaCertificates` (PEM), `updates` (from a provisioning document); an empty
 *       account and no server are valid (a new install shows the sign-in screen)
 *   7 — 6 + `timedDnd` (Do not disturb until a time, and the state after it; null)
 *   8 — 7 + `globalShortcuts` (accept / decline from any app; null = off)   ← current
 *
 * A file with settings but no `schemaVersion` is version 1; no file at all
 * gives the defaults.
 * After migrating, the result is validated field by field: a field that is
 * missing or invalid takes its default (reported in `problems`), unknown keys
 * are dropped — so a password can never ride along in this file.
 */
import * as v from 'valibot';
import { DEFAULT_SETTINGS, type StoredSettings } from '../app/ports.js';
import { MANUAL_STATES } from '../../wire/presence/manual-states.js';
import { isIsoTime } from '../../wire/iso-time.js';
import {
  AuthUserSchema,
  CaCertificatesSchema,
  DisplayNameSchema,
  FeedUrlSchema,
  GlobalShortcutsSchema,
  IdleMinutesSchema,
  ServersSchema,
  SipAddressSchema,
  TrustedRoutingPointsSchema,
} from '../../wire/settings-fields.js';

export const SETTINGS_VERSION = 8;

type Raw = Record<string, unknown>;

export interface Migration {
  /** The version this step migrates from (to `from + 1`). */
  readonly from: number;
  readonly describe: string;
  readonly migrate: (settings: Raw) => Raw;
}

const asRecord = (value: unknown): Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    describe: 'account object, a list of servers, start-at-login and sounds',
    migrate: (s) => ({
      account: {
        uri: s['sipUri'],
        authUser: typeof s['authUser'] === 'string' ? s['authUser'] : '',
        displayName: s['displayName'],
      },
      servers: typeof s['server'] === 'string' ? [s['server']] : s['servers'],
      idleMinutes: s['idleMinutes'],
      startAtLogin: false,
      sounds: true,
    }),
  },
  {
    from: 2,
    describe: 'the last manual presence, restored at start',
    migrate: (s) => ({ ...s, lastPresence: 'available' }),
  },
  {
    from: 3,
    describe: 'the chosen microphone and speaker (system default until chosen)',
    migrate: (s) => ({ ...s, audioInput: '', audioOutput: '' }),
  },
  {
    from: 4,
    // Trust is never guessed: an existing install accepts no routing point until the KW lists one.
    describe: 'the trusted routing points (none until listed in Settings)',
    migrate: (s) => ({ ...s, trustedRoutingPoints: [] }),
  },
  {
    from: 5,
    describe: "the account's extra CA certificates and the provisioned update settings (none)",
    migrate: (s) => ({ ...s, extraCaCertificates: [], updates: {} }),
  },
  {
    from: 6,
    describe: 'no timed Do not disturb',
    migrate: (s) => ({ ...s, timedDnd: null }),
  },
  {
    from: 7,
    describe: 'no global shortcuts (off until the KW turns them on)',
    migrate: (s) => ({ ...s, globalShortcuts: null }),
  },
];

const Fields = {
  account: v.object({
    // '' = not set up yet (the sign-in screen).
    uri: v.union([v.literal(''), SipAddressSchema]),
    authUser: AuthUserSchema,
    displayName: DisplayNameSchema,
  }),
  servers: v.union([v.pipe(v.array(v.string()), v.length(0)), ServersSchema]),
  idleMinutes: IdleMinutesSchema,
  startAtLogin: v.boolean(),
  sounds: v.boolean(),
  lastPresence: v.picklist(MANUAL_STATES),
  timedDnd: v.nullable(
    v.object({
      until: v.pipe(v.string(), v.maxLength(40), v.check(isIsoTime)),
      returnTo: v.picklist(MANUAL_STATES),
    }),
  ),
  audioInput: v.pipe(v.string(), v.maxLength(256)),
  audioOutput: v.pipe(v.string(), v.maxLength(256)),
  trustedRoutingPoints: TrustedRoutingPointsSchema,
  extraCaCertificates: CaCertificatesSchema,
  updates: v.object({ enabled: v.optional(v.boolean()), feedUrl: v.optional(FeedUrlSchema) }),
  globalShortcuts: GlobalShortcutsSchema,
} as const;

/** Current-version settings from anything: valid fields kept, the others defaulted. */
export function toStoredSettings(value: unknown): { settings: StoredSettings; problems: string[] } {
  const raw = asRecord(value);
  const problems: string[] = [];
  const field = <K extends keyof typeof Fields>(key: K): v.InferOutput<(typeof Fields)[K]> => {
    const parsed = v.safeParse(Fields[key], raw[key]);
    if (parsed.success) return parsed.output;
    if (raw[key] !== undefined) problems.push(`${key}: invalid, using the default`);
    else problems.push(`${key}: missing, using the default`);
    return DEFAULT_SETTINGS[key] as v.InferOutput<(typeof Fields)[K]>;
  };
  const account = field('account');
  const settings: StoredSettings = {
    account: { uri: account.uri, authUser: account.authUser, displayName: account.displayName },
    servers: [...field('servers')],
    idleMinutes: field('idleMinutes'),
    startAtLogin: field('startAtLogin'),
    sounds: field('sounds'),
    lastPresence: field('lastPresence'),
    timedDnd: field('timedDnd'),
    audioInput: field('audioInput'),
    audioOutput: field('audioOutput'),
    trustedRoutingPoints: [...field('trustedRoutingPoints')],
    extraCaCertificates: [...field('extraCaCertificates')],
    updates: field('updates'),
    globalShortcuts: field('globalShortcuts'),
  };
  return { settings, problems };
}

export interface MigrationOutcome {
  readonly settings: StoredSettings;
  /** The version found (0: no settings yet). */
  readonly fromVersion: number;
  /** The steps applied, in order. */
  readonly applied: readonly number[];
  /** Whether the file must be written back (migrated, repaired or new). */
  readonly changed: boolean;
  readonly problems: readonly string[];
}

/** Brings the file's content (`{ schemaVersion, settings }`, or nothing) to the current version. */
export function migrateSettings(file: {
  readonly schemaVersion?: unknown;
  readonly settings?: unknown;
}): MigrationOutcome {
  if (file.settings === undefined) {
    return { settings: DEFAULT_SETTINGS, fromVersion: 0, applied: [], changed: true, problems: [] };
  }
  const found =
    typeof file.schemaVersion === 'number' && Number.isInteger(file.schemaVersion) ? file.schemaVersion : 1;
  const problems: string[] = [];
  if (found > SETTINGS_VERSION)
    problems.push(`settings written by a newer version (${found}); reading what this version knows`);
  let raw = asRecord(file.settings);
  const applied: number[] = [];
  for (const step of MIGRATIONS) {
    if (step.from < found) continue;
    raw = step.migrate(raw);
    applied.push(step.from);
  }
  const checked = toStoredSettings(raw);
  problems.push(...checked.problems);
  return {
    settings: checked.settings,
    fromVersion: found,
    applied,
    // A newer version's file is read, never written back (that would downgrade it).
    changed:
      found <= SETTINGS_VERSION &&
      (applied.length > 0 || checked.problems.length > 0 || file.schemaVersion !== SETTINGS_VERSION),
    problems,
  };
}

/** electron-store's JSON schema of the file: the envelope (the settings are checked above). */
export const SETTINGS_FILE_SCHEMA = {
  schemaVersion: { type: 'integer', minimum: 1 },
  settings: { type: 'object' },
} as const;
