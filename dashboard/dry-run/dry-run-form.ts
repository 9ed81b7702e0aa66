/**
 * The dry-run form and the request it makes: what the supervisor typed,
 * checked into a DryRunRequest (wire/dashboard.ts) or into sentences that say
 * what to fix. Pure, so it is unit-tested.
 */
import * as v from 'valibot';
import {
  DryRunRequestSchema,
  type DryRunRequest,
  type MemberView,
  type RoutingPointView,
} from '../../wire/dashboard.js';

/** The states the KW Desktop publishes, as the dry run takes them. */
export const PRESENCE_STATES = [
  'available',
  'busy',
  'dnd',
  'brb',
  'away',
  'offline',
  'on-the-phone',
] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];
/** A published state, nothing published, or a pasted PIDF document. */
export type PresenceChoice = PresenceState | 'none' | 'pidf';

export const PRESENCE_LABELS: Readonly<Record<PresenceChoice, string>> = {
  available: 'Available',
  busy: 'Busy',
  dnd: 'Do not disturb',
  brb: 'Be right back',
  away: 'Away',
  offline: 'Offline',
  'on-the-phone': 'On the phone',
  none: 'Nothing published',
  pidf: 'A PIDF document…',
};

export interface MemberForm {
  readonly kw: string;
  readonly name: string;
  readonly presence: PresenceChoice;
  readonly pidf: string;
  /** Interactions in progress, as typed ('' = as the router counts them). */
  readonly interactions: string;
}

export interface DryRunForm {
  readonly routingPoint: string;
  readonly members: readonly MemberForm[];
  /** "Name: value" lines. */
  readonly userData: string;
  /** An edited router config as JSON; '' = the current one. */
  readonly config: string;
}

export type FormOutcome =
  | { readonly ok: true; readonly request: DryRunRequest }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The presence a member shows now, as the closest published state (a start the supervisor then changes). */
export function presenceFromLive(member: MemberView): PresenceChoice {
  if (member.routingState === 'Ready') return 'available';
  if (member.routingState === 'LoggedOut') return 'offline';
  const reason = member.reason.trim().toLowerCase();
  const state = PRESENCE_STATES.find((s) => s === reason);
  return state ?? 'busy';
}

/** The form for a routing point, its members preset from the live view. */
export function formFor(point: RoutingPointView | undefined, routingPoint = point?.uri ?? ''): DryRunForm {
  return {
    routingPoint,
    members: (point?.members ?? []).map((m) => ({
      kw: m.kw,
      name: m.name.trim() || m.kw,
      presence: presenceFromLive(m),
      pidf: '',
      interactions: String(m.interactions),
    })),
    userData: '',
    config: '',
  };
}

function userDataOf(text: string, problems: string[]): Record<string, string> | undefined {
  const data: Record<string, string> = {};
  let any = false;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const at = line.search(/[:=]/);
    const name = at < 0 ? '' : line.slice(0, at).trim();
    if (name === '') {
      problems.push(`Line ${index + 1} of the user data needs a name and a value, like “CaseNumber: 42”.`);
      return;
    }
    data[name] = line.slice(at + 1).trim();
    any = true;
  });
  return any ? data : undefined;
}

function configOf(text: string, problems: string[]): { config?: unknown } {
  if (text.trim() === '') return {};
  try {
    return { config: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    problems.push(`The edited config is not valid JSON (${detail}).`);
    return {};
  }
}

function memberOf(member: MemberForm, problems: string[]): DryRunRequest['members'][number] | undefined {
  const label = member.name || member.kw;
  let interactions: number | undefined;
  if (member.interactions.trim() !== '') {
    interactions = Number(member.interactions);
    if (!Number.isInteger(interactions) || interactions < 0) {
      problems.push(`Interactions of ${label} must be a whole number, 0 or more.`);
      return undefined;
    }
  }
  if (member.presence === 'pidf') {
    if (member.pidf.trim() === '') {
      problems.push(`Paste a PIDF document for ${label}, or pick a state.`);
      return undefined;
    }
    return { kw: member.kw, presence: { kind: 'pidf', document: member.pidf }, interactions };
  }
  const presence =
    member.presence === 'none'
      ? { kind: 'none' as const }
      : { kind: 'state' as const, state: member.presence };
  return { kw: member.kw, presence, interactions };
}

/** The request the form makes, or the sentences that say what to fix first. */
export function requestOf(form: DryRunForm): FormOutcome {
  const problems: string[] = [];
  if (form.routingPoint.trim() === '') problems.push('Pick a routing point.');
  const members = form.members.map((m) => memberOf(m, problems));
  const userData = userDataOf(form.userData, problems);
  const { config } = configOf(form.config, problems);
  if (problems.length > 0) return { ok: false, problems };
  const candidate = {
    routingPoint: form.routingPoint,
    members: members.filter((m) => m !== undefined),
    ...(userData ? { userData } : {}),
    ...(config !== undefined ? { config } : {}),
  };
  const checked = v.safeParse(DryRunRequestSchema, candidate);
  if (!checked.success) return { ok: false, problems: checked.issues.map(issueSentence) };
  return { ok: true, request: checked.output };
}

function issueSentence(issue: v.BaseIssue<unknown>): string {
  const path = issue.path?.map((p) => String(p.key)).join(' › ');
  return path
    ? `The dry run cannot take ${path}: ${issue.message}.`
    : `The dry run cannot take this: ${issue.message}.`;
}
