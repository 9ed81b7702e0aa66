/**
 * One interaction of the engine as a JSON record, for the shared store
 * (router/shared-routing.ts): the engine exports it after each step and adopts
 * it before the next, on whichever instance runs that step. What comes back
 * from the store is validated like anything from the network: a record that
 * does not parse is refused, never half-adopted.
 */
import type { JsonObject, JsonValue } from './store/types.js';

const PHASES = ['routing', 'routed', 'not-routed', 'ended', 'released'] as const;
const OUTCOMES = ['pending', 'accepted', 'declined', 'failed', 'timed-out', 'taken', 'withdrawn'] as const;

/** Where an interaction is: routing and routed are live, the others finished. */
export type RecordPhase = (typeof PHASES)[number];
/** What became of one preview (the engine's `OfferOutcome`). */
export type OfferOutcome = (typeof OUTCOMES)[number];

export interface OfferRecord {
  readonly kw: string;
  readonly offeredAt: number;
  readonly outcome: OfferOutcome;
  readonly declineReason?: string;
  readonly token?: number;
}

/** The agent's request, as the engine keeps it and the record stores it. */
export interface InteractionRequest {
  readonly interactionId: string;
  readonly agent: { readonly uri: string; readonly displayName: string };
  readonly subject: string;
  readonly text: string;
  readonly userData: Readonly<Record<string, string>>;
}

export interface InteractionRecord {
  readonly phase: RecordPhase;
  readonly request: InteractionRequest;
  readonly offers: readonly OfferRecord[];
  readonly attempts: number;
  readonly kw?: string;
  readonly waitDeadline?: number;
  readonly inactiveAt?: number;
  readonly routedAt?: number;
  /** Finished: remembered until then. */
  readonly until?: number;
}

/** The record as JSON (undefined fields left out). */
export function recordToJson(record: InteractionRecord): JsonObject {
  return JSON.parse(JSON.stringify(record)) as JsonObject;
}

export type ParsedRecord = { ok: true; record: InteractionRecord } | { ok: false; error: string };

/** Validates a stored record; the error names the first field that is wrong. */
export function parseInteractionRecord(json: JsonObject): ParsedRecord {
  try {
    return { ok: true, record: readRecord(json) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function readRecord(o: JsonObject): InteractionRecord {
  const phase = str(o, 'phase');
  if (!isOneOf(PHASES, phase)) throw new Error(`phase: unknown ${phase}`);
  const offers = arr(o, 'offers').map((v, i) => readOffer(obj(v, `offers[${i}]`)));
  return {
    phase,
    request: readRequest(obj(o['request'], 'request')),
    offers,
    attempts: num(o, 'attempts'),
    ...optional(o, 'kw', str),
    ...optional(o, 'waitDeadline', num),
    ...optional(o, 'inactiveAt', num),
    ...optional(o, 'routedAt', num),
    ...optional(o, 'until', num),
  };
}

function readOffer(o: JsonObject): OfferRecord {
  const outcome = str(o, 'outcome');
  if (!isOneOf(OUTCOMES, outcome)) throw new Error(`offer outcome: unknown ${outcome}`);
  return {
    kw: str(o, 'kw'),
    offeredAt: num(o, 'offeredAt'),
    outcome,
    ...optional(o, 'declineReason', str),
    ...optional(o, 'token', num),
  };
}

function readRequest(o: JsonObject): InteractionRequest {
  const agent = obj(o['agent'], 'request.agent');
  const userData = obj(o['userData'], 'request.userData');
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(userData)) {
    if (typeof v !== 'string') throw new Error(`request.userData.${k}: not a string`);
    data[k] = v;
  }
  return {
    interactionId: str(o, 'interactionId'),
    agent: { uri: str(agent, 'uri'), displayName: str(agent, 'displayName') },
    subject: str(o, 'subject'),
    text: str(o, 'text'),
    userData: data,
  };
}

function obj(v: JsonValue | undefined, what: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: not an object`);
  return v;
}
function arr(o: JsonObject, key: string): JsonValue[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new Error(`${key}: not an array`);
  return v;
}
function str(o: JsonObject, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`${key}: not a string`);
  return v;
}
function num(o: JsonObject, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${key}: not a number`);
  return v;
}
function optional<K extends string, T>(
  o: JsonObject,
  key: K,
  read: (o: JsonObject, key: string) => T,
): { [P in K]?: T } {
  return (o[key] === undefined ? {} : { [key]: read(o, key) }) as { [P in K]?: T };
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
