/**
 * The charts' colours and font (read from the page's CSS by read-theme.ts) and
 * the axes they make. No DOM here, so the chart modules are unit-tested in Node.
 */
export interface ChartTheme {
  readonly scheme: 'light' | 'dark';
  readonly text: string;
  readonly grid: string;
  readonly font: string;
  readonly fontPx: number;
  readonly accepted: string;
  readonly declined: string;
  readonly timedOut: string;
  readonly notRouted: string;
  readonly offered: string;
  /** Colours for a series per routing point, in order. */
  readonly series: readonly string[];
}

/** Axes in the theme: tick text in the secondary text colour, light grid. */
export function themedAxis(theme: ChartTheme, extra: object = {}): object {
  return {
    stroke: theme.text,
    font: theme.font,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
    ...extra,
  };
}

/** Counts: whole numbers on the y axis, from 0, at least 0–4 so one event is not a wall. */
export const COUNT_AXIS_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export function countRange(_u: unknown, _min: number, max: number): [number, number] {
  return [0, Math.max(4, Math.ceil(max * 1.1))];
}

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** A time axis in 24-hour "14:05" (uPlot's default is US "2:05pm" with the date under it). */
export function timeAxis(theme: ChartTheme): object {
  return themedAxis(theme, {
    values: (_u: unknown, splits: number[]) =>
      splits.map((s) => {
        const d = new Date(s * 1000);
        return `${twoDigits(d.getHours())}:${twoDigits(d.getMinutes())}`;
      }),
  });
}
