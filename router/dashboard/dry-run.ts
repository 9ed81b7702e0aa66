/**
 * The dry run (issue 14): what the routing table makes of the members'
 * presence and whom the strategy would offer an interaction, in order, with
 * the router's own code (PIDF parse + routing table, strategies, the
 * engine's eligibility and selection in router/selection.ts). Pure: an
 * edited config is parsed with the router's parser and never saved.
 */
import { encodePidf, parsePidf, type ParsedPresence } from '../../wire/presence/pidf.js';
import { presenceDocument, STATE_LABELS } from '../../wire/presence/states.js';
import { toAor } from '../../wire/sip/uri.js';
import * as v from 'valibot';
import { DryRunRequestSchema, type DryRunRequest, type DryRunResult } from '../../wire/dashboard.js';
import {
  parseRouterConfig,
  RouterConfigError,
  type RouterConfig,
  type RoutingPointConfig,
} from '../config.js';
import { mapPresence, type PresenceView, type RoutingState } from '../routing-state.js';
import { chooseOffer, notOfferableBecause } from '../selection.js';
import { limitsFor, NO_PROTECTION_FACTS, type ProtectionFacts } from '../protection.js';
import { strategyFor } from '../strategies/index.js';
import { maskedView } from '../mask.js';

/** What the live router knows that a scenario does not say (absent: a fresh router). */
export interface DryRunLive {
  /** Round robin: the member last offered on each routing point. */
  readonly cursor?: (routingPoint: string) => string | undefined;
  /** Longest idle: since when (epoch ms) each member has been idle. */
  readonly idleSince?: (kw: string) => number | undefined;
  readonly inWrapUp?: (kw: string) => boolean;
  /** A member's interactions now, for those the scenario gives no `interactions` (default 0). */
  readonly load?: (kw: string) => number;
  /** Protecting the experts (issue 16): what each KW did lately, and the time now. */
  readonly protection?: (kw: string) => ProtectionFacts;
  readonly now?: number;
}

type OkResult = Extract<DryRunResult, { ok: true }>;
type Problems = Extract<DryRunResult, { ok: false }>;

const MAX_TEXT = 500;

export function dryRun(current: RouterConfig, request: DryRunRequest, live: DryRunLive = {}): DryRunResult {
  const config = request.config === undefined ? current : editedConfig(request.config);
  if ('problems' in config) return config;
  const rp = findRoutingPoint(config, request.routingPoint);
  if (!rp) {
    const known = config.routingPoints.map((p) => p.uri).join(', ');
    return problems([`no routing point ${request.routingPoint} in the config (it has ${known})`]);
  }
  const given = membersGiven(rp, request, config.domain);
  if ('problems' in given) return given;
  return plan(config, rp, given, request.userData ?? {}, live);
}

function editedConfig(data: unknown): RouterConfig | Problems {
  try {
    return parseRouterConfig(data, { source: 'edited config' });
  } catch (error) {
    if (error instanceof RouterConfigError) return problems(error.problems.map((p) => `config: ${p}`));
    throw error;
  }
}

function findRoutingPoint(config: RouterConfig, wanted: string): RoutingPointConfig | undefined {
  const w = wanted.trim().toLowerCase();
  const aor = w.includes(':') ? toAor(w)?.toLowerCase() : `sip:${w}@${config.domain}`;
  return config.routingPoints.find((p) => p.uri.toLowerCase() === aor || p.displayName.toLowerCase() === w);
}

interface GivenMember {
  readonly presence: DryRunRequest['members'][number]['presence'];
  readonly interactions: number | undefined;
}

function membersGiven(
  rp: RoutingPointConfig,
  request: DryRunRequest,
  domain: string,
): Map<string, GivenMember> | Problems {
  const byUri = new Map<string, GivenMember>();
  const issues: string[] = [];
  for (const [i, m] of request.members.entries()) {
    const uri = m.kw.includes(':') ? toAor(m.kw) : toAor(`sip:${m.kw.trim()}@${domain}`);
    const member = rp.members.find((c) => c.uri.toLowerCase() === uri?.toLowerCase());
    if (!member) issues.push(`members.${i}: ${m.kw} is not a member of ${rp.uri}`);
    else byUri.set(member.uri, { presence: m.presence, interactions: m.interactions });
  }
  return issues.length > 0 ? problems(issues.slice(0, 10)) : byUri;
}

/** The presence as the router would read it, and what the routing table makes of it. */
export function readPresence(
  kw: string,
  presence: GivenMember['presence'] | undefined,
  config: RouterConfig,
): { text: string; state: RoutingState } {
  let view: PresenceView;
  let text: string;
  if (presence === undefined || presence.kind === 'none') {
    view = { kind: 'none' };
    text = 'nothing published';
  } else {
    // A state goes through the PIDF the KW Desktop publishes, so it is read like any NOTIFY.
    const body =
      presence.kind === 'pidf' ? presence.document : encodePidf(presenceDocument(kw, presence.state));
    const parsed = parsePidf(body);
    view = parsed.ok
      ? { kind: 'document', presence: parsed.value }
      : { kind: 'unreadable', error: parsed.error };
    text = parsed.ok ? describePresence(parsed.value) : `unreadable PIDF: ${parsed.error}`;
    if (presence.kind === 'state') text = `${STATE_LABELS[presence.state]}: ${text}`;
  }
  return { text: text.slice(0, MAX_TEXT), state: mapPresence(view, config.routingTable) };
}

