import { describe, expect, it } from 'vitest';
import {
  aggregate,
  histogram,
  percentiles,
  toTimedEvent,
  type TimedEvent,
} from '../../../../router/dashboard/aggregate.js';
import { liveInteractions } from '../../../../router/dashboard/live-interactions.js';
import type { RouterEventInput } from '../../../../router/event-log.js';
import { FakeClock } from '../../../support/fake-clock.js';

const RP = 'sip:rp@lab.local';
const KW1 = 'sip:kw1@lab.local';
const KW2 = 'sip:kw2@lab.local';
const MIN = 60_000;

/** Events written "now" on a fake clock, as they come back from the store's stream. */
function recorder(clock: FakeClock) {
  const events: TimedEvent[] = [];
  return {
    events,
    add(input: Partial<RouterEventInput> & Pick<RouterEventInput, 'event'>): void {
      const json = {
        ts: new Date(clock.now()).toISOString(),
        interactionId: 'ix-1',
        routingPoint: RP,
        ...input,
      };
      const e = toTimedEvent(json);
      if (!e) throw new Error(`not an event: ${JSON.stringify(json)}`);
      events.push(e);
    },
  };
}

describe('dashboard aggregation (events in, counters out)', () => {
  it('counts the last 15 minutes and today apart, with decline and not-routed reasons', () => {
    const clock = new FakeClock(Date.parse('2026-11-24T09:00:00Z'));
    const dayStart = Date.parse('2026-11-24T00:00:00Z');
    const r = recorder(clock);
    r.add({ event: 'requested' });
    r.add({ event: 'offered', kw: KW1 });
    r.add({ event: 'declined', kw: KW1, reason: 'in a meeting', durationMs: 4000 });
    r.add({ event: 'not-routed', reason: 'declined' });
    clock.advance(30 * MIN);
    r.add({ event: 'requested', interactionId: 'ix-2' });
    r.add({ event: 'offered', interactionId: 'ix-2', kw: KW2 });
    r.add({ event: 'timed-out', interactionId: 'ix-2', kw: KW2, durationMs: 20_000 });
    r.add({ event: 'offered', interactionId: 'ix-2', kw: KW1 });
    r.add({ event: 'declined', interactionId: 'ix-2', kw: KW1, durationMs: 1000 });
    r.add({ event: 'not-routed', interactionId: 'ix-2', reason: 'declined' });

    const a = aggregate(r.events, clock.now(), dayStart);
    expect(a.today).toMatchObject({
      received: 2,
      offered: 3,
      declined: 2,
      timedOut: 1,
      declineReasons: { 'in a meeting': 1, '': 1 },
      notRouted: { declined: 2 },
    });
    expect(a.last15m).toMatchObject({ received: 1, offered: 2, declined: 1, declineReasons: { '': 1 } });
    // Answer time is a decision: the timeout's 20 s is not one.
    expect(a.today.answerTime).toEqual({ p50: 1000, p90: 4000 });
    expect(a.last15m.answerTime).toEqual({ p50: 1000, p90: 1000 });
  });

  it('counts accepted offers, chat durations and escalations answered or refused', () => {
    const clock = new FakeClock();
    const r = recorder(clock);
    r.add({ event: 'accepted', kw: KW1, durationMs: 2500 });
    r.add({ event: 'routed', kw: KW1 });
    r.add({ event: 'ended', kw: KW1, reason: 'agent', durationMs: 90_000 });
    r.add({ event: 'ended', interactionId: 'ix-2', reason: 'withdrawn' });
    r.add({ event: 'call-redirected', kw: KW1, escalation: 'transfer' });
    r.add({ event: 'call-refused', escalation: 'transfer', reason: '480 Expert Logged Out' });
    r.add({ event: 'call-redirected', kw: KW1, escalation: 'conference' });
    r.add({ event: 'call-redirected', kw: KW1, escalation: 'call' });
    const a = aggregate(r.events, clock.now(), clock.now() - MIN);
    expect(a.today.accepted).toBe(1);
    expect(a.today.chatDuration).toEqual({ p50: 90_000, p90: 90_000 });
    expect(a.today.escalations).toEqual({
      transfer: { answered: 1, refused: 1 },
      conference: { answered: 1, refused: 0 },
    });
  });

  it('leaves out events of another day and events from the future (a clock ahead on another instance)', () => {
    const clock = new FakeClock(Date.parse('2026-11-24T00:05:00Z'));
    const r = recorder(clock);
    clock.advance(-10 * MIN);
    r.add({ event: 'requested' }); // yesterday 23:55
    clock.advance(20 * MIN);
    r.add({ event: 'requested', interactionId: 'ix-3' }); // 10 minutes ahead of "now"
    const now = Date.parse('2026-11-24T00:05:00Z');
    const a = aggregate(r.events, now, Date.parse('2026-11-24T00:00:00Z'));
    expect(a.today.received).toBe(0);
    expect(a.last15m.received).toBe(1);
  });

  it('gives 60 minutes of series, oldest first, each event in its minute', () => {
    const clock = new FakeClock(Date.parse('2026-11-24T09:00:30Z'));
    const r = recorder(clock);
    r.add({ event: 'offered', kw: KW1 });
    clock.advance(2 * MIN);
    r.add({ event: 'offered', kw: KW2 });
    r.add({ event: 'accepted', kw: KW2, durationMs: 100 });
    const a = aggregate(r.events, clock.now(), 0);
    expect(a.perMinute).toHaveLength(60);
    expect(a.perMinute.at(-1)).toEqual({
      minute: '2026-11-24T09:02:00.000Z',
      offered: 1,
      accepted: 1,
      declined: 0,
      timedOut: 0,
      notRouted: 0,
    });
    expect(a.perMinute.at(-3)).toMatchObject({ minute: '2026-11-24T09:00:00.000Z', offered: 1 });
    expect(a.perMinute[0]?.minute).toBe('2026-11-24T08:03:00.000Z');
    // An hour later the first offer has left the series.
    expect(aggregate(r.events, clock.now() + 59 * MIN, 0).perMinute.reduce((n, m) => n + m.offered, 0)).toBe(
      1,
    );
  });

  it('puts answer times in histogram buckets, the last one open', () => {
    expect(histogram([500, 1000, 1001, 61_000, 59_000])).toEqual([
      { upToMs: 1000, count: 2 },
      { upToMs: 2000, count: 1 },
      { upToMs: 5000, count: 0 },
      { upToMs: 10_000, count: 0 },
      { upToMs: 20_000, count: 0 },
      { upToMs: 30_000, count: 0 },
      { upToMs: 60_000, count: 1 },
      { upToMs: null, count: 1 },
    ]);
  });

  it('takes nearest-rank percentiles, null without values', () => {
    expect(percentiles([])).toEqual({ p50: null, p90: null });
    expect(percentiles([10, 1, 5, 7, 3, 2, 4, 6, 8, 9])).toEqual({ p50: 5, p90: 9 });
  });

  it('ignores stream entries that are not router events', () => {
    expect(
      toTimedEvent({ ts: 'yesterday', event: 'requested', interactionId: 'x', routingPoint: RP }),
    ).toBeUndefined();
    expect(
      toTimedEvent({ ts: '2026-11-24T09:00:00Z', event: 'hello', interactionId: 'x', routingPoint: RP }),
    ).toBeUndefined();
    expect(
      toTimedEvent({ ts: '2026-11-24T09:00:00Z', event: 'requested', routingPoint: RP }),
    ).toBeUndefined();
  });
});

