import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/log.js';
import type { ControlInput } from '../../../wire/control.js';
import { parseRouterConfig, RouterConfigError } from '../../../router/config.js';
import { RoutingEngine, type EngineEffects, type InteractionRequest } from '../../../router/engine.js';
import { EventLog, type RouterEvent } from '../../../router/event-log.js';
import { MemberDirectory } from '../../../router/members.js';
import { HOUR_MS, NO_PROTECTION_FACTS, ProtectionLedger, limitsFor } from '../../../router/protection.js';
import { ProtectionKeeper } from '../../../router/protection-keeper.js';
import { notOfferableBecause } from '../../../router/selection.js';
import { MemoryStore, MemoryStoreState } from '../../../router/store/memory-store.js';
import { strategyFor } from '../../../router/strategies/index.js';
import { dryRun } from '../../../router/dashboard/dry-run.js';
import { FakeClock } from '../../support/fake-clock.js';
import { AGENT, KW1, KW2, RP, testRoutingPoint, type RoutingPointRaw } from './fixtures.js';

const READY = { kind: 'Ready' } as const;
const LIMITS = {
  cooldownMs: 30_000,
  maxInteractionsPerHour: 40,
  maxEscalationsPerHour: 5,
  maxConsecutiveMisses: 3,
};
const ids = (n: number): string => `0b8a3c52-7a1e-4c2b-9b8e-${String(n).padStart(12, '0')}`;

describe('protection rules (selection.ts)', () => {
  const base = { state: READY, load: 0, capacity: 1, inWrapUp: false };
  const now = Date.parse('2026-12-05T10:00:00Z');

  it('says why a protected expert is skipped', () => {
    const facts = (f: Partial<typeof NO_PROTECTION_FACTS>) => ({
      ...base,
      protection: { limits: LIMITS, facts: { ...NO_PROTECTION_FACTS, ...f }, now },
    });
    expect(notOfferableBecause(facts({ lastEndedAt: now - 18_000 }))).toBe('cool-down (12 s left)');
    expect(notOfferableBecause(facts({ lastEndedAt: now - 30_000 }))).toBeUndefined();
    expect(notOfferableBecause(facts({ interactionsLastHour: 42 }))).toBe(
      '42 interactions this hour (max 40)',
    );
    expect(notOfferableBecause(facts({ interactionsLastHour: 39 }))).toBeUndefined();
    expect(notOfferableBecause(facts({ escalationsLastHour: 5 }))).toBe('5 escalations this hour (max 5)');
    expect(notOfferableBecause(facts({ missesInARow: 3 }))).toBe('missed 3 requests in a row');
    expect(notOfferableBecause(facts({ missesInARow: 2 }))).toBeUndefined();
  });

  it('applies nothing without limits (configs without the keys behave as before)', () => {
    expect(notOfferableBecause(base)).toBeUndefined();
    expect(limitsFor(testRoutingPoint(), KW1)).toBeUndefined();
  });
});

describe('protection config', () => {
  it('reads the keys per routing point, a member overriding them', () => {
    const rp = testRoutingPoint({
      cooldownSeconds: 20,
      maxInteractionsPerHour: 40,
      maxConsecutiveMisses: 3,
      members: [{ uri: 'kw1', cooldownSeconds: 60, maxConsecutiveMisses: 5 }, 'kw2'],
      waitForDndEnding: true,
    });
    expect(limitsFor(rp, KW1)).toEqual({
      cooldownMs: 60_000,
      maxInteractionsPerHour: 40,
      maxEscalationsPerHour: undefined,
      maxConsecutiveMisses: 5,
    });
    expect(limitsFor(rp, KW2)?.cooldownMs).toBe(20_000);
    expect(rp.waitForDndEnding).toBe(true);
    expect(testRoutingPoint().waitForDndEnding).toBe(false);
  });

  it('names the field of a bad value', () => {
    const bad = (extra: Partial<RoutingPointRaw>) => () =>
      parseRouterConfig({
        routingPoints: [{ uri: RP, strategy: 'longest-idle', members: ['kw1'], ...extra }],
      });
    expect(bad({ maxConsecutiveMisses: 0 })).toThrow(/routingPoints\.0\.maxConsecutiveMisses: must be ≥ 1/);
    expect(bad({ cooldownSeconds: -1 })).toThrow(RouterConfigError);
    expect(bad({ waitForDndEnding: 'yes' as unknown as boolean })).toThrow(
      /waitForDndEnding: must be true or false/,
    );
  });
});

