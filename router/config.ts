/**
 * The router's configuration: a JSON (or YAML) file validated with valibot,
 * turned into a resolved `RouterConfig` where every default is filled in and
 * every address is a full SIP address of record. Errors name the field
 * (`routingPoints.0.members.1.uri: not a SIP URI`), so a typo is found at once.
 */
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import { parse as parseYaml } from 'yaml';
import { toAor } from '../wire/sip/uri.js';
import { DEFAULT_USER_DATA_PREFIX } from '../wire/user-data.js';
import { RoutingTableSchema, routingTable, type RoutingTable } from './routing-state.js';
import { MaskConfigSchema, compileMask, type MaskRules } from './mask.js';

export const STRATEGY_NAMES = ['longest-idle', 'round-robin', 'named', 'broadcast'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
export type FallbackStrategyName = Exclude<StrategyName, 'named'>;

export const DEFAULTS = {
  domain: 'lab.local',
  previewTimeoutSeconds: 20,
  waitForAvailableSeconds: 30,
  capacity: 1,
  namedKey: 'KW',
  escalationTimeoutSeconds: 15,
  wrapUpSeconds: 0,
  inactivityTimeoutSeconds: 30 * 60,
} as const;

/** JsSIP answers 408 after 60 s of ringing: a call preview must be answered well before. */
export const MAX_ESCALATION_TIMEOUT_SECONDS = 50;

/** A SIP address or a bare user name resolved against the domain ("kw1" → sip:kw1@lab.local). */
const Address = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.check((s) => !/[\s<>"]/.test(s), 'must be a SIP URI or a user name, without spaces or brackets'),
);
const Seconds = (max: number) =>
  v.pipe(
    v.number('must be a number (seconds)'),
    v.minValue(0, 'must be ≥ 0'),
    v.maxValue(max, `must be ≤ ${max}`),
  );
const PositiveInt = (max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be an integer'),
    v.minValue(1, 'must be ≥ 1'),
    v.maxValue(max, `must be ≤ ${max}`),
  );
const Name = v.pipe(v.string(), v.maxLength(128, 'must be at most 128 characters'));

const MemberSchema = v.union(
  [
    Address,
    v.strictObject({
      uri: Address,
      displayName: v.optional(Name),
      /** Where escalated calls go; default: the member's URI. */
      voiceUri: v.optional(Address),
      capacity: v.optional(PositiveInt(100)),
      /** Protecting the expert (protection.ts): this member's own limits, over the routing point's. */
      cooldownSeconds: v.optional(Seconds(3600)),
      maxInteractionsPerHour: v.optional(PositiveInt(1000)),
      maxEscalationsPerHour: v.optional(PositiveInt(1000)),
      maxConsecutiveMisses: v.optional(PositiveInt(100)),
    }),
  ],
  'must be a SIP URI / user name, or an object {uri, displayName?, voiceUri?, capacity?, …}',
);

const RoutingPointSchema = v.strictObject({
  uri: Address,
  displayName: v.optional(Name),
  /** Digest credentials when the SIP server asks for them. */
  authUser: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
  password: v.optional(v.string()),
  strategy: v.picklist(STRATEGY_NAMES, `must be one of ${STRATEGY_NAMES.join(', ')}`),
  /** For `named`: what to do when the named KW is not eligible; absent = wait for that KW. */
  fallback: v.optional(
    v.picklist(
      ['longest-idle', 'round-robin', 'broadcast'] as const,
      'must be longest-idle, round-robin or broadcast',
    ),
  ),
  namedKey: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]+$/, 'must be a user data key (token)'))),
  members: v.pipe(v.array(MemberSchema, 'must be a list'), v.minLength(1, 'must list at least one member')),
  previewTimeoutSeconds: v.optional(v.pipe(Seconds(3600), v.minValue(0.1, 'must be ≥ 0.1'))),
  waitForAvailableSeconds: v.optional(Seconds(3600)),
  maxAttempts: v.optional(PositiveInt(1000)),
  capacity: v.optional(PositiveInt(100)),
  /** Whether an escalated call to the interaction's KW is previewed again before the redirect. */
  previewEscalation: v.optional(v.boolean('must be true or false')),
  /** How long a KW has to accept a call preview (the caller hears ringing meanwhile). */
  escalationTimeoutSeconds: v.optional(
    v.pipe(Seconds(MAX_ESCALATION_TIMEOUT_SECONDS), v.minValue(0.1, 'must be ≥ 0.1')),
  ),
  /** After an interaction ends, its KW is not offered another one for this long. */
  wrapUpSeconds: v.optional(Seconds(3600)),
  /** A routed interaction nobody ended is ended (both parties told) after this long. */
  inactivityTimeoutSeconds: v.optional(v.pipe(Seconds(7 * 24 * 3600), v.minValue(1, 'must be ≥ 1'))),
  /** Protecting the expert (protection.ts); each off when absent. */
  cooldownSeconds: v.optional(Seconds(3600)),
  maxInteractionsPerHour: v.optional(PositiveInt(1000)),
  maxEscalationsPerHour: v.optional(PositiveInt(1000)),
  maxConsecutiveMisses: v.optional(PositiveInt(100)),
  /** While waiting, a member in DND whose `until` falls within the wait counts as coming back. */
  waitForDndEnding: v.optional(v.boolean('must be true or false')),
  /** Masked customer data (mask.ts): user-data key → rule, applied before anything leaves for a KW. */
  mask: v.optional(MaskConfigSchema),
});

