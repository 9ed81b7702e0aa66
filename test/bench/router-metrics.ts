/**
 * The router's /metrics (Prometheus text, router/metrics.ts), scraped and read:
 * the `kw_router_kws` gauge by state, one value, and the routing-decision
 * histogram's sum and count. Every series carries the `instance` label; one
 * scrape is one router process.
 */

export async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

/** `kw_router_kws` summed by state: `{ Ready: 5, NotReady: 995 }`. */
export function kwStates(metrics: string): Record<string, number> {
  const states: Record<string, number> = {};
  for (const m of metrics.matchAll(/^kw_router_kws\{[^}]*state="([A-Za-z]+)"[^}]*\} (\d+)/gm))
    states[m[1] as string] = (states[m[1] as string] ?? 0) + Number(m[2]);
  return states;
}

/** The first series of `name` (any labels). */
export function metricValue(metrics: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : undefined;
}

export interface DecisionHistogram {
  /** Seconds. */
  readonly sum: number;
  readonly count: number;
}

export function decisionHistogram(metrics: string): DecisionHistogram {
  return {
    sum: metricValue(metrics, 'kw_router_routing_decision_seconds_sum') ?? 0,
    count: metricValue(metrics, 'kw_router_routing_decision_seconds_count') ?? 0,
  };
}
