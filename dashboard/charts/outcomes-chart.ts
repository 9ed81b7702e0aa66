/**
 * Offers and outcomes per minute (the last 60 minutes): outcomes as stacked
 * bars (accepted at the bottom), offers as a dot over each minute (a line
 * zigzagged over the bars and hid them).
 */
import uPlot from 'uplot';
import type { DashboardSnapshot } from '../../wire/dashboard.js';
import { COUNT_AXIS_INCRS, countRange, themedAxis, timeAxis, type ChartTheme } from './chart-theme.js';

export const OUTCOMES = ['accepted', 'declined', 'timedOut', 'notRouted'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME_LABELS: Readonly<Record<Outcome | 'offered', string>> = {
  accepted: 'Accepted',
  declined: 'Declined',
  timedOut: 'Timed out',
  notRouted: 'Not routed',
  offered: 'Offered',
};

export interface OutcomesData {
  /** x (unix seconds), then the stacked tops from the highest (not routed) down to accepted, then offered. */
  readonly aligned: uPlot.AlignedData;
  readonly totals: Readonly<Record<Outcome | 'offered', number>>;
}

export function outcomesData(perMinute: DashboardSnapshot['perMinute']): OutcomesData {
  const minutes = perMinute.filter((m) => !Number.isNaN(Date.parse(m.minute)));
  const x = minutes.map((m) => Date.parse(m.minute) / 1000);
  const stacks = OUTCOMES.map((_, level) =>
    minutes.map((m) => OUTCOMES.slice(0, level + 1).reduce((n, o) => n + m[o], 0)),
  );
  const totals = { accepted: 0, declined: 0, timedOut: 0, notRouted: 0, offered: 0 };
  for (const m of minutes)
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += m[key];
  // No dot for a minute without offers: a row of dots on the axis read as noise.
  const offered = minutes.map((m) => (m.offered === 0 ? null : m.offered));
  return { aligned: [x, ...stacks.reverse(), offered], totals };
}

export function outcomesOptions(theme: ChartTheme): Omit<uPlot.Options, 'width' | 'height'> {
  const bars = uPlot.paths.bars?.({ size: [0.8, 24], align: 0 });
  const colours: Record<Outcome, string> = {
    accepted: theme.accepted,
    declined: theme.declined,
    timedOut: theme.timedOut,
    notRouted: theme.notRouted,
  };
  const stacked = [...OUTCOMES].reverse().map((o) => ({
    label: OUTCOME_LABELS[o],
    fill: colours[o],
    stroke: colours[o],
    width: 0,
    paths: bars,
    points: { show: false },
  }));
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: { y: { range: countRange } },
    axes: [timeAxis(theme), themedAxis(theme, { incrs: COUNT_AXIS_INCRS, size: theme.fontPx * 3.5 })],
    series: [
      {},
      ...stacked,
      {
        label: OUTCOME_LABELS.offered,
        stroke: theme.offered,
        paths: () => null,
        points: {
          show: true,
          size: Math.round(theme.fontPx * 0.5),
          fill: theme.offered,
          stroke: theme.offered,
        },
      },
    ],
  };
}