const RouterConfigSchema = v.strictObject({
  $schema: v.optional(v.string()),
  _comment: v.optional(v.string()),
  domain: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'must be a domain name')),
  ),
  userDataPrefix: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]+$/, 'must be a header name prefix'))),
  /** Presence reason → routing state, over the defaults (see routing-state.ts). */
  routingTable: v.optional(RoutingTableSchema),
  routingPoints: v.pipe(
    v.array(RoutingPointSchema, 'must be a list'),
    v.minLength(1, 'must list at least one routing point'),
  ),
  /** The supervisor dashboard on `--http` (router/dashboard/): off without a token. */
  dashboard: v.optional(
    v.strictObject({
      /** A file holding the token (preferred: keeps it out of the config). */
      tokenFile: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
      token: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
    }),
  ),
});

export type RawRouterConfig = v.InferInput<typeof RouterConfigSchema>;

export interface MemberConfig {
  readonly uri: string;
  readonly displayName: string;
  readonly voiceUri: string;
  /** Concurrent interactions; undefined = the routing point's capacity. */
  readonly capacity: number | undefined;
  /** This member's own protection limits (undefined = the routing point's). */
  readonly protection?: Partial<ProtectionLimits>;
}

/** Protecting the expert (router/protection.ts); undefined = that rule is off. */
export interface ProtectionLimits {
  /** Not offered for this long after an interaction ends (like wrap-up, reported apart). */
  readonly cooldownMs: number | undefined;
  readonly maxInteractionsPerHour: number | undefined;
  readonly maxEscalationsPerHour: number | undefined;
  /** Declines or timeouts in a row after which the KW is paused until they come back. */
  readonly maxConsecutiveMisses: number | undefined;
}

export interface RoutingPointConfig {
  readonly uri: string;
  readonly displayName: string;
  readonly authUser: string | undefined;
  readonly password: string | undefined;
  readonly strategy: StrategyName;
  readonly fallback: FallbackStrategyName | undefined;
  readonly namedKey: string;
  readonly members: readonly MemberConfig[];
  readonly previewTimeoutMs: number;
  readonly waitForAvailableMs: number;
  readonly maxAttempts: number;
  readonly capacity: number;
  readonly previewEscalation: boolean;
  readonly escalationTimeoutMs: number;
  readonly wrapUpMs: number;
  readonly inactivityTimeoutMs: number;
  /** Protecting the expert: the routing point's limits (members may override them). */
  readonly protection?: ProtectionLimits;
  /** Wait for a member whose Do not disturb ends within the wait (RPID `until`). */
  readonly waitForDndEnding?: boolean;
  /** Masking rules by lower-case user-data key (mask.ts); absent = nothing masked. */
  readonly mask?: MaskRules;
}

