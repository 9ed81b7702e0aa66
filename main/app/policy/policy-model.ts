/**
 * The administrator's policy: for each known key a Default (seeds a new
 * install) and/or an Enforced value (always wins, the KW cannot change it).
 * The platform readers (main/electron/policy) all hand over the same raw
 * `{ Default, Enforced }` shape; this module validates it key by key with the
 * contract's own field schemas, so a policy can never hold a value the
 * Settings form would refuse. Unknown or invalid keys are reported and
 * skipped, never fatal: a typo in one key must not stop the app.
 */
import * as v from 'valibot';
import { SettingsInputSchema } from '../../../preload/contract.js';
import {
  AcceleratorSchema,
  CaCertificatesSchema,
  DEFAULT_SHORTCUTS,
  FeedUrlSchema,
  GlobalShortcutsSchema,
  TrustedRoutingPointsSchema,
} from '../../../wire/settings-fields.js';

const input = SettingsInputSchema.entries;
const account = input.account.entries;

/** Registry DWORDs carry booleans as 0 / 1. */
const flag = (message?: string) =>
  v.union(
    [
      v.boolean(),
      v.pipe(
        v.picklist([0, 1]),
        v.transform((n) => n === 1),
      ),
    ],
    message,
  );
const Flag = flag();

/**
 * `globalShortcuts`: on or off, and the accelerators (the defaults where
 * absent), turned into the setting's own shape (null = off) and checked by
 * the setting's schema (two different shortcuts).
 */
const PolicyShortcutsSchema = v.pipe(
  v.strictObject(
    {
      enabled: flag('enabled is yes or no (true / false, 1 / 0)'),
      accept: v.optional(AcceleratorSchema),
      decline: v.optional(AcceleratorSchema),
    },
    'the global shortcuts need enabled (yes or no) and may have accept and decline, nothing else',
  ),
  v.transform(({ enabled, accept, decline }) =>
    enabled
      ? { accept: accept ?? DEFAULT_SHORTCUTS.accept, decline: decline ?? DEFAULT_SHORTCUTS.decline }
      : null,
  ),
  GlobalShortcutsSchema,
);

/** Keys whose value is an object: their dotted parts (`globalShortcuts.enabled`) are gathered back into it. */
const OBJECT_KEYS: readonly string[] = ['globalShortcuts'];

/** Every key a policy may set, with the schema its value must pass. */
export const POLICY_SCHEMAS = {
  'account.uri': account.uri,
  'account.authUser': account.authUser,
  'account.displayName': account.displayName,
  servers: input.servers,
  trustedRoutingPoints: TrustedRoutingPointsSchema,
  idleMinutes: input.idleMinutes,
  startAtLogin: Flag,
  sounds: Flag,
  'updates.enabled': Flag,
  'updates.feedUrl': FeedUrlSchema,
  extraCaCertificates: CaCertificatesSchema,
  globalShortcuts: PolicyShortcutsSchema,
} as const;

export type PolicyKey = keyof typeof POLICY_SCHEMAS;
export const POLICY_KEYS = Object.keys(POLICY_SCHEMAS) as PolicyKey[];

/** Validated values, by key; a key absent = not set by the policy. */
export type PolicyValues = { readonly [K in PolicyKey]?: v.InferOutput<(typeof POLICY_SCHEMAS)[K]> };

export interface Policy {
  readonly defaults: PolicyValues;
  readonly enforced: PolicyValues;
}

export const EMPTY_POLICY: Policy = { defaults: {}, enforced: {} };

/** What a platform reader returns: the two sections as found, and what it could not read. */
export interface RawPolicy {
  readonly Default: Record<string, unknown>;
  readonly Enforced: Record<string, unknown>;
  /** Why (part of) the policy could not be read, in words for the log. */
  readonly problems: readonly string[];
}

export const EMPTY_RAW_POLICY: RawPolicy = { Default: {}, Enforced: {}, problems: [] };

export interface PolicyOutcome {
  readonly policy: Policy;
  /** One line per key skipped (unknown or invalid) and per reader problem. */
  readonly problems: readonly string[];
}

/** The raw sections validated: known, valid keys kept; the others reported. */
export function parsePolicy(raw: RawPolicy): PolicyOutcome {
  const problems = [...raw.problems];
  const defaults = parseSection('Default', raw.Default, problems);
  const enforced = parseSection('Enforced', raw.Enforced, problems);
  return { policy: { defaults, enforced }, problems };
}

function parseSection(name: string, section: Record<string, unknown>, problems: string[]): PolicyValues {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(gatherObjects(flatten(section)))) {
    if (!isPolicyKey(key)) {
      problems.push(`${name}.${key}: unknown key, ignored`);
      continue;
    }
    const parsed = v.safeParse(POLICY_SCHEMAS[key], asListWhereListed(key, value));
    if (parsed.success) values[key] = parsed.output;
    else problems.push(`${name}.${key}: ${parsed.issues[0].message}, ignored`);
  }
  return values as PolicyValues;
}

/** A registry REG_SZ (or a plist string) where a list is expected: a list of one. */
function asListWhereListed(key: PolicyKey, value: unknown): unknown {
  const listed = key === 'servers' || key === 'trustedRoutingPoints';
  return listed && typeof value === 'string' ? [value] : value;
}

function isPolicyKey(key: string): key is PolicyKey {
  return Object.hasOwn(POLICY_SCHEMAS, key);
}

/** `{ account: { uri } }` and `{ "account.uri" }` are the same key (JSON and plists may nest). */
function flatten(section: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    const path = prefix + key;
    if (isPlainObject(value) && prefix === '') Object.assign(out, flatten(value, `${path}.`));
    else out[path] = value;
  }
  return out;
}

/** `globalShortcuts.enabled` and `globalShortcuts.accept` become `globalShortcuts: { enabled, accept }`. */
function gatherObjects(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const dot = key.indexOf('.');
    const head = key.slice(0, dot);
    if (dot <= 0 || !OBJECT_KEYS.includes(head)) {
      out[key] = value;
      continue;
    }
    const gathered = out[head];
    out[head] = { ...(isPlainObject(gathered) ? gathered : {}), [key.slice(dot + 1)]: value };
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
