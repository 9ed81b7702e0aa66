/**
 * The router-at-scale table: one block of rows per scenario (server, variant,
 * N), each figure with its goal and an honest verdict where a goal applies
 * (the decision p99 to Redis rows at 10,000 KWs, interactions/s to Kamailio
 * rows, RSS to every row; elsewhere the verdict is in parentheses or
 * "(reference)"), then one line per goal over all the rows it applies to.
 */
import {
  CHANGE_RATE,
  ROUTER_SCALE_GOALS,
  variantLabel,
  type RouterScalePlan,
  type RouterScaleResult,
  type RouterStoreKind,
} from './router-scale-plan.js';
import { firstLine } from './stages.js';

export type RouterBaseline = { rssMb: number } | { failure: string };

const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
const f = (x: number | undefined, digits = 2): string =>
  x === undefined || Number.isNaN(x) ? '' : x.toFixed(digits);
const labelOf = (r: RouterScaleResult): string => variantLabel({ store: r.store, instances: r.instances });
const scenarioOf = (r: RouterScaleResult): string => `${r.server} ${labelOf(r)} N=${r.n}`;

const COLUMNS = { server: 9, variant: 9, n: 6, figure: 44, runs: 6, num: 9, goal: 24 } as const;
/** Where the lines under a row start: past the server, variant and N columns. */
const INDENT = ''.padEnd(COLUMNS.server + 1 + COLUMNS.variant + 1 + COLUMNS.n);

/** The rows apply the decision goal: Redis store, N at least 10,000. */
export const decisionGoalApplies = (r: RouterScaleResult): boolean =>
  r.store === ROUTER_SCALE_GOALS.decisionStore && r.n >= ROUTER_SCALE_GOALS.decisionAtN;
/** The rows apply the throughput goal: over Kamailio. */
export const throughputGoalApplies = (r: RouterScaleResult): boolean => r.server === 'kamailio';

