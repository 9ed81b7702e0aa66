/** A snapshot as the page shows it (dashboard/view-model.ts, the chart data builders, the dev fixtures). */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { histogramData } from '../../../dashboard/charts/answer-time-chart.js';
import { outcomesData } from '../../../dashboard/charts/outcomes-chart.js';
import { readyData } from '../../../dashboard/charts/ready-chart.js';
import { SCENARIOS, snapshotFor } from '../../../dashboard/dev/fixtures.js';
import { counterRows, memberRow, routingPointModel } from '../../../dashboard/view-model.js';
import { DashboardSnapshotSchema, type Counters, type MemberView } from '../../../wire/dashboard.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function member(over: Partial<MemberView>): MemberView {
  return {
    kw: 'sip:anna@lab.local',
    name: 'Anna',
    routingState: 'Ready',
    reason: '',
    since: iso(NOW - 180_000),
    interactions: 0,
    capacity: 2,
    offered: false,
    ...over,
  };
}

function counters(over: Partial<Counters> = {}): Counters {
  return {
    received: 0,
    offered: 0,
    accepted: 0,
    declined: 0,
    declineReasons: {},
    timedOut: 0,
    notRouted: {},
    escalations: { transfer: { answered: 0, refused: 0 }, conference: { answered: 0, refused: 0 } },
    answerTime: { p50: null, p90: null },
    chatDuration: { p50: null, p90: null },
    ...over,
  };
}

describe('member rows', () => {
  it('shows state, since when, load and wrap-up in words', () => {
    const row = memberRow(
      member({
        routingState: 'NotReady',
        reason: 'wrap-up',
        interactions: 2,
        wrapUpUntil: iso(NOW + 40_000),
      }),
      NOW,
    );
    expect(row).toMatchObject({
      stateText: 'Not ready',
      reason: 'wrap-up',
      since: 'for 3 min',
      load: '2 / 2',
      atCapacity: true,
    });
    expect(row.wrapUp).toMatch(/^until \d\d:\d\d \(40 s left\)$/);
  });

  it('hides a reason when Ready, names a KW without a name by address', () => {
    const row = memberRow(member({ reason: 'stale', name: ' ' }), NOW);
    expect(row.reason).toBe('');
    expect(row.name).toBe('sip:anna@lab.local');
    expect(row.atCapacity).toBe(false);
    expect(row.wrapUp).toBe('');
  });
});

describe('routing point model', () => {
  const point = {
    uri: 'sip:billing@lab.local',
    name: 'Billing',
    strategy: 'longest-idle',
    members: [
      member({ kw: 'sip:b@lab.local', name: 'Bruno', routingState: 'NotReady', reason: 'dnd' }),
      member({ kw: 'sip:a@lab.local', name: 'Anna' }),
    ],
    waiting: [
      { interactionId: 'short', agent: 'Agent', subject: 'Short', since: iso(NOW - 10_000) },
      {
        interactionId: 'long',
        agent: 'Agent',
        subject: '',
        since: iso(NOW - 95_000),
        offeredTo: 'sip:a@lab.local',
      },
    ],
  };

  it('keeps the router’s member order, counts Ready, puts the longest wait first', () => {
    const model = routingPointModel(point, NOW);
    expect(model.ready).toBe(1);
    expect(model.members.map((m) => m.name)).toEqual(['Bruno', 'Anna']);
    expect(model.waiting.map((w) => [w.id, w.waits, w.long, w.offeredTo, w.subject])).toEqual([
      ['long', '1 min 35 s', true, 'Anna', 'No subject'],
      ['short', '10 s', false, '', 'Short'],
    ]);
  });
});

describe('counter rows', () => {
  it('puts each reason under its total, the most frequent today first, the empty reason in words', () => {
    const rows = counterRows(
      counters({ declined: 1, declineReasons: { '': 1 }, notRouted: { 'no member ready': 2 } }),
      counters({
        declined: 5,
        declineReasons: { '': 1, 'in a meeting': 4 },
        notRouted: { 'no member ready': 3, 'all declined': 1 },
        answerTime: { p50: 4200, p90: null },
      }),
    );
    const text = rows.map((r) => `${r.detail ? '  ' : ''}${r.label}: ${r.last15m} | ${r.today}`);
    expect(text.slice(3, 10)).toEqual([
      'Declined: 1 | 5',
      '  in a meeting: 0 | 4',
      '  no reason given: 1 | 1',
      'Timed out: 0 | 0',
      'Not routed: 2 | 4',
      '  no member ready: 2 | 3',
      '  all declined: 0 | 1',
    ]);
    expect(text).toContain('Answer time, median: – | 4.2 s');
    expect(text).toContain('Answer time, 90 %: – | –');
  });
});

describe('chart data', () => {
  it('stacks outcomes per minute, top first, offers beside (none drawn for a minute without)', () => {
    const data = outcomesData([
      { minute: '2026-03-02T09:58:00Z', offered: 4, accepted: 2, declined: 1, timedOut: 1, notRouted: 0 },
      { minute: '2026-03-02T09:59:00Z', offered: 0, accepted: 0, declined: 0, timedOut: 0, notRouted: 1 },
      { minute: 'broken', offered: 9, accepted: 9, declined: 0, timedOut: 0, notRouted: 0 },
    ]);
    expect(data.aligned).toEqual([
      [Date.parse('2026-03-02T09:58:00Z') / 1000, Date.parse('2026-03-02T09:59:00Z') / 1000],
      [4, 1],
      [4, 0],
      [3, 0],
      [2, 0],
      [4, null],
    ]);
    expect(data.totals).toEqual({ accepted: 2, declined: 1, timedOut: 1, notRouted: 1, offered: 4 });
  });

  it('draws a Ready line per routing point, a gap where a sample lacks one (0 Ready now)', () => {
    const data = readyData({
      routingPoints: [{ uri: 'sip:a@x', name: 'A', strategy: 's', members: [], waiting: [] }],
      readyOverTime: [
        { at: '2026-03-02T09:58:00Z', ready: { 'sip:a@x': 2, 'sip:old@x': 1 } },
        { at: '2026-03-02T09:59:00Z', ready: { 'sip:a@x': 3 } },
      ],
    });
    expect(data.series.map((s) => [s.label, s.now])).toEqual([
      ['A', 3],
      ['sip:old@x', 0],
    ]);
    expect(data.aligned.slice(1)).toEqual([
      [2, 3],
      [1, null],
    ]);
  });

  it('labels histogram buckets by their bounds, the last as above the one before', () => {
    const data = histogramData([
      { upToMs: 2000, count: 3 },
      { upToMs: 10_000, count: 5 },
      { upToMs: null, count: 1 },
    ]);
    expect(data.labels).toEqual(['≤ 2 s', '≤ 10 s', '> 10 s']);
    expect(data.aligned).toEqual([
      [0, 1, 2],
      [3, 5, 1],
    ]);
    expect(data.total).toBe(9);
  });
});

describe('dev fixtures', () => {
  it.each(SCENARIOS)('%s is a snapshot the wire schema accepts', (scenario) => {
    const result = v.safeParse(DashboardSnapshotSchema, snapshotFor(scenario, NOW, 1));
    expect(result.issues).toBeUndefined();
  });
});

describe('flapping members', () => {
  it('carries the flap count of each member into its row', () => {
    const row = memberRow(member({}), NOW, (kw) => (kw === 'sip:anna@lab.local' ? 4 : 0));
    expect(row.flapping).toBe(4);
    expect(memberRow(member({ kw: 'sip:other@x' }), NOW, () => 0).flapping).toBe(0);
  });
});
