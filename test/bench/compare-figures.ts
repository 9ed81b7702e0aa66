/**
 * The figures of a bench result that are not rows with a ratio to the
 * reference (the KW core's footprint, the WebSocket load per server, the
 * answer → audio ratio), flattened to named numbers so `--compare` prints
 * them next to a saved result's too. They compare as absolute values (same
 * machine assumed), with the direction that is better for each.
 */
import { REGRESSION_SHARE } from './regression.js';

export interface Figure {
  readonly name: string;
  readonly value: number;
  /** Whether a larger value is the better one (throughput) or the worse one (ms, MB). */
  readonly higherIsBetter: boolean;
}

export interface FigureComparison {
  readonly name: string;
  readonly before?: number;
  readonly now?: number;
  readonly verdict: 'better' | 'same' | 'worse' | 'new' | 'gone';
}

/** The parts of a saved result these figures come from; any may be missing (older results, `--only`, `--skip`). */
export interface FigureSource {
  readonly callAnswerRatioToPageToPage?: number;
  readonly callAnswerRatioMediaWindowToPageToPage?: number;
  readonly coreFootprint?: object;
  readonly wsLoad?: readonly object[];
}

const WS_LOAD_FIELDS = ['throughput', 'p50Ms', 'p99Ms', 'errors'] as const;
/** Counts describing the run, not figures. */
const NOT_FIGURES = new Set(['runs', 'conversations', 'messagesPerConversation']);

export function figuresOf(result: FigureSource): Figure[] {
  const out: Figure[] = [];
  if (typeof result.callAnswerRatioToPageToPage === 'number')
    out.push({
      name: 'answer → audio, KW / page-to-page',
      value: result.callAnswerRatioToPageToPage,
      higherIsBetter: false,
    });
  if (typeof result.callAnswerRatioMediaWindowToPageToPage === 'number')
    out.push({
      name: 'answer → audio, KW (media window) / page-to-page',
      value: result.callAnswerRatioMediaWindowToPageToPage,
      higherIsBetter: false,
    });
  for (const [field, value] of Object.entries(result.coreFootprint ?? {}))
    if (typeof value === 'number' && !NOT_FIGURES.has(field))
      out.push({ name: `core footprint: ${field}`, value, higherIsBetter: false });
  for (const each of result.wsLoad ?? []) {
    const load = new Map(Object.entries(each));
    for (const field of WS_LOAD_FIELDS) {
      const value = load.get(field);
      if (typeof value === 'number')
        out.push({
          name: `ws load ${String(load.get('server'))} ${String(load.get('mode'))}: ${field}`,
          value,
          higherIsBetter: field === 'throughput',
        });
    }
  }
  return out;
}

export function compareFigures(before: FigureSource, now: FigureSource): FigureComparison[] {
  const old = new Map(figuresOf(before).map((f) => [f.name, f]));
  const out: FigureComparison[] = [];
  for (const f of figuresOf(now)) {
    const b = old.get(f.name);
    old.delete(f.name);
    out.push({ name: f.name, before: b?.value, now: f.value, verdict: b ? verdict(b.value, f) : 'new' });
  }
  for (const b of old.values()) out.push({ name: b.name, before: b.value, verdict: 'gone' });
  return out;
}

function verdict(before: number, now: Figure): FigureComparison['verdict'] {
  if (before === now.value) return 'same';
  // A figure that was 0 (errors) and is no longer is worse whatever the share.
  if (before === 0) return now.higherIsBetter ? 'better' : 'worse';
  const change = now.value / before - 1;
  if (Math.abs(change) <= REGRESSION_SHARE) return 'same';
  return change > 0 === now.higherIsBetter ? 'better' : 'worse';
}

export function figureTable(rows: readonly FigureComparison[]): string {
  const n = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(2));
  const lines = [
    `other figures (absolute values; worse/better beyond ±${REGRESSION_SHARE * 100} %)`,
    `${'figure'.padEnd(58)} ${'before'.padStart(10)} ${'now'.padStart(10)}  verdict`,
  ];
  for (const r of rows)
    lines.push(`${r.name.padEnd(58)} ${n(r.before).padStart(10)} ${n(r.now).padStart(10)}  ${r.verdict}`);
  return lines.join('\n');
}
