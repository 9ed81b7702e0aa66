/**
 * The dashboard's numbers, pure: router events in (router/event-log.ts, as
 * read from the shared event stream), counters, per-minute series and the
 * answer-time histogram out, for a given "now". Two instances reading the
 * same stream compute the same numbers.
 *
 * Definitions (router/README.md "Dashboard"): answer time = `durationMs` of
 * `accepted` and `declined` (a decision; a timeout is counted apart); chat
 * duration = `durationMs` of `ended`; escalations from `call-redirected`
 * (answered) and `call-refused` (refused) with `escalation` transfer or
 * conference.
 */
import type { Counters } from '../../wire/dashboard.js';
import { ROUTER_EVENTS, type RouterEvent, type RouterEventName } from '../event-log.js';

export const MINUTE_MS = 60_000;
export const WINDOW_15M_MS = 15 * MINUTE_MS;
export const SERIES_MINUTES = 60;
/** Upper bounds of the answer-time histogram's buckets (ms); one more bucket holds the rest. */
export const ANSWER_TIME_BUCKETS_MS = [1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000] as const;

/** A router event with its time as epoch ms (parsed once). */
export interface TimedEvent {
  readonly at: number;
  readonly event: RouterEvent;
}

export interface Minute {
  readonly minute: string;
  readonly offered: number;
  readonly accepted: number;
  readonly declined: number;
  readonly timedOut: number;
  readonly notRouted: number;
}

export interface Aggregate {
  readonly last15m: Counters;
  readonly today: Counters;
  readonly perMinute: Minute[];
  readonly answerTimeHistogram: Array<{ upToMs: number | null; count: number }>;
}

const NAMES: ReadonlySet<string> = new Set(ROUTER_EVENTS);

/** A stream entry as a router event, or undefined when it is not one (ignored, never fatal). */
export function toTimedEvent(json: Readonly<Record<string, unknown>>): TimedEvent | undefined {
  const { ts, event, interactionId, routingPoint } = json;
  if (typeof ts !== 'string' || typeof event !== 'string' || !NAMES.has(event)) return undefined;
  if (typeof interactionId !== 'string' || typeof routingPoint !== 'string') return undefined;
  const at = Date.parse(ts);
  if (Number.isNaN(at)) return undefined;
  const text = (key: string): string | undefined => (typeof json[key] === 'string' ? json[key] : undefined);
  const durationMs = typeof json['durationMs'] === 'number' ? json['durationMs'] : undefined;
  const parsed: RouterEvent = {
    ts,
    event: event as RouterEventName,
    interactionId,
    routingPoint,
    ...optional('kw', text('kw')),
    ...optional('agent', text('agent')),
    ...optional('reason', text('reason')),
    ...optional('escalation', text('escalation')),
    ...optional('previousKw', text('previousKw')),
    ...(durationMs !== undefined && durationMs >= 0 ? { durationMs } : {}),
  };
  return { at, event: parsed };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** `events` oldest first; `dayStartMs`: the start of "today" (the caller's time zone). */
export function aggregate(events: readonly TimedEvent[], nowMs: number, dayStartMs: number): Aggregate {
  const since15 = nowMs - WINDOW_15M_MS;
  const inWindow = (e: TimedEvent, from: number): boolean => e.at >= from && e.at <= nowMs;
  const today = events.filter((e) => inWindow(e, dayStartMs));
  return {
    last15m: counters(events.filter((e) => inWindow(e, since15))),
    today: counters(today),
    perMinute: perMinute(events, nowMs),
    answerTimeHistogram: histogram(answerTimes(today)),
  };
}

export function emptyCounters(): Counters {
  return counters([]);
}

export function counters(events: readonly TimedEvent[]): Counters {
  const declineReasons: Record<string, number> = {};
  const notRouted: Record<string, number> = {};
  const escalations = {
    transfer: { answered: 0, refused: 0 },
    conference: { answered: 0, refused: 0 },
  };
  const count = (name: RouterEventName): number => events.filter((e) => e.event.event === name).length;
  for (const { event: e } of events) {
    if (e.event === 'declined') bump(declineReasons, e.reason ?? '');
    if (e.event === 'not-routed') bump(notRouted, e.reason ?? '');
    if ((e.event === 'call-redirected' || e.event === 'call-refused') && isEscalation(e.escalation)) {
      escalations[e.escalation][e.event === 'call-redirected' ? 'answered' : 'refused'] += 1;
    }
  }
  const chats = events
    .filter((e) => e.event.event === 'ended' && e.event.durationMs !== undefined)
    .map((e) => e.event.durationMs ?? 0);
  return {
    received: count('requested'),
    offered: count('offered'),
    accepted: count('accepted'),
    declined: count('declined'),
    declineReasons,
    timedOut: count('timed-out'),
    notRouted,
    escalations,
    answerTime: percentiles(answerTimes(events)),
    chatDuration: percentiles(chats),
  };
}

function isEscalation(value: string | undefined): value is 'transfer' | 'conference' {
  return value === 'transfer' || value === 'conference';
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

function answerTimes(events: readonly TimedEvent[]): number[] {
  return events
    .filter(
      (e) =>
        (e.event.event === 'accepted' || e.event.event === 'declined') && e.event.durationMs !== undefined,
    )
    .map((e) => e.event.durationMs ?? 0);
}

/** Nearest-rank percentiles; null when there are no values. */
export function percentiles(values: readonly number[]): { p50: number | null; p90: number | null } {
  if (values.length === 0) return { p50: null, p90: null };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { p50: rank(0.5), p90: rank(0.9) };
}

/** The last 60 whole minutes up to and including the current one, oldest first. */
export function perMinute(events: readonly TimedEvent[], nowMs: number): Minute[] {
  const current = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const first = current - (SERIES_MINUTES - 1) * MINUTE_MS;
  const rows = Array.from({ length: SERIES_MINUTES }, (_, i) => ({
    start: first + i * MINUTE_MS,
    offered: 0,
    accepted: 0,
    declined: 0,
    timedOut: 0,
    notRouted: 0,
  }));
  for (const { at, event } of events) {
    if (at < first || at > nowMs) continue;
    const row = rows[Math.floor((at - first) / MINUTE_MS)];
    if (!row) continue;
    if (event.event === 'offered') row.offered += 1;
    else if (event.event === 'accepted') row.accepted += 1;
    else if (event.event === 'declined') row.declined += 1;
    else if (event.event === 'timed-out') row.timedOut += 1;
    else if (event.event === 'not-routed') row.notRouted += 1;
  }
  return rows.map(({ start, ...counts }) => ({ minute: new Date(start).toISOString(), ...counts }));
}

export function histogram(values: readonly number[]): Array<{ upToMs: number | null; count: number }> {
  const bounds: Array<number | null> = [...ANSWER_TIME_BUCKETS_MS, null];
  const counts = bounds.map(() => 0);
  for (const value of values) {
    const i = bounds.findIndex((b) => b === null || value <= b);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return bounds.map((upToMs, i) => ({ upToMs, count: counts[i] ?? 0 }));
}

/** Local midnight of the day `nowMs` falls in (the router's time zone). */
export function localDayStart(nowMs: number): number {
  const d = new Date(nowMs);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
