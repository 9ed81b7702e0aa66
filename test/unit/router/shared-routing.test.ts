/**
 * Shared mode with two router "instances" A and B over one store state (as two
 * router processes over one Redis): each has its own SharedRouting, locks,
 * member directory and effects, and they only meet in the store. Time is a
 * fake clock; the store's leases expire on it, and the locks' back-off sleeps
 * move it (so a step waiting for the other instance's lease sees it run out).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/log.js';
import type { ControlInput } from '../../../wire/control.js';
import { DeadlinePoller } from '../../../router/deadline-poller.js';
import { RoutingEngine, type EngineEffects, type InteractionRequest } from '../../../router/engine.js';
import type { RouterEventInput } from '../../../router/event-log.js';
import { InteractionLocks } from '../../../router/interaction-lock.js';
import { MemberDirectory } from '../../../router/members.js';
import { SharedRouting } from '../../../router/shared-routing.js';
import { strategyFor } from '../../../router/strategies/index.js';
import {
  MemoryStore,
  MemoryStoreState,
  StoreError,
  StoreUnavailableError,
  type JsonObject,
  type RouterStore,
} from '../../../router/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { AGENT, ID2, KW1, KW2, KW3, RP, testRoutingPoint, type RoutingPointRaw } from './fixtures.js';

const ID = '0B8A3C52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';
const LEASE_MS = 2000;
const LOAD_HINT_TTL_MS = 5000;

type Sent = { readonly by: string } & (
  | { type: 'preview'; to: string; fields: ControlInput<'preview'> }
  | { type: 'preview-cancel'; to: string; interactionId: string; reason: string }
  | { type: 'routed'; to: string; fields: ControlInput<'routed'> }
  | { type: 'not-routed'; to: string; interactionId: string; reason: string }
  | { type: 'end'; to: string; interactionId: string; reason: string }
);

interface InstanceOptions {
  /** Default: a MemoryStore handle on the cluster's shared state. */
  readonly store?: RouterStore;
  /** Real milliseconds a step waits for another instance's lease (default 10 s). */
  readonly waitMs?: number;
  /** sendPreview to these KWs rejects with this SIP status. */
  readonly previewFails?: ReadonlyMap<string, number>;
  readonly routedFails?: boolean;
}

interface Instance {
  readonly name: string;
  readonly store: RouterStore;
  readonly directory: MemberDirectory;
  readonly locks: InteractionLocks;
  readonly routing: SharedRouting;
}