export function printRouterScale(
  plan: RouterScalePlan,
  results: readonly RouterScaleResult[],
  baselines: Partial<Record<RouterStoreKind, RouterBaseline>> = {},
): void {
  const g = ROUTER_SCALE_GOALS;
  console.log(
    `\nrouter at scale: router CLI processes; K = ${plan.readyKws} Ready KWs (raw user agents) × capacity ${plan.capacity}, the other N − K busy (presence only)`,
  );
  console.log(
    `variants: ${plan.variants.map(variantLabel).join(', ')} (store × router instances; with Redis a redis-server of the scenario's own; with 2 instances: RSS = the larger instance's, CPU = the sum)`,
  );
  for (const [store, baseline] of Object.entries(baselines))
    console.log(
      'rssMb' in baseline
        ? `router RSS with 1 member, ${store} store, registered, idle (lab server): ${baseline.rssMb.toFixed(1)} MB`
        : `router RSS with 1 member, ${store} store: not measured (${firstLine(baseline.failure)})`,
    );
  const head = [
    'server'.padEnd(COLUMNS.server),
    'variant'.padEnd(COLUMNS.variant),
    'N'.padStart(COLUMNS.n),
    'figure'.padEnd(COLUMNS.figure),
    'runs'.padStart(COLUMNS.runs),
    'p50'.padStart(COLUMNS.num),
    'p99'.padStart(COLUMNS.num),
    'value'.padStart(COLUMNS.num),
    'goal'.padEnd(COLUMNS.goal),
    'verdict',
  ];
  console.log(head.join(' '));
  const row = (
    r: RouterScaleResult,
    figure: string,
    cells: { runs?: number; p50?: number; p99?: number; value?: number; digits?: number },
    goal = '',
    verdictText = '',
  ): void => {
    console.log(
      [
        r.server.padEnd(COLUMNS.server),
        labelOf(r).padEnd(COLUMNS.variant),
        String(r.n).padStart(COLUMNS.n),
        figure.padEnd(COLUMNS.figure),
        (cells.runs === undefined ? '' : String(cells.runs)).padStart(COLUMNS.runs),
        f(cells.p50).padStart(COLUMNS.num),
        f(cells.p99).padStart(COLUMNS.num),
        f(cells.value, cells.digits ?? 1).padStart(COLUMNS.num),
        goal.padEnd(COLUMNS.goal),
        verdictText,
      ]
        .join(' ')
        .trimEnd(),
    );
  };
  const note = (text: string): void => console.log(`${INDENT}  ${text}`);
  const perInstance = (values: Readonly<Record<string, number>>, unit: string, digits = 1): string =>
    Object.entries(values)
      .map(([name, v]) => `${name} ${v.toFixed(digits)}${unit}`)
      .join(', ');
  for (const r of results) {
    const many = r.instances > 1;
    if (r.watchesUpAfterMs !== undefined)
      row(r, `router start → presence of all ${r.n} seen (s)`, { value: r.watchesUpAfterMs / 1000 });
    if (r.routerCpuAtWatchesUpS !== undefined)
      row(r, `  router CPU used by then (s${many ? ', summed' : ''})`, { value: r.routerCpuAtWatchesUpS });
    if (r.slowestScrapeMs !== undefined)
      row(r, '  slowest /metrics answer meanwhile (s)', { value: r.slowestScrapeMs / 1000 });
    for (const [round, c] of Object.entries(r.presenceChanges ?? {}))
      row(r, `${r.n - r.readyKws} changes at ${CHANGE_RATE}/s (${round}) seen (s)`, {
        value: c.ms / 1000,
      });
    if (r.idle) {
      row(
        r,
        `router RSS, ${r.n} watches up, idle (MB${many ? ', max' : ''})`,
        { value: r.idle.rssMb },
        `≤ ${g.rssMb} MB${many ? ' each' : ''}`,
        verdict(r.idle.rssMb <= g.rssMb),
      );
      if (many) note(`RSS per instance: ${perInstance(r.idle.rssMbByInstance, ' MB')}`);
      row(r, `  router CPU while idle (% of one core${many ? ', sum' : ''})`, {
        value: r.idle.routerCpuPercent,
      });
    }
    if (r.decision) {
      const met = verdict(r.decision.p99 <= g.decisionP99Ms);
      row(
        r,
        "decision: agent's MESSAGE → preview at KW (ms)",
        {
          runs: r.decision.runs,
          p50: r.decision.p50,
          p99: r.decision.p99,
          value: r.decision.routerSideMeanMs,
          digits: 2,
        },
        `p99 ≤ ${g.decisionP99Ms} ms, ${g.decisionStore}, ${g.decisionAtN / 1000}k`,
        decisionGoalApplies(r) ? met : `(${met})`,
      );
      row(r, '  reference: one hop agent → server → KW (ms)', {
        runs: r.decision.oneHop.runs,
        p50: r.decision.oneHop.p50,
        p99: r.decision.oneHop.p99,
      });
      note(
        `decision p90 ${f(r.decision.p90)} ms, max ${f(r.decision.max)} ms; other processes used ${f(r.decision.otherProcessesCpuPercent, 0)}% of one core meanwhile`,
      );
    }
    if (r.throughput) {
      const t = r.throughput;
      const failures = Object.values(t.failed).reduce((a, b) => a + b, 0);
      row(
        r,
        `whole interactions/s (${t.seconds} s, ${t.concurrency} at once)`,
        { runs: t.completed, p50: t.interactionMs.p50, p99: t.interactionMs.p99, value: t.perSecond },
        `≥ ${g.interactionsPerSecond}/s over Kamailio`,
        throughputGoalApplies(r) ? verdict(t.perSecond >= g.interactionsPerSecond) : '(reference)',
      );
      const c = t.cpuPercent;
      note(
        `CPU during the run (% of one core): router${many ? 's (sum)' : ''} ${f(c.router, 0)} (${f(t.routerCpuMsPerInteraction)} ms per interaction), bench process${r.server === 'lab' ? ' (+ lab server)' : ''} ${f(c.bench, 0)}${c.kamailio === undefined ? '' : `, kamailio ${f(c.kamailio, 0)}`}${c.redis === undefined ? '' : `, redis ${f(c.redis, 0)}`}, other processes ${f(c.others, 0)}`,
      );
      if (many)
        note(`routing decisions per instance during the run: ${perInstance(t.decisionsByInstance, '', 0)}`);
      if (failures > 0) note(`${failures} interactions failed: ${JSON.stringify(t.failed)}`);
      const problems = Object.values(t.problems).reduce((a, b) => a + b, 0);
      if (problems > 0)
        note(`${problems} problems seen by the KWs and agents: ${JSON.stringify(t.problems)}`);
    }
    if (r.after) {
      row(r, `router RSS after the load (MB${many ? ', max' : ''})`, { value: r.after.rssMb });
      row(r, `router peak RSS of the run (VmHWM, MB${many ? ', max' : ''})`, { value: r.after.peakRssMb });
      row(r, `router heap used after the load (MB${many ? ', max' : ''})`, { value: r.after.heapUsedMb });
      if (many) {
        const each = Object.entries(r.after.byInstance)
          .map(([name, m]) => `${name} ${m.rssMb.toFixed(1)} (peak ${m.peakRssMb.toFixed(1)}) MB`)
          .join(', ');
        note(`RSS per instance after the load: ${each}`);
      }
      if (r.after.redis) row(r, 'redis-server RSS after the load (MB)', { value: r.after.redis.rssMb });
    }
    if ((r.connectionLosses ?? 0) > 0)
      note(
        `the router${many ? 's' : ''} lost ${many ? 'their' : 'its'} SIP connection ${r.connectionLosses} time(s), ${r.connectionLossesWhileSubscribing ?? '?'} of them before all members were seen; each time it subscribed all ${r.n} again`,
      );
    if (r.failure)
      console.log(
        `${r.server.padEnd(COLUMNS.server)} ${labelOf(r).padEnd(COLUMNS.variant)} ${String(r.n).padStart(COLUMNS.n)} FAILED at ${r.failure.stage}: ${firstLine(r.failure.reason)}`,
      );
  }
  console.log(
    "(decision row: 'value' = the routers' own kw_router_routing_decision_seconds mean; interactions row: runs = completed, p50/p99 = one interaction in ms)",
  );
  printGoals(results);
}

