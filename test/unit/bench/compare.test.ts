import { describe, expect, it } from 'vitest';
import { compareArg, compareResults, comparisonTable } from '../../bench/compare.js';

const row = (name: string, server: string, median: number, ratio: number) => ({
  name,
  server,
  summary: { median },
  ratioToReference: ratio,
});

describe('bench --compare', () => {
  it("pairs figures by name and server; judges by the ratio to the same run's reference", () => {
    const before = {
      at: 'B',
      rows: [row('a', 'lab', 10, 100), row('b', 'lab', 10, 100), row('gone', 'lab', 1, 1)],
    };
    // A slower machine: every median doubles, and so does the reference, so `a` is the same.
    const now = { rows: [row('a', 'lab', 20, 110), row('b', 'lab', 20, 150), row('a', 'kamailio', 5, 50)] };
    const out = compareResults(before, now);
    expect(out.map((c) => [c.name, c.server, c.verdict])).toEqual([
      ['a', 'lab', 'same'],
      ['b', 'lab', 'worse'],
      ['a', 'kamailio', 'new'],
      ['gone', 'lab', 'gone'],
    ]);
    expect(out[1]?.change).toBeCloseTo(1.5);
    const table = comparisonTable(out, 'B');
    expect(table).toContain('compared with B');
    expect(table).toMatch(/^b\s+lab\s+10\.00\s+20\.00\s+100\.0\s+150\.0\s+50 %\s+worse$/m);
  });

  it('a much better figure is called better', () => {
    const out = compareResults({ rows: [row('x', 'lab', 10, 100)] }, { rows: [row('x', 'lab', 5, 50)] });
    expect(out[0]?.verdict).toBe('better');
  });

  it('reads --compare FILE and --compare=FILE', () => {
    expect(compareArg(['--quick', '--compare', 'b.json'])).toBe('b.json');
    expect(compareArg(['--compare=b.json'])).toBe('b.json');
    expect(compareArg(['--quick'])).toBeUndefined();
  });
});