/** Lets store calls, held sends and the steps they start run to the end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function cluster(rp: Partial<RoutingPointRaw> = {}) {
  const clock = new FakeClock();
  const state = new MemoryStoreState();
  const config = testRoutingPoint(rp);
  const strategy = strategyFor(config);
  const sent: Sent[] = [];
  const events: Array<RouterEventInput & { by: string }> = [];
  const instances: Instance[] = [];

  function instance(name: string, options: InstanceOptions = {}): Instance {
    const store = options.store ?? new MemoryStore({ state, now: () => clock.now() });
    const directory = new MemberDirectory(clock, LOAD_HINT_TTL_MS);
    const locks = new InteractionLocks({
      store,
      instance: name,
      leaseMs: LEASE_MS,
      waitMs: options.waitMs ?? 10_000,
      sleep: (ms) => {
        clock.advance(ms);
        return new Promise((resolve) => setImmediate(resolve));
      },
    });
    const effects: EngineEffects = {
      sendPreview: (to, fields) => {
        sent.push({ by: name, type: 'preview', to, fields });
        const status = options.previewFails?.get(to);
        return status === undefined
          ? Promise.resolve()
          : Promise.reject(Object.assign(new Error('refused'), { status }));
      },
      sendCancel: (to, interactionId, reason) =>
        void sent.push({ by: name, type: 'preview-cancel', to, interactionId, reason }),
      sendRouted: (to, fields) => {
        sent.push({ by: name, type: 'routed', to, fields });
        return options.routedFails
          ? Promise.reject(Object.assign(new Error('gone'), { status: 480 }))
          : Promise.resolve();
      },
      sendNotRouted: (to, interactionId, reason) =>
        void sent.push({ by: name, type: 'not-routed', to, interactionId, reason }),
      sendEnd: (to, interactionId, reason) =>
        void sent.push({ by: name, type: 'end', to, interactionId, reason }),
      event: (e) => void events.push({ ...e, by: name }),
    };
    const routing = new SharedRouting({
      config,
      createEngine: (held) =>
        new RoutingEngine({
          config,
          strategy,
          directory,
          clock,
          effects: held,
          logger: silentLogger,
          timers: 'external',
        }),
      effects,
      store,
      locks,
      directory,
      clock,
      logger: silentLogger,
    });
    const inst = { name, store, directory, locks, routing };
    instances.push(inst);
    return inst;
  }

  /** The KWs become Ready in this order (one second apart) on every instance: the first is the longest idle. */
  const ready = (...kws: string[]): void => {
    for (const kw of kws) {
      for (const i of instances) i.directory.setState(kw, { kind: 'Ready' });
      clock.advance(1000);
    }
  };
  const request = (id = ID): InteractionRequest => ({
    interactionId: id,
    agent: { uri: AGENT, displayName: 'Agent One' },
    subject: 'Case 42',
    text: 'Can you help?',
    userData: { CaseNumber: '42' },
  });
  const previews = (id?: string) =>
    sent
      .filter((s) => s.type === 'preview' && (id === undefined || s.fields.interactionId === id))
      .map((s) => ({ by: s.by, to: s.to }));
  const ofType = <T extends Sent['type']>(type: T) =>
    sent.filter((s): s is Extract<Sent, { type: T }> => s.type === type);
  const eventNames = (id = ID) =>
    events
      .filter((e) => e.interactionId === id)
      .map((e) => `${e.by}: ${e.event}${e.kw ? ` ${e.kw.replace(/^sip:([^@]+)@.*$/, '$1')}` : ''}`);
  /** Claims what is due now on `inst`'s store and ticks it there (one poller round, by hand). */
  const pollOn = async (inst: Instance): Promise<string[]> => {
    const keys = await inst.store.claimDue(clock.now(), 100);
    for (const key of keys) {
      const id = inst.routing.idOfKey(key);
      if (id !== undefined) await inst.routing.tick(id);
    }
    return keys;
  };
  /** Moves the fake clock in 100 ms steps, letting pollers and steps run between them. */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(Math.min(100, ms - t));
      await settle();
    }
  };
  const poller = (inst: Instance) =>
    new DeadlinePoller({
      store: inst.store,
      clock,
      logger: silentLogger,
      targets: [inst.routing],
      intervalMs: 100,
    });
  return {
    clock,
    state,
    config,
    sent,
    events,
    instance,
    ready,
    request,
    previews,
    ofType,
    eventNames,
    pollOn,
    run,
    poller,
  };
}

