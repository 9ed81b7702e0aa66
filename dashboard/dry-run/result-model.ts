/** A dry run's answer as the table shows it: per member what the mapping gave and where they stand. Pure. */
import type { DryRunResult } from '../../wire/dashboard.js';
import { ordinal, stateLabel } from '../format.js';

export interface ResultRow {
  readonly kw: string;
  readonly name: string;
  readonly presence: string;
  readonly state: string;
  readonly reason: string;
  /** "1st offer", "skipped: at capacity", or "not offered". */
  readonly outcome: string;
  readonly position: number | null;
}

type Ok = Extract<DryRunResult, { ok: true }>;

/** Rows in offer order first, then the skipped and the rest; names from the form where known. */
export function resultRows(result: Ok, names: ReadonlyMap<string, string>): ResultRow[] {
  const skipped = new Map(result.skipped.map((s) => [s.kw, s.reason]));
  const rows = result.members.map((m): ResultRow => {
    const at = result.order.indexOf(m.kw);
    const skip = skipped.get(m.kw);
    let outcome = 'not offered';
    if (at >= 0) outcome = `${ordinal(at + 1)} offer`;
    else if (skip !== undefined) outcome = `skipped: ${skip}`;
    return {
      kw: m.kw,
      name: names.get(m.kw) ?? m.kw,
      presence: m.presence,
      state: stateLabel(m.routingState),
      reason: m.routingState === 'Ready' ? '' : m.reason,
      outcome,
      position: at >= 0 ? at + 1 : null,
    };
  });
  const rank = (r: ResultRow): number => r.position ?? (skipped.has(r.kw) ? 1e6 : 2e6);
  return rows.sort((a, b) => rank(a) - rank(b));
}

/** The one-line answer above the table. */
export function resultHeadline(result: Ok, names: ReadonlyMap<string, string>): string {
  const first = result.order[0];
  if (first === undefined) return 'Nobody would be offered this interaction: it would not be routed.';
  return `${names.get(first) ?? first} would get the next offer (strategy ${result.strategy}).`;
}