describe('what is going on now, from the events', () => {
  it('tracks interactions being routed, their previews out, and ends that start a wrap-up', () => {
    const clock = new FakeClock();
    const r = recorder(clock);
    r.add({ event: 'requested', agent: 'sip:agent1@lab.local' });
    r.add({ event: 'offered', kw: KW1 });
    r.add({ event: 'requested', interactionId: 'ix-2', agent: 'sip:agent2@lab.local' });
    let live = liveInteractions(r.events);
    expect(live.routing.map((x) => [x.interactionId, x.offeredTo])).toEqual([
      ['ix-1', [KW1]],
      ['ix-2', []],
    ]);
    r.add({ event: 'declined', kw: KW1 });
    r.add({ event: 'offered', kw: KW2 });
    r.add({ event: 'accepted', kw: KW2 });
    r.add({ event: 'routed', kw: KW2 });
    clock.advance(MIN);
    r.add({ event: 'ended', kw: KW2, reason: 'kw', durationMs: MIN });
    r.add({ event: 'ended', interactionId: 'ix-2', reason: 'withdrawn' });
    live = liveInteractions(r.events);
    expect(live.routing).toEqual([]);
    expect(live.lastEnded.get(KW2)).toEqual({ at: clock.now(), routingPoint: RP });
  });
});