/** A store whose calls named in `failing` (or every call, with '*') reject as unavailable. */
function flakyStore(inner: RouterStore, failing: Set<string>, retryAfterSeconds = 7): RouterStore {
  return new Proxy(inner, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown =>
        failing.has('*') || failing.has(String(prop))
          ? Promise.reject(
              new StoreUnavailableError('timeout', `${String(prop)} timed out`, { retryAfterSeconds }),
            )
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
}

const OK = { status: 200, reason: 'OK' };

describe('shared routing: one interaction, two instances', () => {
  it('request on A previews once; the accept reaching B routes once; a forked duplicate accept on A gets 409', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    expect(await A.routing.request(c.request())).toEqual(OK);
    expect(c.previews()).toEqual([{ by: 'A', to: KW1 }]);
    expect(c.ofType('preview')[0]?.fields).toMatchObject({
      interactionId: ID,
      routingPoint: RP,
      userData: { CaseNumber: '42' },
      expiresAt: new Date(c.clock.now() + 10_000).toISOString(),
    });
    expect(await B.store.load(KW1)).toBe(1);

    expect(await B.routing.answer(ID, KW1, 'accept', undefined)).toEqual(OK);
    expect(c.ofType('routed')).toEqual([
      {
        by: 'B',
        type: 'routed',
        to: AGENT,
        fields: { interactionId: ID, kw: { uri: KW1, displayName: 'kw1', voiceUri: KW1 } },
      },
    ]);
    // A has not run that step: what it last saw is still routing (the store has the truth).
    expect(A.routing.index.snapshot(ID)).toMatchObject({ phase: 'routing' });
    expect(await A.routing.answer(ID, KW1, 'accept', undefined)).toEqual({
      status: 409,
      reason: 'Preview Already Accepted',
    });
    await settle();
    expect(c.ofType('routed')).toHaveLength(1);
    expect(c.previews()).toEqual([{ by: 'A', to: KW1 }]);
    // The accepted offer's reservation is now the interaction's.
    expect(await A.store.load(KW1)).toBe(1);
    expect(c.eventNames()).toEqual(['A: requested', 'A: offered kw1', 'B: accepted kw1', 'B: routed kw1']);
    const stored = await A.store.loadInteraction(A.routing.keyOf(ID));
    expect(stored).toMatchObject({ v: 1, ix: { phase: 'routed', kw: KW1 } });
    expect(A.routing.index.snapshot(ID)).toMatchObject({ phase: 'routed', kw: KW1 });
  });

  it('the same request forked to A and B at once: one 200, one 409, one preview', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    const replies = await Promise.all([A.routing.request(c.request()), B.routing.request(c.request())]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(replies.find((r) => r.status === 409)?.reason).toBe('Interaction Already In Progress');
    await settle();
    expect(c.previews()).toHaveLength(1);
    expect(c.previews()[0]?.to).toBe(KW1);
    expect(c.events.filter((e) => e.event === 'requested')).toHaveLength(1);
    expect(await A.store.load(KW1)).toBe(1);
    expect(await A.store.load(KW2)).toBe(0);
  });

  it('a forked copy of the request that arrives after the interaction ended does not start it again (same Call-ID → 409)', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    expect(await A.routing.request(c.request(), 'call-1@agent')).toEqual(OK);
    await settle();
    expect(await A.routing.end(ID, AGENT)).toEqual(OK); // withdrawn while routing: over
    await settle();
    const late = await B.routing.request(c.request(), 'call-1@agent');
    expect(late).toEqual({ status: 409, reason: 'Request Already Handled' });
    await settle();
    expect(c.previews()).toHaveLength(1);
    expect(c.events.filter((e) => e.event === 'requested')).toHaveLength(1);
    // A new request (a new MESSAGE, a new Call-ID) for the same interaction starts it afresh.
    expect(await B.routing.request(c.request(), 'call-2@agent')).toEqual(OK);
    await settle();
    expect(c.previews()).toHaveLength(2);
  });

  it('the agent can end the interaction on the other instance while it is routing: the preview is withdrawn, the KW released', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    await A.routing.request(c.request());
    expect(await B.store.load(KW1)).toBe(1);
    expect(await B.routing.end(ID, AGENT)).toEqual(OK);
    await settle();
    expect(c.ofType('preview-cancel')).toEqual([
      { by: 'B', type: 'preview-cancel', to: KW1, interactionId: ID, reason: 'withdrawn' },
    ]);
    expect(await B.store.load(KW1)).toBe(0);
    // A late accept of the withdrawn preview, on A: nothing is routed.
    expect(await A.routing.answer(ID, KW1, 'accept', undefined)).toEqual({
      status: 409,
      reason: 'Interaction Already Answered',
    });
    expect(c.ofType('routed')).toEqual([]);
  });
});