export interface DashboardConfig {
  /** Relative paths are read from the router's working directory. */
  readonly tokenFile?: string;
  readonly token?: string;
}

export interface RouterConfig {
  readonly domain: string;
  readonly userDataPrefix: string;
  /** The config's table over the defaults. */
  readonly routingTable: RoutingTable;
  readonly routingPoints: readonly RoutingPointConfig[];
  /** Absent: no token in the config (the dashboard is off unless the command line gives one). */
  readonly dashboard?: DashboardConfig;
}

export class RouterConfigError extends Error {
  override readonly name = 'RouterConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${source}: ${problems.join('; ')}`);
  }
}

export interface ParseConfigOptions {
  /** Named in errors, e.g. the file path. */
  readonly source?: string;
  /** Overrides the config's `domain` (bare user names are resolved against it). */
  readonly domain?: string;
}

/** Validates parsed JSON/YAML data and resolves defaults. Throws RouterConfigError. */
export function parseRouterConfig(data: unknown, options: ParseConfigOptions = {}): RouterConfig {
  const source = options.source ?? 'router config';
  const result = v.safeParse(RouterConfigSchema, data);
  if (!result.success) {
    throw new RouterConfigError(
      source,
      result.issues.slice(0, 5).map((issue) => {
        const path = v.getDotPath(issue);
        return path ? `${path}: ${issue.message}` : issue.message;
      }),
    );
  }
  const raw = result.output;
  const domain = (options.domain ?? raw.domain ?? DEFAULTS.domain).toLowerCase();
  const problems: string[] = [];
  const address = (text: string, field: string): string => {
    const full = text.includes(':') ? text : `sip:${text}@${domain}`;
    const aor = toAor(full);
    if (!aor) {
      problems.push(`${field}: not a SIP URI with a user part (${text})`);
      return full;
    }
    return aor;
  };

  const seenPoints = new Set<string>();
  const routingPoints = raw.routingPoints.map((rp, i): RoutingPointConfig => {
    const field = `routingPoints.${i}`;
    const uri = address(rp.uri, `${field}.uri`);
    if (seenPoints.has(uri)) problems.push(`${field}.uri: routing point ${uri} is listed twice`);
    seenPoints.add(uri);
    const seenMembers = new Set<string>();
    const members = rp.members.map((m, j): MemberConfig => {
      const entry = typeof m === 'string' ? { uri: m } : m;
      const memberUri = address(entry.uri, `${field}.members.${j}${typeof m === 'string' ? '' : '.uri'}`);
      if (seenMembers.has(memberUri))
        problems.push(`${field}.members.${j}: member ${memberUri} is listed twice`);
      if (memberUri === uri) problems.push(`${field}.members.${j}: a routing point cannot be its own member`);
      seenMembers.add(memberUri);
      const voice = 'voiceUri' in entry && entry.voiceUri !== undefined ? entry.voiceUri : undefined;
      return {
        uri: memberUri,
        displayName: ('displayName' in entry ? entry.displayName : undefined) ?? userPart(memberUri),
        // A voice URI may carry parameters (transport, gateway): keep it as written when it is one.
        voiceUri:
          voice === undefined
            ? memberUri
            : voice.includes(':')
              ? voice
              : address(voice, `${field}.members.${j}.voiceUri`),
        capacity: 'capacity' in entry ? entry.capacity : undefined,
        ...(typeof m === 'string' ? {} : memberProtection(m)),
      };
    });
    if (rp.fallback !== undefined && rp.strategy !== 'named') {
      problems.push(`${field}.fallback: only the named strategy has a fallback`);
    }
    return {
      uri,
      displayName: rp.displayName ?? userPart(uri),
      authUser: rp.authUser,
      password: rp.password,
      strategy: rp.strategy,
      fallback: rp.fallback,
      namedKey: rp.namedKey ?? DEFAULTS.namedKey,
      members,
      previewTimeoutMs: Math.round((rp.previewTimeoutSeconds ?? DEFAULTS.previewTimeoutSeconds) * 1000),
      waitForAvailableMs: Math.round((rp.waitForAvailableSeconds ?? DEFAULTS.waitForAvailableSeconds) * 1000),
      maxAttempts: rp.maxAttempts ?? members.length,
      capacity: rp.capacity ?? DEFAULTS.capacity,
      previewEscalation: rp.previewEscalation ?? false,
      escalationTimeoutMs: Math.round(
        (rp.escalationTimeoutSeconds ?? DEFAULTS.escalationTimeoutSeconds) * 1000,
      ),
      wrapUpMs: Math.round((rp.wrapUpSeconds ?? DEFAULTS.wrapUpSeconds) * 1000),
      inactivityTimeoutMs: Math.round(
        (rp.inactivityTimeoutSeconds ?? DEFAULTS.inactivityTimeoutSeconds) * 1000,
      ),
      ...routingPointProtection(rp),
      waitForDndEnding: rp.waitForDndEnding ?? false,
      ...(rp.mask !== undefined ? { mask: compileMask(rp.mask, `${field}.mask`, problems) } : {}),
    };
  });
  if (problems.length > 0) throw new RouterConfigError(source, problems.slice(0, 5));

  return {
    domain,
    userDataPrefix: raw.userDataPrefix ?? DEFAULT_USER_DATA_PREFIX,
    routingTable: routingTable(raw.routingTable),
    routingPoints,
    ...(raw.dashboard !== undefined ? { dashboard: raw.dashboard } : {}),
  };
}

