/**
 * What the WebSocket load generator's workers report and how their reports
 * become one figure: throughput over the whole window, latency quantiles over
 * every answered MESSAGE, errors = non-2xx + timeouts + requests lost with a
 * closed connection.
 */
import { percentile } from './stats.js';

/** One worker's share of a run. Times are absolute (ms since the epoch, sub-ms). */
export interface WorkerReport {
  readonly sent: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly timeouts: number;
  readonly closed: number;
  /** Final status → count, for the non-2xx (e.g. {"500": 12}). */
  readonly statuses: Readonly<Record<string, number>>;
  /** ms from the send (open loop: its scheduled time) to the final response, one per 2xx. */
  readonly latenciesMs: readonly number[];
  readonly firstSendAt: number;
  readonly lastDoneAt: number;
}

export interface LoadFigures {
  readonly sent: number;
  readonly ok: number;
  /** non-2xx + timeouts + closed. */
  readonly errors: number;
  readonly timeouts: number;
  readonly statuses: Readonly<Record<string, number>>;
  /** 2xx per second over the window from the first send to the last final response. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly windowMs: number;
}

export function mergeReports(reports: readonly WorkerReport[]): LoadFigures {
  const sum = (f: (r: WorkerReport) => number): number => reports.reduce((a, r) => a + f(r), 0);
  const statuses: Record<string, number> = {};
  for (const r of reports)
    for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const latencies = reports.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const active = reports.filter((r) => r.sent > 0);
  const start = Math.min(...active.map((r) => r.firstSendAt));
  const end = Math.max(...active.map((r) => r.lastDoneAt));
  const windowMs = active.length === 0 ? 0 : Math.max(0, end - start);
  const ok = sum((r) => r.ok);
  const timeouts = sum((r) => r.timeouts);
  return {
    sent: sum((r) => r.sent),
    ok,
    errors: sum((r) => r.non2xx) + timeouts + sum((r) => r.closed),
    timeouts,
    statuses,
    throughput: windowMs > 0 ? (ok * 1000) / windowMs : 0,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? 0,
    windowMs,
  };
}

/** Splits `total` into `parts` integers that differ by at most one (the first ones get the extra). */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