describe('shared routing: reservations across instances', () => {
  it("a KW reserved by A's interaction is not previewed by B (offer taken back); B previews another Ready member", async () => {
    const c = cluster({ members: [KW1, KW2] });
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    await A.routing.request(c.request(ID));
    expect(c.previews(ID)).toEqual([{ by: 'A', to: KW1 }]);
    // B has not seen A's offer: locally KW1 is free and the longest idle.
    expect(B.directory.load(KW1)).toBe(0);

    expect(await B.routing.request(c.request(ID2))).toEqual(OK);
    await settle();
    expect(c.previews(ID2)).toEqual([{ by: 'B', to: KW2 }]);
    expect(c.eventNames(ID2)).toEqual(['B: requested', 'B: offered kw2']);
    // The refused offer did not count as an attempt, and B now knows KW1's load.
    expect(B.routing.index.snapshot(ID2)).toMatchObject({ offers: { [KW2]: 'pending' }, attempts: 1 });
    expect(B.directory.load(KW1)).toBe(1);
    expect(await B.store.load(KW1)).toBe(1);
    expect(await B.store.load(KW2)).toBe(1);
    const stored = await B.store.loadInteraction(B.routing.keyOf(ID2));
    expect(stored).toMatchObject({ ix: { offers: [{ kw: KW2, outcome: 'pending' }], attempts: 1 } });
  });

  it('the only member reserved elsewhere: B waits, sends nothing, and previews the KW once A gives them back', async () => {
    const c = cluster({ members: [KW1], previewTimeoutSeconds: 60, waitForAvailableSeconds: 60 });
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1);
    await A.routing.request(c.request(ID));
    expect(await B.routing.request(c.request(ID2))).toEqual(OK);
    await settle();
    expect(c.previews(ID2)).toEqual([]);
    expect(c.eventNames(ID2)).toEqual(['B: requested']);
    expect(B.routing.index.snapshot(ID2)).toMatchObject({ phase: 'routing', offers: {}, attempts: 0 });

    // B looks again every recheck; even once its load hint is stale, the store keeps refusing.
    for (let i = 0; i < 7; i++) {
      c.clock.advance(1000);
      await c.pollOn(B);
    }
    expect(c.previews(ID2)).toEqual([]);
    expect(c.eventNames(ID2)).toEqual(['B: requested']);

    // KW1 declines A's interaction (on A): the reservation goes back to the store.
    expect(await A.routing.answer(ID, KW1, 'decline', undefined)).toEqual(OK);
    await settle();
    expect(await A.store.load(KW1)).toBe(0);
    expect(c.ofType('not-routed')).toMatchObject([{ by: 'A', interactionId: ID, reason: 'declined' }]);

    for (let i = 0; i < 15 && c.previews(ID2).length === 0; i++) {
      c.clock.advance(1000);
      await c.pollOn(B);
    }
    expect(c.previews(ID2)).toEqual([{ by: 'B', to: KW1 }]);
    expect(c.eventNames(ID2)).toEqual(['B: requested', 'B: offered kw1']);
    expect(await B.store.load(KW1)).toBe(1);
  });

  it("a preview the KW's side refuses releases the reservation and the next member is previewed", async () => {
    const c = cluster();
    const A = c.instance('A', { previewFails: new Map([[KW1, 480]]) });
    c.instance('B');
    c.ready(KW1, KW2);
    await A.routing.request(c.request());
    await settle();
    expect(c.previews()).toEqual([
      { by: 'A', to: KW1 },
      { by: 'A', to: KW2 },
    ]);
    expect(c.events.find((e) => e.event === 'declined')).toMatchObject({
      kw: KW1,
      reason: 'preview refused (480)',
    });
    expect(await A.store.load(KW1)).toBe(0);
    expect(await A.store.load(KW2)).toBe(1);
  });
});

