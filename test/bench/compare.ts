/**
 * `npm run bench -- --compare FILE`: each figure of this run next to the same
 * figure of a saved result (bench-results/baseline.json is main's last), so a
 * regression shows. Medians in ms are machine-dependent; the ratio to the
 * reference measured in the same run is what compares across runs, and what
 * flags a regression (more than 20 % worse).
 *
 *   npx tsx test/bench/compare.ts BASELINE.json CURRENT.json   compare two saved results, no run
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { compareFigures, figureTable, type FigureSource } from './compare-figures.js';
import { REGRESSION_SHARE } from './regression.js';

export interface SavedRow {
  readonly name: string;
  readonly server: string;
  readonly summary: { readonly median: number };
  readonly ratioToReference: number;
}

export interface SavedResult extends FigureSource {
  readonly at?: string;
  readonly rows?: readonly SavedRow[];
  readonly callAnswerRatioToPageToPage?: number;
}

export interface Comparison {
  readonly name: string;
  readonly server: string;
  readonly before?: { readonly median: number; readonly ratio: number };
  readonly now?: { readonly median: number; readonly ratio: number };
  /** now / before of the ratios to the reference; undefined when a side is missing. */
  readonly change?: number;
  readonly verdict: 'better' | 'same' | 'worse' | 'new' | 'gone';
}

export { REGRESSION_SHARE };

const key = (r: { name: string; server: string }): string => `${r.name}\u0000${r.server}`;

export function compareResults(before: SavedResult, now: SavedResult): Comparison[] {
  const old = new Map((before.rows ?? []).map((r) => [key(r), r]));
  const out: Comparison[] = [];
  for (const r of now.rows ?? []) {
    const b = old.get(key(r));
    old.delete(key(r));
    const current = { median: r.summary.median, ratio: r.ratioToReference };
    if (!b) {
      out.push({ name: r.name, server: r.server, now: current, verdict: 'new' });
      continue;
    }
    const change = r.ratioToReference / b.ratioToReference;
    out.push({
      name: r.name,
      server: r.server,
      before: { median: b.summary.median, ratio: b.ratioToReference },
      now: current,
      change,
      verdict: change > 1 + REGRESSION_SHARE ? 'worse' : change < 1 - REGRESSION_SHARE ? 'better' : 'same',
    });
  }
  for (const b of old.values())
    out.push({
      name: b.name,
      server: b.server,
      before: { median: b.summary.median, ratio: b.ratioToReference },
      verdict: 'gone',
    });
  return out;
}

export function comparisonTable(rows: readonly Comparison[], beforeAt = 'baseline'): string {
  const n = (v: number | undefined, digits = 2): string => (v === undefined ? '—' : v.toFixed(digits));
  const lines = [
    `compared with ${beforeAt} (× ref = median / the reference of the same run; worse/better beyond ±${REGRESSION_SHARE * 100} %)`,
    `${'benchmark'.padEnd(48)} ${'server'.padEnd(9)} ${'before'.padStart(9)} ${'now'.padStart(9)} ${'× ref b.'.padStart(9)} ${'× ref now'.padStart(9)} ${'change'.padStart(8)}  verdict`,
  ];
  for (const r of rows) {
    const change = r.change === undefined ? '—' : `${((r.change - 1) * 100).toFixed(0)} %`;
    lines.push(
      `${r.name.padEnd(48)} ${r.server.padEnd(9)} ${n(r.before?.median).padStart(9)} ${n(r.now?.median).padStart(9)} ${n(r.before?.ratio, 1).padStart(9)} ${n(r.now?.ratio, 1).padStart(9)} ${change.padStart(8)}  ${r.verdict}`,
    );
  }
  return lines.join('\n');
}

export function readResult(file: string): SavedResult {
  return JSON.parse(readFileSync(file, 'utf8')) as SavedResult;
}

/** The value of `--compare FILE` (or `--compare=FILE`), if given. */
export function compareArg(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('--compare');
  return at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--compare='))?.slice('--compare='.length);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [beforeFile, nowFile] = process.argv.slice(2);
  if (!beforeFile || !nowFile) {
    console.error('usage: npx tsx test/bench/compare.ts BASELINE.json CURRENT.json');
    process.exit(2);
  }
  const before = readResult(beforeFile);
  const now = readResult(nowFile);
  console.log(comparisonTable(compareResults(before, now), before.at ?? beforeFile));
  console.log(`\n${figureTable(compareFigures(before, now))}`);
}