describe('the ledger (protection.ts)', () => {
  it('counts interactions and escalations of the last hour, and misses in a row', () => {
    const clock = new FakeClock();
    const ledger = new ProtectionLedger(clock);
    const at = clock.now();
    ledger.apply({ event: 'routed', at, kw: KW1 });
    ledger.apply({ event: 'call-redirected', at, kw: KW1, escalation: 'transfer' });
    ledger.apply({ event: 'call-redirected', at, kw: KW1, escalation: 'call' });
    ledger.apply({ event: 'declined', at, kw: KW1 });
    ledger.apply({ event: 'timed-out', at, kw: KW1 });
    expect(ledger.facts(KW1)).toMatchObject({
      interactionsLastHour: 1,
      escalationsLastHour: 1,
      missesInARow: 2,
    });
    ledger.apply({ event: 'accepted', at, kw: KW1 });
    expect(ledger.facts(KW1).missesInARow).toBe(0);
    clock.advance(HOUR_MS);
    expect(ledger.facts(KW1)).toMatchObject({ interactionsLastHour: 0, escalationsLastHour: 0 });
    expect(ledger.facts(KW2)).toEqual(NO_PROTECTION_FACTS);
  });
});

/** An engine with the keeper as router.ts wires them, on a memory store. */
function setup(rp: Partial<RoutingPointRaw>, shared = new MemoryStoreState(), clock = new FakeClock()) {
  const directory = new MemberDirectory(clock);
  const config = testRoutingPoint({ members: [KW1], ...rp });
  const events: RouterEvent[] = [];
  const paused: Array<{ kw: string; paused: ControlInput<'paused'> }> = [];
  const previews: string[] = [];
  const store = new MemoryStore({ state: shared, now: () => clock.now() });
  const eventLog = new EventLog({
    logger: silentLogger,
    now: () => clock.now(),
    sink: (e) => {
      events.push(e);
      void store.appendEvent({ ...e });
    },
  });
  const keeper = new ProtectionKeeper({
    routingPoints: [config],
    store,
    eventLog,
    clock,
    logger: silentLogger,
    sendPaused: (_rp, kw, p) => {
      paused.push({ kw, paused: p });
      return Promise.resolve();
    },
    kick: () => engine.kick(),
  });
  const effects: EngineEffects = {
    sendPreview: (to) => {
      previews.push(to);
      return Promise.resolve();
    },
    sendCancel: () => undefined,
    sendRouted: () => Promise.resolve(),
    sendNotRouted: () => undefined,
    sendEnd: () => undefined,
    event: (e) => keeper.local(eventLog.write(e)),
  };
  const engine = new RoutingEngine({
    config,
    strategy: strategyFor(config),
    directory,
    clock,
    effects,
    logger: silentLogger,
    protection: keeper.ledger,
  });
  const request = (n: number): InteractionRequest => ({
    interactionId: ids(n),
    agent: { uri: AGENT, displayName: 'Agent One' },
    subject: 'Case',
    text: 'Help?',
    userData: {},
  });
  const named = (name: string) => events.filter((e) => e.event === name);
  return { clock, directory, engine, keeper, events, named, paused, previews, request, store };
}