describe('shared routing: deadlines', () => {
  it('A offers and dies; B fires the preview timeout from the store: cancel to the KW, next member previewed by B', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    await A.routing.request(c.request());
    const offeredAt = c.clock.now();
    // From here on A is gone: only B polls.
    const poller = c.poller(B);
    poller.start();
    try {
      await c.run(9_900);
      expect(c.ofType('preview-cancel')).toEqual([]);
      await c.run(200);
    } finally {
      await poller.stop();
    }
    expect(c.ofType('preview-cancel')).toEqual([
      { by: 'B', type: 'preview-cancel', to: KW1, interactionId: ID, reason: 'timeout' },
    ]);
    expect(c.previews()).toEqual([
      { by: 'A', to: KW1 },
      { by: 'B', to: KW2 },
    ]);
    // Fired on time: B's preview went out when the first one expired (within a poll interval).
    const expiresAt = Date.parse(c.ofType('preview')[1]?.fields.expiresAt ?? '');
    expect(expiresAt).toBeGreaterThanOrEqual(offeredAt + 20_000);
    expect(expiresAt).toBeLessThanOrEqual(offeredAt + 20_100);
    expect(await B.store.load(KW1)).toBe(0);
    expect(await B.store.load(KW2)).toBe(1);
    expect(c.eventNames()).toEqual(['A: requested', 'A: offered kw1', 'B: timed-out kw1', 'B: offered kw2']);
  });

  it('both instances polling: the timeout fires exactly once', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2, KW3);
    await A.routing.request(c.request());
    const pollers = [c.poller(A), c.poller(B)];
    for (const p of pollers) p.start();
    try {
      await c.run(10_500);
    } finally {
      await Promise.all(pollers.map((p) => p.stop()));
    }
    expect(c.ofType('preview-cancel').map((s) => [s.to, s.reason])).toEqual([[KW1, 'timeout']]);
    expect(c.previews().map((p) => p.to)).toEqual([KW1, KW2]);
    expect(c.events.filter((e) => e.event === 'timed-out')).toHaveLength(1);
    expect(await A.store.load(KW1)).toBe(0);
    expect(await A.store.load(KW2)).toBe(1);
    expect(await A.store.load(KW3)).toBe(0);
  });

  it('A dies inside a step (holding the interaction): B fires the deadline once the lease has run out', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    await A.routing.request(c.request());
    c.clock.advance(10_000);
    // A claims the interaction for a step and never finishes it.
    void A.locks.withLock(A.routing.keyOf(ID), () => new Promise<never>(() => undefined));
    await settle();
    const claimed = await B.store.claimDue(c.clock.now(), 10);
    expect(claimed).toEqual([B.routing.keyOf(ID)]);
    const before = c.clock.now();
    await B.routing.tick(B.routing.idOfKey(claimed[0] ?? '') ?? '');
    expect(c.clock.now() - before).toBeGreaterThanOrEqual(LEASE_MS);
    expect(c.clock.now() - before).toBeLessThan(LEASE_MS + 200);
    expect(c.ofType('preview-cancel')).toMatchObject([{ by: 'B', to: KW1, reason: 'timeout' }]);
    expect(c.previews()).toEqual([
      { by: 'A', to: KW1 },
      { by: 'B', to: KW2 },
    ]);
  });
});

