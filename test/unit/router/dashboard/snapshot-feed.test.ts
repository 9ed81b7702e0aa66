import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { DashboardSnapshotSchema, type DashboardSnapshot } from '../../../../wire/dashboard.js';
import { parseRouterConfig } from '../../../../router/config.js';
import { SnapshotFeed } from '../../../../router/dashboard/snapshot-feed.js';
import { MemoryStore, MemoryStoreState } from '../../../../router/store/memory-store.js';
import { memoryLogger } from '../../../../main/core/log.js';
import { FakeClock } from '../../../support/fake-clock.js';

const RP = 'sip:rp@lab.local';
const KW1 = 'sip:kw1@lab.local';
const KW2 = 'sip:kw2@lab.local';
const config = parseRouterConfig({
  routingPoints: [
    { uri: RP, displayName: 'Support', strategy: 'round-robin', members: ['kw1', 'kw2'], wrapUpSeconds: 30 },
  ],
});

function setup() {
  const clock = new FakeClock(Date.parse('2026-11-24T09:00:00Z'));
  const state = new MemoryStoreState();
  const feed = (instance: string) =>
    new SnapshotFeed({
      config,
      store: new MemoryStore({ state, now: () => clock.now() }),
      instance,
      clock,
      logger: memoryLogger().logger,
      dayStart: () => Date.parse('2026-11-24T00:00:00Z'),
    });
  const writer = new MemoryStore({ state, now: () => clock.now() });
  const event = (e: Record<string, string | number>) =>
    writer.appendEvent({
      ts: new Date(clock.now()).toISOString(),
      interactionId: 'ix-1',
      routingPoint: RP,
      ...e,
    });
  return { clock, feed, writer, event };
}

describe('dashboard snapshot feed (shared store → snapshot)', () => {
  it('shows members from the store, the waiting interaction and its offer, valid for the wire schema', async () => {
    const { clock, feed, writer, event } = setup();
    await writer.setKwState(KW1, { kind: 'Ready' }, clock.now() - 5000);
    await writer.setKwState(KW2, { kind: 'NotReady', reason: 'dnd' }, clock.now() - 7000);
    await event({ event: 'requested', agent: 'sip:agent1@lab.local' });
    await event({ event: 'offered', kw: KW1 });
    await writer.reserve(KW1, 'ix-1', 1);
    const s = await feed('A').poll();
    expect(v.safeParse(DashboardSnapshotSchema, s).success).toBe(true);
    const rp = s.routingPoints[0];
    expect(rp).toMatchObject({ uri: RP, name: 'Support', strategy: 'round-robin' });
    expect(rp?.members).toEqual([
      {
        kw: KW1,
        name: 'kw1',
        routingState: 'Ready',
        reason: '',
        since: '2026-11-24T08:59:55.000Z',
        interactions: 0,
        capacity: 1,
        offered: true,
      },
      {
        kw: KW2,
        name: 'kw2',
        routingState: 'NotReady',
        reason: 'dnd',
        since: '2026-11-24T08:59:53.000Z',
        interactions: 0,
        capacity: 1,
        offered: false,
      },
    ]);
    expect(rp?.waiting).toEqual([
      {
        interactionId: 'ix-1',
        agent: 'sip:agent1@lab.local',
        subject: '',
        since: '2026-11-24T09:00:00.000Z',
        offeredTo: KW1,
      },
    ]);
    expect(s.today.received).toBe(1);
    expect(s.readyOverTime).toEqual([{ at: '2026-11-24T09:00:00.000Z', ready: { [RP]: 1 } }]);
  });

  it('counts a routed interaction and shows the wrap-up after it ended', async () => {
    const { clock, feed, writer, event } = setup();
    await writer.setKwState(KW1, { kind: 'Ready' }, clock.now());
    await event({ event: 'requested', agent: 'sip:agent1@lab.local' });
    await event({ event: 'offered', kw: KW1 });
    await event({ event: 'accepted', kw: KW1, durationMs: 1500 });
    await event({ event: 'routed', kw: KW1 });
    await writer.reserve(KW1, 'ix-1', 1);
    const f = feed('A');
    let s = await f.poll();
    expect(s.routingPoints[0]?.waiting).toEqual([]);
    expect(s.routingPoints[0]?.members[0]).toMatchObject({ interactions: 1, offered: false });
    clock.advance(10_000);
    await event({ event: 'ended', kw: KW1, reason: 'agent', durationMs: 10_000 });
    await writer.releaseAllOf('ix-1');
    s = await f.poll();
    expect(s.routingPoints[0]?.members[0]).toMatchObject({
      interactions: 0,
      wrapUpUntil: '2026-11-24T09:00:40.000Z',
    });
    expect(s.today).toMatchObject({
      accepted: 1,
      answerTime: { p50: 1500, p90: 1500 },
      chatDuration: { p50: 10_000 },
    });
  });

  it('two instances on one store serve the same view', async () => {
    const { clock, feed, writer, event } = setup();
    await writer.setKwState(KW1, { kind: 'Ready' }, clock.now());
    for (const [i, outcome] of ['accepted', 'declined', 'timed-out'].entries()) {
      await event({ event: 'requested', interactionId: `ix-${i}` });
      await event({ event: 'offered', interactionId: `ix-${i}`, kw: KW1 });
      await event({ event: outcome, interactionId: `ix-${i}`, kw: KW1, durationMs: 1000 * (i + 1) });
      clock.advance(61_000);
    }
    const [a, b] = await Promise.all([feed('A').poll(), feed('B').poll()]);
    const same = (s: DashboardSnapshot) => ({ ...s, instance: '', readyOverTime: [] });
    expect(same(a)).toEqual(same(b));
    expect(a.instance).toBe('A');
    expect(b.instance).toBe('B');
    expect(a.today).toMatchObject({ received: 3, offered: 3, accepted: 1, declined: 1, timedOut: 1 });
  });

  it('sends on change at once and otherwise every 5 s; stops polling when nobody watches', async () => {
    const { clock, feed, writer } = setup();
    const f = feed('A');
    const got: DashboardSnapshot[] = [];
    const unwatch = f.watch((s) => got.push(s));
    const settle = async (ms: number) => {
      clock.advance(ms);
      for (let i = 0; i < 20; i++) await Promise.resolve();
      await new Promise((r) => setImmediate(r));
    };
    await settle(0);
    expect(got).toHaveLength(1);
    await settle(250);
    await settle(250);
    expect(got).toHaveLength(1); // nothing changed
    await writer.setKwState(KW2, { kind: 'Ready' }, clock.now());
    await settle(250);
    expect(got).toHaveLength(2);
    expect(got[1]?.routingPoints[0]?.members[1]?.routingState).toBe('Ready');
    for (let i = 0; i < 20; i++) await settle(250);
    expect(got).toHaveLength(3); // the heartbeat
    unwatch();
    for (let i = 0; i < 40; i++) await settle(250);
    expect(got).toHaveLength(3);
  });
});