describe('protecting the experts: engine and keeper', () => {
  it('cool-down: not offered for N s after an interaction ends, then offered', () => {
    const t = setup({ cooldownSeconds: 30 });
    t.directory.setState(KW1, READY);
    t.engine.request(t.request(1));
    t.engine.answer(ids(1), KW1, 'accept');
    t.clock.advance(5000);
    t.engine.end(ids(1), AGENT);
    t.engine.request(t.request(2));
    expect(t.previews).toEqual([KW1]);
    t.clock.advance(29_000);
    expect(t.previews).toEqual([KW1]);
    t.clock.advance(1100);
    expect(t.previews).toEqual([KW1, KW1]);
  });

  it('at most N interactions an hour', () => {
    const t = setup({ maxInteractionsPerHour: 2, waitForAvailableSeconds: 3600 });
    t.directory.setState(KW1, READY);
    for (const n of [1, 2]) {
      t.engine.request(t.request(n));
      t.engine.answer(ids(n), KW1, 'accept');
      t.engine.end(ids(n), AGENT);
    }
    t.engine.request(t.request(3));
    expect(t.previews).toEqual([KW1, KW1]);
    t.clock.advance(HOUR_MS);
    t.engine.kick();
    expect(t.previews).toEqual([KW1, KW1, KW1]);
  });

  it('pauses a KW after 3 misses in a row, tells them once, and takes them back on resume', () => {
    const t = setup({ maxConsecutiveMisses: 3, previewTimeoutSeconds: 10, waitForAvailableSeconds: 600 });
    t.directory.setState(KW1, READY);
    t.engine.request(t.request(1));
    t.engine.answer(ids(1), KW1, 'decline', 'busy');
    t.engine.request(t.request(2));
    t.clock.advance(10_000); // timed out
    t.engine.request(t.request(3));
    t.engine.answer(ids(3), KW1, 'decline');
    expect(t.paused).toEqual([
      {
        kw: KW1,
        paused: {
          interactionId: ids(3),
          routingPoint: RP,
          displayName: 'rp',
          reason: 'missed-requests',
          missed: 3,
        },
      },
    ]);
    expect(t.named('paused')).toMatchObject([{ kw: KW1, reason: 'missed 3 requests in a row' }]);
    t.engine.request(t.request(4));
    expect(t.previews).toHaveLength(3);
    expect(t.keeper.resumeAsked(KW1, RP)).toEqual({ status: 200, reason: 'OK' });
    expect(t.named('resumed')).toMatchObject([{ kw: KW1, reason: 'resume' }]);
    expect(t.previews).toHaveLength(4);
    expect(t.paused).toHaveLength(1);
  });

  it('takes a paused KW back when they set Available again', () => {
    const t = setup({ maxConsecutiveMisses: 1, waitForAvailableSeconds: 600 });
    t.directory.on('state', (c) => {
      if (c.current.kind === 'Ready') t.keeper.becameReady(c.uri);
    });
    t.directory.setState(KW1, READY);
    t.engine.request(t.request(1));
    t.engine.answer(ids(1), KW1, 'decline');
    expect(t.paused).toHaveLength(1);
    t.engine.request(t.request(2));
    t.directory.setState(KW1, { kind: 'NotReady', reason: 'dnd' });
    t.directory.setState(KW1, READY);
    expect(t.named('resumed')).toMatchObject([{ kw: KW1, reason: 'available' }]);
    expect(t.previews).toEqual([KW1, KW1]);
  });

  it('refuses resume from a KW who is not a member', () => {
    const t = setup({ maxConsecutiveMisses: 1 });
    expect(t.keeper.resumeAsked(KW2, RP).status).toBe(403);
    expect(t.named('resumed')).toEqual([]);
  });

  it('shares misses in a row between instances through the store', async () => {
    const shared = new MemoryStoreState();
    const clock = new FakeClock();
    const a = setup({ maxConsecutiveMisses: 3, waitForAvailableSeconds: 600 }, shared, clock);
    const b = setup({ maxConsecutiveMisses: 3, waitForAvailableSeconds: 600 }, shared, clock);
    a.directory.setState(KW1, READY);
    a.engine.request(a.request(1));
    a.engine.answer(ids(1), KW1, 'decline');
    a.engine.request(a.request(2));
    a.engine.answer(ids(2), KW1, 'decline');
    await Promise.resolve();
    b.keeper.start();
    clock.advance(0);
    await new Promise((r) => setTimeout(r, 10));
    expect(b.keeper.ledger.facts(KW1).missesInARow).toBe(2);
    // A's own events came back from the stream too: not counted twice.
    a.keeper.start();
    clock.advance(0);
    await new Promise((r) => setTimeout(r, 10));
    expect(a.keeper.ledger.facts(KW1).missesInARow).toBe(2);
    a.keeper.stop();
    b.keeper.stop();
  });
});

