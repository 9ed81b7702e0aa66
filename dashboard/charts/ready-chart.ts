/** KWs Ready over time (the last 60 minutes, one sample a minute): a stepped line per routing point. */
import uPlot from 'uplot';
import type { DashboardSnapshot } from '../../wire/dashboard.js';
import { COUNT_AXIS_INCRS, countRange, themedAxis, timeAxis, type ChartTheme } from './chart-theme.js';

export interface ReadySeries {
  readonly uri: string;
  readonly label: string;
  readonly now: number;
}

export interface ReadyData {
  readonly aligned: uPlot.AlignedData;
  readonly series: readonly ReadySeries[];
}

/** One series per routing point of the snapshot, then any point only the samples name; a missing sample is a gap. */
export function readyData(snapshot: Pick<DashboardSnapshot, 'readyOverTime' | 'routingPoints'>): ReadyData {
  const samples = snapshot.readyOverTime.filter((s) => !Number.isNaN(Date.parse(s.at)));
  const names = new Map(snapshot.routingPoints.map((p) => [p.uri, p.name.trim() || p.uri]));
  // A routing point only the samples name (removed from the config) keeps its line, named by its address.
  for (const s of samples) for (const uri of Object.keys(s.ready)) if (!names.has(uri)) names.set(uri, uri);
  const uris = [...names.keys()];
  const x = samples.map((s) => Date.parse(s.at) / 1000);
  const columns = uris.map((uri) => samples.map((s) => s.ready[uri] ?? null));
  return {
    aligned: [x, ...columns],
    series: uris.map((uri, i) => ({
      uri,
      label: names.get(uri) ?? uri,
      now: columns[i]?.at(-1) ?? 0,
    })),
  };
}

export function readyColour(theme: ChartTheme, index: number): string {
  return theme.series[index % theme.series.length] ?? theme.offered;
}

export function readyOptions(
  theme: ChartTheme,
  series: readonly ReadySeries[],
): Omit<uPlot.Options, 'width' | 'height'> {
  const stepped = uPlot.paths.stepped?.({ align: 1 });
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: { y: { range: countRange } },
    axes: [timeAxis(theme), themedAxis(theme, { incrs: COUNT_AXIS_INCRS, size: theme.fontPx * 3.5 })],
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.label,
        stroke: readyColour(theme, i),
        width: 2.5,
        paths: stepped,
        points: { show: false },
      })),
    ],
  };
}
