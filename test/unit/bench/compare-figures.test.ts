import { describe, expect, it } from 'vitest';
import { compareFigures, figureTable, figuresOf } from '../../bench/compare-figures.js';

const load = (server: string, mode: string, throughput: number, p99Ms: number, errors = 0) => ({
  server,
  mode,
  throughput,
  p50Ms: 1,
  p99Ms,
  errors,
  statuses: {},
});

describe('bench --compare: figures without a reference ratio', () => {
  it('flattens the core footprint, the load per server and mode, and the answer ratios', () => {
    const names = figuresOf({
      callAnswerRatioToPageToPage: 1.3,
      callAnswerRatioMediaWindowToPageToPage: 1.1,
      coreFootprint: { runs: 5, conversations: 2000, startBundleMs: 216, growthMb: 18.2 },
      wsLoad: [load('kamailio', '5000/s', 5000, 90)],
    }).map((f) => f.name);
    expect(names).toEqual([
      'answer → audio, KW / page-to-page',
      'answer → audio, KW (media window) / page-to-page',
      'core footprint: startBundleMs',
      'core footprint: growthMb',
      'ws load kamailio 5000/s: throughput',
      'ws load kamailio 5000/s: p50Ms',
      'ws load kamailio 5000/s: p99Ms',
      'ws load kamailio 5000/s: errors',
    ]);
  });

  it('judges each figure in its own direction: more throughput is better, more ms or MB is worse', () => {
    const before = {
      coreFootprint: { startBundleMs: 216, growthMb: 18 },
      wsLoad: [load('lab', 'max', 8000, 80)],
    };
    const now = {
      coreFootprint: { startBundleMs: 140, growthMb: 19 },
      wsLoad: [load('lab', 'max', 12_000, 120, 3), load('kamailio', 'max', 11_000, 50)],
    };
    const verdicts = Object.fromEntries(compareFigures(before, now).map((c) => [c.name, c.verdict]));
    expect(verdicts).toMatchObject({
      'core footprint: startBundleMs': 'better',
      'core footprint: growthMb': 'same',
      'ws load lab max: throughput': 'better',
      'ws load lab max: p99Ms': 'worse',
      'ws load lab max: errors': 'worse',
      'ws load kamailio max: throughput': 'new',
    });
  });

  it('lists a figure the new run lacks as gone, and prints both values', () => {
    const out = compareFigures({ coreFootprint: { startBundleMs: 216 } }, {});
    expect(out).toEqual([{ name: 'core footprint: startBundleMs', before: 216, verdict: 'gone' }]);
    expect(figureTable(out)).toMatch(/^core footprint: startBundleMs\s+216\.00\s+—\s+gone$/m);
  });
});
