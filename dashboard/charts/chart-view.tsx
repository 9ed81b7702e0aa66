/**
 * One uPlot chart in a box: made when its shape (series, theme) changes, fed
 * new data otherwise, sized to its box. uPlot sizes its canvas through the
 * CSSOM (element.style), which the page's CSP (style-src 'self') allows.
 */
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartViewProps {
  /** Changes when the series or the colours change: the chart is made anew. */
  readonly shape: string;
  readonly options: () => Omit<uPlot.Options, 'width' | 'height'>;
  readonly data: uPlot.AlignedData;
}

function boxSize(box: HTMLElement): { width: number; height: number } {
  return {
    width: Math.max(120, Math.floor(box.clientWidth)),
    height: Math.max(100, Math.floor(box.clientHeight)),
  };
}

export function ChartView({ shape, options, data }: ChartViewProps): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const chart = new uPlot({ ...options(), ...boxSize(element) }, data, element);
    plot.current = chart;
    const observer = new ResizeObserver(() => chart.setSize(boxSize(element)));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Made anew only when the shape changes; new data arrives through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div class="chart-box" ref={box} aria-hidden="true" />;
}
