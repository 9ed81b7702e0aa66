/**
 * The charts' theme read from the page's CSS custom properties, so light and
 * dark come from one stylesheet (uPlot draws on a canvas and needs the values).
 */
import type { ChartTheme } from './chart-theme.js';

function read(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readChartTheme(root: HTMLElement, scheme: 'light' | 'dark'): ChartTheme {
  const style = getComputedStyle(root);
  const fontPx = Number.parseFloat(read(style, '--chart-font-px', '13')) || 13;
  return {
    scheme,
    text: read(style, '--text-2', '#555'),
    grid: read(style, '--chart-grid', 'rgba(128,128,128,0.25)'),
    font: `${fontPx}px ${read(style, '--font', 'sans-serif')}`,
    fontPx,
    accepted: read(style, '--chart-accepted', 'green'),
    declined: read(style, '--chart-declined', 'orange'),
    timedOut: read(style, '--chart-timed-out', 'goldenrod'),
    notRouted: read(style, '--chart-not-routed', 'grey'),
    offered: read(style, '--chart-offered', 'blue'),
    series: [1, 2, 3, 4, 5, 6].map((n) => read(style, `--chart-${n}`, 'steelblue')),
  };
}