describe('shared routing: what the store refuses or cannot do', () => {
  const garbage: Array<[string, (valid: JsonObject) => JsonObject, RegExp]> = [
    [
      'an unknown phase',
      (r) => ({ ...r, ix: { ...(r['ix'] as JsonObject), phase: 'lost' } }),
      /phase: unknown lost/,
    ],
    ['an unknown version', (r) => ({ ...r, v: 99 }), /record version 99 unknown/],
    ['no record object', (r) => ({ ...r, ix: 'routing' }), /stored record refused/],
    [
      'an offer without a kw',
      (r) => ({ ...r, ix: { ...(r['ix'] as JsonObject), offers: [{ offeredAt: 1, outcome: 'pending' }] } }),
      /kw: not a string/,
    ],
  ];

  it.each(garbage)(
    'a stored record with %s: the steps are refused with the reason, nothing is sent, the record stays',
    async (_what, spoil, error) => {
      const c = cluster();
      const A = c.instance('A');
      const B = c.instance('B');
      c.ready(KW1, KW2);
      await A.routing.request(c.request());
      const key = A.routing.keyOf(ID);
      const valid = await A.store.loadInteraction(key);
      if (!valid) throw new Error('no record saved');
      // Overwrite it as the interaction's owner (A) would, with its token.
      const claim = await A.store.claimInteraction(key, 'A', 1);
      if (!claim.owner) throw new Error('A does not own the interaction');
      const spoiled = spoil(valid);
      expect(await A.store.saveInteraction(key, claim.token, spoiled)).toBe(true);
      const sentBefore = c.sent.length;
      const eventsBefore = c.events.length;

      await expect(B.routing.answer(ID, KW1, 'accept', undefined)).rejects.toThrow(error);
      await expect(A.routing.end(ID, AGENT)).rejects.toBeInstanceOf(StoreError);
      await expect(B.routing.request(c.request())).rejects.toThrow(/stored record refused/);
      // A deadline on it: the tick reports the failure without throwing, and sends nothing.
      c.clock.advance(10_000);
      await expect(B.routing.tick(ID)).resolves.toBeUndefined();
      await settle();
      expect(c.sent.length).toBe(sentBefore);
      expect(c.events.length).toBe(eventsBefore);
      expect(await A.store.loadInteraction(key)).toEqual(spoiled);
      expect(await A.store.load(KW1)).toBe(1);
    },
  );

  it('store handle closed on A: 503 with Retry-After, nothing sent; B still serves the same request', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    await A.store.close();
    expect(await A.routing.request(c.request())).toEqual({
      status: 503,
      reason: 'Router Store Unavailable',
      headers: ['Retry-After: 1'],
    });
    expect(await A.routing.answer(ID, KW1, 'accept', undefined)).toMatchObject({
      status: 503,
      headers: ['Retry-After: 1'],
    });
    expect(await A.routing.end(ID, AGENT)).toMatchObject({ status: 503 });
    await settle();
    expect(c.sent).toEqual([]);
    expect(c.events).toEqual([]);
    expect(await B.routing.request(c.request())).toEqual(OK);
    expect(c.previews()).toEqual([{ by: 'B', to: KW1 }]);
  });

  it("a store that is down: 503 with the store's Retry-After, nothing sent", async () => {
    const c = cluster();
    const inner = new MemoryStore({ state: c.state, now: () => c.clock.now() });
    const A = c.instance('A', { store: flakyStore(inner, new Set(['*']), 7) });
    c.ready(KW1, KW2);
    expect(await A.routing.request(c.request())).toEqual({
      status: 503,
      reason: 'Router Store Unavailable',
      headers: ['Retry-After: 7'],
    });
    await settle();
    expect(c.sent).toEqual([]);
    expect(c.events).toEqual([]);
    expect(await inner.load(KW1)).toBe(0);
    expect(await inner.loadInteraction(A.routing.keyOf(ID))).toBeUndefined();
  });

  it('the save of the step fails: 503, nothing sent; the retry once the store is back routes with one preview', async () => {
    const c = cluster();
    const failing = new Set(['saveInteraction']);
    const inner = new MemoryStore({ state: c.state, now: () => c.clock.now() });
    const A = c.instance('A', { store: flakyStore(inner, failing, 3) });
    c.ready(KW1, KW2);
    expect(await A.routing.request(c.request())).toMatchObject({ status: 503, headers: ['Retry-After: 3'] });
    await settle();
    expect(c.sent).toEqual([]);
    expect(c.events).toEqual([]);
    // The reservation the failed step made is given back (its record was never saved).
    expect(await inner.load(KW1)).toBe(0);
    expect(await inner.loadInteraction(A.routing.keyOf(ID))).toBeUndefined();
    failing.clear();
    expect(await A.routing.request(c.request())).toEqual(OK);
    await settle();
    expect(c.previews()).toHaveLength(1);
    const offered = c.events.filter((e) => e.event === 'offered').map((e) => e.kw);
    expect(offered).toEqual([c.previews()[0]?.to]);
    expect(await inner.loadInteraction(A.routing.keyOf(ID))).toMatchObject({ ix: { phase: 'routing' } });
  });

  it('scheduling the deadline fails after the save: the step still answers 200 and previews; a retry schedules it', async () => {
    const c = cluster();
    const failing = new Set(['schedule']);
    const inner = new MemoryStore({ state: c.state, now: () => c.clock.now() });
    const A = c.instance('A', { store: flakyStore(inner, failing) });
    c.ready(KW1, KW2);
    expect(await A.routing.request(c.request())).toEqual(OK);
    await settle();
    expect(c.previews()).toHaveLength(1);
    const key = A.routing.keyOf(ID);
    expect(c.state.deadlines.has(key)).toBe(false);
    failing.clear();
    A.routing.retryFailed(); // what the deadline poller does every round
    await settle();
    expect(c.state.deadlines.get(key)).toBe(c.clock.now() + 10_000);
  });

  it('saving the round-robin cursor fails after the save: the step still answers 200 and previews', async () => {
    const c = cluster({ strategy: 'round-robin' });
    const failing = new Set(['setCursor']);
    const inner = new MemoryStore({ state: c.state, now: () => c.clock.now() });
    const A = c.instance('A', { store: flakyStore(inner, failing) });
    c.ready(KW1, KW2);
    expect(await A.routing.request(c.request())).toEqual(OK);
    await settle();
    expect(c.previews()).toHaveLength(1);
    expect(c.state.deadlines.has(A.routing.keyOf(ID))).toBe(true);
  });

  it('another instance holds the interaction longer than the wait: 503 Interaction Busy, nothing sent', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B', { waitMs: 0 });
    c.ready(KW1, KW2);
    await A.routing.request(c.request());
    void A.locks.withLock(A.routing.keyOf(ID), () => new Promise<never>(() => undefined));
    await settle();
    const sentBefore = c.sent.length;
    expect(await B.routing.answer(ID, KW1, 'accept', undefined)).toEqual({
      status: 503,
      reason: 'Interaction Busy, Try Again',
      headers: ['Retry-After: 1'],
    });
    await settle();
    expect(c.sent.length).toBe(sentBefore);
  });
});

