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
  /** ms from the moment each MESSAGE went to the socket to its final response, one per 2xx. */
  readonly wireLatenciesMs: readonly number[];
  /** ms each MESSAGE went out after its scheduled time (open loop; ~0 in closed loop): the generator's lateness. */
  readonly sendLagMs: readonly number[];
  /** This worker's event-loop delay during the load (monitorEventLoopDelay, 1 ms resolution). */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** This worker's CPU time during the load. */
  readonly cpuMs: number;
  readonly firstSendAt: number;
  readonly lastDoneAt: number;
}

/** Is the generator keeping up? Its own lateness, next to the latency it reports. */
export interface GeneratorFigures {
  /** p99 of how late MESSAGEs went out after their scheduled time (open loop). */
  readonly sendLagP99Ms: number;
  /** p99 latency from the actual send (scheduled-time latency minus the send lag). */
  readonly wireP99Ms: number;
  /** The worst worker's event-loop delay p99 and max. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** The workers' CPU together, % of one core over the window. */
  readonly cpuPercent: number;
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
  readonly generator: GeneratorFigures;
}

export function mergeReports(reports: readonly WorkerReport[]): LoadFigures {
  const sum = (f: (r: WorkerReport) => number): number => reports.reduce((a, r) => a + f(r), 0);
  const statuses: Record<string, number> = {};
  for (const r of reports)
    for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const sorted = (f: (r: WorkerReport) => readonly number[]): number[] =>
    reports.flatMap(f).sort((a, b) => a - b);
  const latencies = sorted((r) => r.latenciesMs);
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
    generator: {
      sendLagP99Ms: percentile(
        sorted((r) => r.sendLagMs),
        0.99,
      ),
      wireP99Ms: percentile(
        sorted((r) => r.wireLatenciesMs),
        0.99,
      ),
      loopDelayP99Ms: Math.max(0, ...reports.map((r) => r.loopDelayP99Ms)),
      loopDelayMaxMs: Math.max(0, ...reports.map((r) => r.loopDelayMaxMs)),
      cpuPercent: windowMs > 0 ? (sum((r) => r.cpuMs) / windowMs) * 100 : 0,
    },
  };
}

/** Splits `total` into `parts` integers that differ by at most one (the first ones get the extra). */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