export function describePresence(p: ParsedPresence): string {
  const parts: string[] = [p.basic];
  if (p.activities.length > 0) parts.push(`activity ${p.activities.join(', ')}`);
  if (p.dnd) parts.push('do not disturb');
  if (p.notes.length > 0) parts.push(`note "${p.notes.join('; ')}"`);
  return parts.join(', ');
}

function plan(
  config: RouterConfig,
  rp: RoutingPointConfig,
  given: ReadonlyMap<string, GivenMember>,
  userData: Readonly<Record<string, string>>,
  live: DryRunLive,
): OkResult {
  const members: OkResult['members'][number][] = [];
  const blocked = new Map<string, string>();
  for (const m of rp.members) {
    const g = given.get(m.uri);
    const { text, state } = readPresence(m.uri, g?.presence, config);
    members.push({
      kw: m.uri,
      presence: text,
      routingState: state.kind,
      reason: 'reason' in state ? state.reason : '',
    });
    const why = notOfferableBecause({
      state,
      load: g?.interactions ?? live.load?.(m.uri) ?? 0,
      capacity: m.capacity ?? rp.capacity,
      inWrapUp: live.inWrapUp?.(m.uri) ?? false,
      ...protectionOf(rp, m.uri, live),
    });
    if (why !== undefined) blocked.set(m.uri, why);
  }
  const { order, stop } = offerOrder(rp, blocked, userData, live);
  const skipped = rp.members
    .filter((m) => !order.includes(m.uri))
    .map((m) => ({ kw: m.uri, reason: (blocked.get(m.uri) ?? `not offered: ${stop}`).slice(0, MAX_TEXT) }));
  const masked = maskedView(userData, rp.mask, MAX_TEXT);
  return {
    ok: true,
    routingPoint: rp.uri,
    strategy: strategyFor(rp).name,
    members,
    order,
    skipped,
    ...(masked.length > 0 ? { userData: masked } : {}),
  };
}

/** The member's limits and what they did lately (a fresh router: nothing yet). */
function protectionOf(
  rp: RoutingPointConfig,
  kw: string,
  live: DryRunLive,
): {
  protection?: { limits: NonNullable<ReturnType<typeof limitsFor>>; facts: ProtectionFacts; now: number };
} {
  const limits = limitsFor(rp, kw);
  if (!limits) return {};
  return {
    protection: {
      limits,
      facts: live.protection?.(kw) ?? NO_PROTECTION_FACTS,
      now: live.now ?? Date.now(),
    },
  };
}

/**
 * The offers one interaction would get if each were declined in turn: the
 * engine's selection, repeated with the offered set growing (as the engine
 * does after each decline), within the attempts limit.
 */
function offerOrder(
  rp: RoutingPointConfig,
  blocked: ReadonlyMap<string, string>,
  userData: Readonly<Record<string, string>>,
  live: DryRunLive,
): { order: string[]; stop: string } {
  const strategy = strategyFor(rp);
  const uris = rp.members.map((m) => m.uri);
  const offered = new Set<string>();
  const order: string[] = [];
  let cursor = live.cursor?.(rp.uri);
  while (order.length < rp.maxAttempts) {
    if (uris.every((u) => offered.has(u))) return { order, stop: 'every member was offered' };
    const eligible = uris
      .filter((u) => !offered.has(u) && !blocked.has(u))
      .map((uri) => ({ uri, idleSince: live.idleSince?.(uri) ?? 0 }));
    const choice = chooseOffer(strategy, {
      members: uris,
      eligible,
      offered,
      userData,
      cursor,
      limit: rp.maxAttempts - order.length,
    });
    if (choice.kind !== 'offer') return { order, stop: choice.why };
    for (const kw of choice.kws) {
      order.push(kw);
      offered.add(kw);
      cursor = kw;
    }
  }
  return { order, stop: `the attempts limit (${rp.maxAttempts}) is reached` };
}

function problems(list: readonly string[]): Problems {
  return { ok: false, problems: list.map((p) => p.slice(0, MAX_TEXT)) };
}

/** A dry run request from JSON text, or the problems in words. */
export function parseDryRunRequest(
  text: string,
): { ok: true; request: DryRunRequest } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not JSON: ${(error as Error).message}`.slice(0, 500)] };
  }
  const checked = v.safeParse(DryRunRequestSchema, json);
  if (checked.success) return { ok: true, request: checked.output };
  return {
    ok: false,
    problems: checked.issues.slice(0, 5).map((issue) => {
      const at = v.getDotPath(issue);
      return (at ? `${at}: ${issue.message}` : issue.message).slice(0, 500);
    }),
  };
}
