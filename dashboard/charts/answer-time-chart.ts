/** The answer-time distribution today (offer → decision): a histogram over the router's buckets. */
import uPlot from 'uplot';
import type { DashboardSnapshot } from '../../wire/dashboard.js';
import { boundWords } from '../format.js';
import { COUNT_AXIS_INCRS, countRange, themedAxis, type ChartTheme } from './chart-theme.js';

export interface HistogramData {
  readonly aligned: uPlot.AlignedData;
  /** One label per bucket: "≤ 2 s", the last "> 60 s". */
  readonly labels: readonly string[];
  readonly total: number;
}

export function histogramData(buckets: DashboardSnapshot['answerTimeHistogram']): HistogramData {
  const labels = buckets.map((b, i) => {
    if (b.upToMs !== null) return `≤ ${boundWords(b.upToMs)}`;
    const below = buckets[i - 1]?.upToMs;
    return below === null || below === undefined ? 'all' : `> ${boundWords(below)}`;
  });
  return {
    aligned: [buckets.map((_, i) => i), buckets.map((b) => b.count)],
    labels,
    total: buckets.reduce((n, b) => n + b.count, 0),
  };
}

export function histogramOptions(
  theme: ChartTheme,
  labels: readonly string[],
): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(0, labels.length - 0.5)] },
      y: { range: countRange },
    },
    axes: [
      themedAxis(theme, {
        splits: () => labels.map((_, i) => i),
        values: (_u: uPlot, splits: number[]) => splits.map((i) => labels[i] ?? ''),
        grid: { show: false },
      }),
      themedAxis(theme, { incrs: COUNT_AXIS_INCRS, size: theme.fontPx * 3.5 }),
    ],
    series: [
      {},
      {
        label: 'Answers',
        fill: theme.offered,
        stroke: theme.offered,
        width: 0,
        paths: uPlot.paths.bars?.({ size: [0.85, 80], align: 0 }),
        points: { show: false },
      },
    ],
  };
}