/** Reads a `.json`, `.yaml` or `.yml` file and validates it. */
export async function loadRouterConfig(
  path: string,
  options: { domain?: string } = {},
): Promise<RouterConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RouterConfigError(`router config ${path}`, [`cannot read the file: ${(err as Error).message}`]);
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new RouterConfigError(`router config ${path}`, [
      `not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    ]);
  }
  return parseRouterConfig(data, { source: `router config ${path}`, ...options });
}

interface RawProtection {
  readonly cooldownSeconds?: number | undefined;
  readonly maxInteractionsPerHour?: number | undefined;
  readonly maxEscalationsPerHour?: number | undefined;
  readonly maxConsecutiveMisses?: number | undefined;
}

function protectionLimits(raw: RawProtection): ProtectionLimits {
  return {
    cooldownMs: raw.cooldownSeconds === undefined ? undefined : Math.round(raw.cooldownSeconds * 1000),
    maxInteractionsPerHour: raw.maxInteractionsPerHour,
    maxEscalationsPerHour: raw.maxEscalationsPerHour,
    maxConsecutiveMisses: raw.maxConsecutiveMisses,
  };
}

/** The routing point's limits, when it sets any (none: the rules are off, as before). */
function routingPointProtection(raw: RawProtection): { protection?: ProtectionLimits } {
  const all = protectionLimits(raw);
  return Object.values(all).some((v) => v !== undefined) ? { protection: all } : {};
}

/** A member's own limits, only those it sets (the routing point's fill in the rest). */
function memberProtection(raw: RawProtection): { protection?: Partial<ProtectionLimits> } {
  const all = protectionLimits(raw);
  const set = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  return Object.keys(set).length > 0 ? { protection: set } : {};
}

export function userPart(uri: string): string {
  const match = /^sips?:([^@]+)@/.exec(uri);
  return match?.[1] ?? uri;
}
