/**
 * The three charts with their legends and a sentence each that says what they
 * show (the canvas itself is hidden from screen readers).
 */
import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import type { DashboardSnapshot } from '../wire/dashboard.js';
import { histogramData, histogramOptions } from './charts/answer-time-chart.js';
import type { ChartTheme } from './charts/chart-theme.js';
import { readChartTheme } from './charts/read-theme.js';
import { ChartView } from './charts/chart-view.js';
import { OUTCOME_LABELS, OUTCOMES, outcomesData, outcomesOptions } from './charts/outcomes-chart.js';
import { readyColour, readyData, readyOptions } from './charts/ready-chart.js';
import { scheme } from './store.js';

interface LegendItem {
  readonly label: string;
  readonly colour: string;
  readonly shape?: 'box' | 'line' | 'dot';
}

function Legend({ items }: { readonly items: readonly LegendItem[] }): JSX.Element {
  return (
    <ul class="legend" aria-hidden="true">
      {items.map((item) => (
        <li key={item.label}>
          <svg class="swatch" viewBox="0 0 12 12" width="12" height="12">
            {item.shape === 'line' && <rect x="0" y="5" width="12" height="3" fill={item.colour} />}
            {item.shape === 'dot' && <circle cx="6" cy="6" r="3.5" fill={item.colour} />}
            {(item.shape ?? 'box') === 'box' && (
              <rect x="0" y="0" width="12" height="12" rx="2" fill={item.colour} />
            )}
          </svg>
          {item.label}
        </li>
      ))}
    </ul>
  );
}

function Figure(props: {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly legend?: readonly LegendItem[];
  readonly children: JSX.Element;
}): JSX.Element {
  return (
    <figure class="card chart" aria-labelledby={`${props.id}-title`}>
      <figcaption>
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <p class="muted chart-summary">{props.summary}</p>
      </figcaption>
      {props.legend && <Legend items={props.legend} />}
      {props.children}
    </figure>
  );
}

function OutcomesFigure({
  snap,
  theme,
}: {
  readonly snap: DashboardSnapshot;
  readonly theme: ChartTheme;
}): JSX.Element {
  const data = useMemo(() => outcomesData(snap.perMinute), [snap.perMinute]);
  const t = data.totals;
  const colours = {
    accepted: theme.accepted,
    declined: theme.declined,
    timedOut: theme.timedOut,
    notRouted: theme.notRouted,
  };
  return (
    <Figure
      id="chart-outcomes"
      title="Offers and outcomes per minute"
      summary={`Last hour: ${t.offered} offered, ${t.accepted} accepted, ${t.declined} declined, ${t.timedOut} timed out, ${t.notRouted} not routed.`}
      legend={[
        ...OUTCOMES.map((o) => ({ label: OUTCOME_LABELS[o], colour: colours[o] })),
        { label: OUTCOME_LABELS.offered, colour: theme.offered, shape: 'dot' },
      ]}
    >
      <ChartView
        shape={`outcomes-${theme.scheme}`}
        options={() => outcomesOptions(theme)}
        data={data.aligned}
      />
    </Figure>
  );
}

function ReadyFigure({
  snap,
  theme,
}: {
  readonly snap: DashboardSnapshot;
  readonly theme: ChartTheme;
}): JSX.Element {
  const data = useMemo(() => readyData(snap), [snap.readyOverTime, snap.routingPoints]);
  const shape = `ready-${theme.scheme}-${data.series.map((s) => `${s.uri}=${s.label}`).join('|')}`;
  return (
    <Figure
      id="chart-ready"
      title="KWs Ready over the last hour"
      summary={
        data.series.length === 0
          ? 'No routing points yet.'
          : `Ready now: ${data.series.map((s) => `${s.label} ${s.now}`).join(', ')}.`
      }
      legend={data.series.map((s, i) => ({
        label: s.label,
        colour: readyColour(theme, i),
        shape: 'line' as const,
      }))}
    >
      <ChartView shape={shape} options={() => readyOptions(theme, data.series)} data={data.aligned} />
    </Figure>
  );
}

function AnswerTimeFigure({
  snap,
  theme,
}: {
  readonly snap: DashboardSnapshot;
  readonly theme: ChartTheme;
}): JSX.Element {
  const data = useMemo(() => histogramData(snap.answerTimeHistogram), [snap.answerTimeHistogram]);
  const shape = `answers-${theme.scheme}-${data.labels.join('|')}`;
  return (
    <Figure
      id="chart-answers"
      title="Answer time today"
      summary={
        data.total === 0
          ? 'No offer answered today yet.'
          : `${data.total} answers; time from offer to the KW’s decision.`
      }
    >
      <ChartView shape={shape} options={() => histogramOptions(theme, data.labels)} data={data.aligned} />
    </Figure>
  );
}

export function ChartsPanel({ snap }: { readonly snap: DashboardSnapshot }): JSX.Element {
  const current = scheme.value;
  const theme = useMemo(() => readChartTheme(document.documentElement, current), [current]);
  return (
    <div class="charts">
      <OutcomesFigure snap={snap} theme={theme} />
      <ReadyFigure snap={snap} theme={theme} />
      <AnswerTimeFigure snap={snap} theme={theme} />
    </div>
  );
}