describe('waiting for a KW whose DND ends soon', () => {
  it('says whom the wait is for, and offers them when they are back', () => {
    const t = setup({ waitForDndEnding: true, waitForAvailableSeconds: 600 });
    const until = t.clock.now() + 5 * 60_000;
    t.directory.setState(KW1, { kind: 'NotReady', reason: 'dnd' });
    t.directory.setDndUntil(KW1, until);
    t.engine.request(t.request(1));
    expect(t.named('waiting')).toMatchObject([
      { kw: KW1, reason: `back from Do not disturb at ${new Date(until).toISOString()}` },
    ]);
    t.clock.advance(5 * 60_000);
    t.directory.setDndUntil(KW1, undefined);
    t.directory.setState(KW1, READY);
    expect(t.previews).toEqual([KW1]);
  });

  it('says nothing for a DND ending after the wait, or when the option is off', () => {
    const late = setup({ waitForDndEnding: true, waitForAvailableSeconds: 60 });
    late.directory.setState(KW1, { kind: 'NotReady', reason: 'dnd' });
    late.directory.setDndUntil(KW1, late.clock.now() + 61_000);
    late.engine.request(late.request(1));
    expect(late.named('waiting')).toEqual([]);
    const off = setup({ waitForAvailableSeconds: 600 });
    off.directory.setState(KW1, { kind: 'NotReady', reason: 'dnd' });
    off.directory.setDndUntil(KW1, off.clock.now() + 60_000);
    off.engine.request(off.request(1));
    expect(off.named('waiting')).toEqual([]);
  });
});

describe('the dry run shows the protection reasons', () => {
  it('skips a KW in cool-down and one who missed too many', () => {
    const config = parseRouterConfig({
      routingPoints: [
        {
          uri: RP,
          strategy: 'longest-idle',
          members: ['kw1', 'kw2', 'kw3'],
          cooldownSeconds: 30,
          maxConsecutiveMisses: 3,
          maxInteractionsPerHour: 40,
        },
      ],
    });
    const now = Date.parse('2026-12-05T10:00:00Z');
    const available = { kind: 'state', state: 'available' } as const;
    const facts = new Map([
      [KW1, { ...NO_PROTECTION_FACTS, lastEndedAt: now - 18_000 }],
      [KW2, { ...NO_PROTECTION_FACTS, missesInARow: 3, paused: true }],
      ['sip:kw3@lab.local', { ...NO_PROTECTION_FACTS, interactionsLastHour: 42 }],
    ]);
    const result = dryRun(
      config,
      {
        routingPoint: RP,
        members: ['kw1', 'kw2', 'kw3'].map((kw) => ({ kw, presence: available })),
      },
      { protection: (kw) => facts.get(kw) ?? NO_PROTECTION_FACTS, now },
    );
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.order).toEqual([]);
    expect(result.skipped).toEqual([
      { kw: KW1, reason: 'cool-down (12 s left)' },
      { kw: KW2, reason: 'missed 3 requests in a row' },
      { kw: 'sip:kw3@lab.local', reason: '42 interactions this hour (max 40)' },
    ]);
  });
});
