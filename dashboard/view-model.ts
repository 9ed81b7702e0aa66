/**
 * The live view as the page shows it: a DashboardSnapshot (validated with the
 * wire schema) and the time now turned into rows of text. Pure, so it is
 * unit-tested; the components only lay it out.
 */
import type { Counters, MemberView, RoutingPointView, WaitingView } from '../wire/dashboard.js';
import {
  clockTime,
  elapsedMs,
  forDuration,
  measuredTime,
  reasonWords,
  stateLabel,
  waitWords,
} from './format.js';

/** A wait longer than this is marked, so it stands out on a wall screen. */
export const LONG_WAIT_MS = 60_000;

export interface MemberRow {
  readonly kw: string;
  readonly name: string;
  readonly state: MemberView['routingState'];
  readonly stateText: string;
  readonly reason: string;
  readonly since: string;
  readonly load: string;
  readonly atCapacity: boolean;
  readonly offered: boolean;
  readonly wrapUp: string;
  /** Routing-state changes in the last minutes when so many that the KW flaps; 0 otherwise. */
  readonly flapping: number;
}

export interface WaitingRow {
  readonly id: string;
  readonly subject: string;
  readonly agent: string;
  readonly waits: string;
  readonly long: boolean;
  /** Who it is offered to now, by name when the member is known; '' when it waits for a KW. */
  readonly offeredTo: string;
}

export interface RoutingPointModel {
  readonly uri: string;
  readonly name: string;
  readonly strategy: string;
  readonly ready: number;
  readonly members: readonly MemberRow[];
  readonly waiting: readonly WaitingRow[];
}

function wrapUpText(member: MemberView, nowMs: number): string {
  if (member.wrapUpUntil === undefined) return '';
  const end = Date.parse(member.wrapUpUntil);
  if (Number.isNaN(end)) return '';
  if (end <= nowMs) return 'ending';
  return `until ${clockTime(member.wrapUpUntil)} (${waitWords(end - nowMs)} left)`;
}

/** How often a member flapped lately (see live/state-changes.ts); none by default. */
export type FlapCount = (kw: string) => number;

export function memberRow(member: MemberView, nowMs: number, flaps: FlapCount = () => 0): MemberRow {
  return {
    kw: member.kw,
    name: member.name.trim() || member.kw,
    state: member.routingState,
    stateText: stateLabel(member.routingState),
    reason: member.routingState === 'Ready' ? '' : member.reason,
    since: forDuration(member.since, nowMs),
    load: `${member.interactions} / ${member.capacity}`,
    atCapacity: member.capacity > 0 && member.interactions >= member.capacity,
    offered: member.offered,
    wrapUp: wrapUpText(member, nowMs),
    flapping: flaps(member.kw),
  };
}

function waitingRow(waiting: WaitingView, members: readonly MemberView[], nowMs: number): WaitingRow {
  const ms = elapsedMs(waiting.since, nowMs) ?? 0;
  const offeredTo = waiting.offeredTo ?? '';
  const member = members.find((m) => m.kw === offeredTo);
  return {
    id: waiting.interactionId,
    subject: waiting.subject.trim() || 'No subject',
    agent: waiting.agent,
    waits: waitWords(ms),
    long: ms >= LONG_WAIT_MS,
    offeredTo: member?.name.trim() || offeredTo,
  };
}

/** One routing point: members in the router's order (stable, so a flapping KW does not jump), waits longest first. */
export function routingPointModel(
  point: RoutingPointView,
  nowMs: number,
  flaps: FlapCount = () => 0,
): RoutingPointModel {
  const waiting = [...point.waiting].sort((a, b) => (Date.parse(a.since) || 0) - (Date.parse(b.since) || 0));
  return {
    uri: point.uri,
    name: point.name.trim() || point.uri,
    strategy: point.strategy,
    ready: point.members.filter((m) => m.routingState === 'Ready').length,
    members: point.members.map((m) => memberRow(m, nowMs, flaps)),
    waiting: waiting.map((w) => waitingRow(w, point.members, nowMs)),
  };
}

export interface CounterRow {
  readonly label: string;
  readonly last15m: string;
  readonly today: string;
  /** A breakdown of the row above it (a reason). */
  readonly detail: boolean;
}

function row(label: string, a: number | string, b: number | string, detail = false): CounterRow {
  return { label, last15m: String(a), today: String(b), detail };
}

/** The reasons of both periods, the most frequent today first. */
function reasonRows(a: Record<string, number>, b: Record<string, number>): CounterRow[] {
  const reasons = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  reasons.sort((x, y) => (b[y] ?? 0) - (b[x] ?? 0) || x.localeCompare(y));
  return reasons.map((r) => row(reasonWords(r), a[r] ?? 0, b[r] ?? 0, true));
}

function sum(record: Record<string, number>): number {
  return Object.values(record).reduce((n, v) => n + v, 0);
}

/** The counters table: last 15 minutes beside today, reasons under their totals. */
export function counterRows(last15m: Counters, today: Counters): CounterRow[] {
  const a = last15m;
  const b = today;
  return [
    row('Received', a.received, b.received),
    row('Offered', a.offered, b.offered),
    row('Accepted', a.accepted, b.accepted),
    row('Declined', a.declined, b.declined),
    ...reasonRows(a.declineReasons, b.declineReasons),
    row('Timed out', a.timedOut, b.timedOut),
    row('Not routed', sum(a.notRouted), sum(b.notRouted)),
    ...reasonRows(a.notRouted, b.notRouted),
    row('Transfers answered', a.escalations.transfer.answered, b.escalations.transfer.answered),
    row('Transfers refused', a.escalations.transfer.refused, b.escalations.transfer.refused),
    row('Conferences answered', a.escalations.conference.answered, b.escalations.conference.answered),
    row('Conferences refused', a.escalations.conference.refused, b.escalations.conference.refused),
    row('Answer time, median', measuredTime(a.answerTime.p50), measuredTime(b.answerTime.p50)),
    row('Answer time, 90 %', measuredTime(a.answerTime.p90), measuredTime(b.answerTime.p90)),
    row('Chat duration, median', measuredTime(a.chatDuration.p50), measuredTime(b.chatDuration.p50)),
    row('Chat duration, 90 %', measuredTime(a.chatDuration.p90), measuredTime(b.chatDuration.p90)),
  ];
}