describe('shared routing: the end gives the KW back', () => {
  it.each([
    ['the agent, on A', 'A', AGENT, 'agent'],
    ['the KW, on B', 'B', KW1, 'kw'],
  ])('end from %s releases the reservation in the store', async (_who, on, from, reason) => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2);
    await A.routing.request(c.request());
    await B.routing.answer(ID, KW1, 'accept', undefined);
    expect(await A.store.load(KW1)).toBe(1);
    const where = on === 'A' ? A : B;
    expect(await where.routing.end(ID, from)).toEqual(OK);
    await settle();
    expect(await A.store.load(KW1)).toBe(0);
    expect(c.events.filter((e) => e.event === 'ended')).toMatchObject([{ by: on, kw: KW1, reason }]);
    expect(await A.store.loadInteraction(A.routing.keyOf(ID))).toMatchObject({ ix: { phase: 'ended' } });
    // Ended is ended, wherever the repeat lands.
    expect(await (on === 'A' ? B : A).routing.end(ID, from)).toEqual({
      status: 200,
      reason: 'Already Ended',
    });
    await settle();
    expect(await A.store.load(KW1)).toBe(0);
    expect(c.ofType('end')).toEqual([]);
  });

  it('the end also frees a reservation of the interaction that a dying step made but never recorded', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B');
    c.ready(KW1, KW2, KW3);
    await A.routing.request(c.request());
    // An instance reserved KW3 for this interaction and died before saving the record.
    expect(await B.store.reserve(KW3, B.routing.keyOf(ID), 1)).toMatchObject({ ok: true });
    await B.routing.answer(ID, KW1, 'accept', undefined);
    expect(await B.store.loadInteraction(B.routing.keyOf(ID))).toMatchObject({
      ix: { offers: [{ kw: KW1, outcome: 'accepted' }] },
    });
    expect(await B.store.load(KW3)).toBe(1);
    expect(await B.routing.end(ID, KW1)).toEqual(OK);
    await settle();
    expect(await B.store.load(KW1)).toBe(0);
    expect(await B.store.load(KW3)).toBe(0);
  });

  it('routed cannot reach the agent: the KW hears end agent-unreachable and the reservation is released', async () => {
    const c = cluster();
    const A = c.instance('A');
    const B = c.instance('B', { routedFails: true });
    c.ready(KW1, KW2);
    await A.routing.request(c.request());
    expect(await B.routing.answer(ID, KW1, 'accept', undefined)).toEqual(OK);
    await settle();
    expect(c.ofType('end')).toEqual([
      { by: 'B', type: 'end', to: KW1, interactionId: ID, reason: 'agent-unreachable' },
    ]);
    expect(await A.store.load(KW1)).toBe(0);
    expect(await A.store.loadInteraction(A.routing.keyOf(ID))).toMatchObject({ ix: { phase: 'ended' } });
  });
});