/** One line per goal: met / NOT met over the rows it applies to, or why it was not measured. */
function printGoals(results: readonly RouterScaleResult[]): void {
  const g = ROUTER_SCALE_GOALS;
  const line = (
    goal: string,
    rows: readonly RouterScaleResult[],
    value: (r: RouterScaleResult) => number | undefined,
    met: (v: number) => boolean,
    unit: string,
    missing: string,
  ): void => {
    const measured = rows.flatMap((r) => {
      const v = value(r);
      return v === undefined ? [] : [{ r, v }];
    });
    const unmeasured = rows.filter((r) => value(r) === undefined).map(scenarioOf);
    let text: string;
    if (rows.length === 0) text = `not measured in this run (${missing})`;
    else {
      const all = measured.length > 0 && measured.every((m) => met(m.v)) && unmeasured.length === 0;
      const figures = measured.map((m) => `${scenarioOf(m.r)} ${m.v.toFixed(2)}${unit}`);
      const failed = unmeasured.map((s) => `${s} failed before measuring`);
      text = `${all ? 'met' : 'NOT met'} (${[...figures, ...failed].join('; ')})`;
    }
    console.log(`  ${goal}: ${text}`);
  };
  console.log('goals:');
  line(
    `decision p99 ≤ ${g.decisionP99Ms} ms at ${g.decisionAtN.toLocaleString('en')} KWs with Redis`,
    results.filter(decisionGoalApplies),
    (r) => r.decision?.p99,
    (v) => v <= g.decisionP99Ms,
    ' ms',
    `no Redis scenario with N ≥ ${g.decisionAtN}`,
  );
  line(
    `≥ ${g.interactionsPerSecond} whole interactions/s over Kamailio`,
    results.filter(throughputGoalApplies),
    (r) => r.throughput?.perSecond,
    (v) => v >= g.interactionsPerSecond,
    '/s',
    'no Kamailio scenario',
  );
  line(
    `router RSS ≤ ${g.rssMb} MB (each instance, all watches up, idle)`,
    results,
    (r) => r.idle?.rssMb,
    (v) => v <= g.rssMb,
    ' MB',
    'no scenario',
  );
  // Not a goal of the plan, a check: a second preview or `routed` for one interaction is a double offer.
  const doubles = results.flatMap((r) => {
    const count = Object.entries(r.throughput?.problems ?? {})
      .filter(([what]) => what.includes('second'))
      .reduce((sum, [, n]) => sum + n, 0);
    return count > 0 ? [`${scenarioOf(r)} ${count}`] : [];
  });
  console.log(
    `  check, one preview and one routed per interaction: ${doubles.length === 0 ? 'held' : `NOT held (${doubles.join('; ')})`}`,
  );
}
