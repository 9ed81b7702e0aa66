import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/log.js';
import type { ControlInput } from '../../../wire/control.js';
import {
  RoutingEngine,
  notRoutedReason,
  type EngineEffects,
  type InteractionRequest,
} from '../../../router/engine.js';
import type { RouterEventInput } from '../../../router/event-log.js';
import { MemberDirectory } from '../../../router/members.js';
import { strategyFor } from '../../../router/strategies/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { AGENT, ID, ID2, KW1, KW2, KW3, RP, testRoutingPoint, type RoutingPointRaw } from './fixtures.js';

type Sent =
  | { type: 'preview'; to: string; fields: ControlInput<'preview'> }
  | { type: 'preview-cancel'; to: string; interactionId: string; reason: string }
  | { type: 'routed'; to: string; fields: ControlInput<'routed'> }
  | { type: 'not-routed'; to: string; interactionId: string; reason: string }
  | { type: 'end'; to: string; interactionId: string; reason: string };

interface SetupOptions {
  readonly previewFails?: ReadonlyMap<string, number>;
  readonly routedFails?: boolean;
  readonly directory?: MemberDirectory;
  readonly clock?: FakeClock;
}

function setup(rp: Partial<RoutingPointRaw> = {}, options: SetupOptions = {}) {
  const clock = options.clock ?? new FakeClock();
  const directory = options.directory ?? new MemberDirectory(clock);
  const config = testRoutingPoint(rp);
  const sent: Sent[] = [];
  const events: RouterEventInput[] = [];
  const effects: EngineEffects = {
    sendPreview: (to, fields) => {
      sent.push({ type: 'preview', to, fields });
      const status = options.previewFails?.get(to);
      return status === undefined
        ? Promise.resolve()
        : Promise.reject(Object.assign(new Error('refused'), { status }));
    },
    sendCancel: (to, interactionId, reason) =>
      void sent.push({ type: 'preview-cancel', to, interactionId, reason }),
    sendRouted: (to, fields) => {
      sent.push({ type: 'routed', to, fields });
      return options.routedFails
        ? Promise.reject(Object.assign(new Error('gone'), { status: 480 }))
        : Promise.resolve();
    },
    sendNotRouted: (to, interactionId, reason, declines) =>
      void sent.push({
        type: 'not-routed',
        to,
        interactionId,
        reason,
        ...(declines.length > 0 ? { declines } : {}),
      }),
    sendEnd: (to, interactionId, reason) => void sent.push({ type: 'end', to, interactionId, reason }),
    event: (e) => void events.push(e),
  };
  const engine = new RoutingEngine({
    config,
    strategy: strategyFor(config),
    directory,
    clock,
    effects,
    logger: silentLogger,
  });
  const ready = (...kws: string[]) => kws.forEach((kw) => directory.setState(kw, { kind: 'Ready' }));
  const request = (id = ID, userData: Record<string, string> = {}): InteractionRequest => ({
    interactionId: id,
    agent: { uri: AGENT, displayName: 'Agent One' },
    subject: 'Case 42',
    text: 'Can you help?',
    userData,
  });
  const previewsTo = () => sent.filter((s) => s.type === 'preview').map((s) => s.to);
  const last = () => sent.at(-1);
  const eventNames = (id = ID) =>
    events.filter((e) => e.interactionId === id).map((e) => (e.kw ? `${e.event} ${user(e.kw)}` : e.event));
  return { clock, directory, config, engine, sent, events, ready, request, previewsTo, last, eventNames };
}

function user(uri: string): string {
  return uri.replace(/^sip:([^@]+)@.*$/, '$1');
}

/** Lets promise callbacks (failed sends) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('routing engine: offering', () => {
  it('offers the longest-idle Ready member; accept → routed to the agent, KW reserved', () => {
    const t = setup();
    t.ready(KW2);
    t.clock.advance(1000);
    t.ready(KW1);
    expect(t.engine.request(t.request(ID, { CaseNumber: '42' }))).toEqual({
      status: 200,
      reason: 'OK',
    });
    expect(t.previewsTo()).toEqual([KW2]);
    const preview = t.sent[0];
    expect(preview).toMatchObject({
      type: 'preview',
      fields: {
        interactionId: ID,
        agent: { uri: AGENT, displayName: 'Agent One' },
        routingPoint: RP,
        subject: 'Case 42',
        text: 'Can you help?',
        userData: { CaseNumber: '42' },
        expiresAt: new Date(t.clock.now() + 10_000).toISOString(),
      },
    });
    expect(t.directory.load(KW2)).toBe(1);
    expect(t.engine.answer(ID, KW2, 'accept')).toEqual({ status: 200, reason: 'OK' });
    expect(t.last()).toEqual({
      type: 'routed',
      to: AGENT,
      fields: { interactionId: ID, kw: { uri: KW2, displayName: 'kw2', voiceUri: KW2 } },
    });
    expect(t.directory.load(KW2)).toBe(1);
    expect(t.engine.snapshot(ID)).toMatchObject({ phase: 'routed', kw: KW2 });
    expect(t.eventNames()).toEqual(['requested', 'offered kw2', 'accepted kw2', 'routed kw2']);
    expect(t.events.every((e) => e.routingPoint === RP)).toBe(true);
  });

  it('decline → the next candidate', () => {
    const t = setup();
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    expect(t.previewsTo()).toEqual([KW1]);
    expect(t.engine.answer(ID, KW1, 'decline', 'in a meeting').status).toBe(200);
    expect(t.previewsTo()).toEqual([KW1, KW2]);
    expect(t.directory.load(KW1)).toBe(0);
    expect(t.events.find((e) => e.event === 'declined')).toMatchObject({ kw: KW1, reason: 'in a meeting' });
    t.engine.answer(ID, KW2, 'accept');
    expect(t.eventNames()).toEqual([
      'requested',
      'offered kw1',
      'declined kw1',
      'offered kw2',
      'accepted kw2',
      'routed kw2',
    ]);
  });

  it('no answer → preview-cancel timeout to the KW, then the next candidate; a late answer gets 409', () => {
    const t = setup();
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    t.clock.advance(9_999);
    expect(t.previewsTo()).toEqual([KW1]);
    t.clock.advance(1);
    expect(t.sent.slice(1)).toEqual([
      { type: 'preview-cancel', to: KW1, interactionId: ID, reason: 'timeout' },
      expect.objectContaining({ type: 'preview', to: KW2 }),
    ]);
    expect(t.engine.answer(ID, KW1, 'accept')).toEqual({ status: 409, reason: 'Preview Already Timed Out' });
    expect(t.eventNames()).toEqual(['requested', 'offered kw1', 'timed-out kw1', 'offered kw2']);
  });

  it('a preview the KW side refuses (415 from an ordinary client) counts as a decline', async () => {
    const t = setup({}, { previewFails: new Map([[KW1, 415]]) });
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    await flush();
    expect(t.previewsTo()).toEqual([KW1, KW2]);
    expect(t.events.find((e) => e.event === 'declined')).toMatchObject({
      kw: KW1,
      reason: 'preview refused (415)',
    });
    expect(t.directory.load(KW1)).toBe(0);
  });

  it('stops at the attempts limit: not-routed declined', () => {
    const t = setup({ maxAttempts: 1 });
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'decline');
    expect(t.previewsTo()).toEqual([KW1]);
    expect(t.last()).toEqual({
      type: 'not-routed',
      to: AGENT,
      interactionId: ID,
      reason: 'declined',
      declines: [{ kw: KW1 }],
    });
    expect(t.engine.snapshot(ID)?.phase).toBe('not-routed');
  });

  it('every member offered and declined → not-routed declined at once (no wait)', () => {
    const t = setup({ members: [KW1, KW2] });
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'decline', 'In a meeting');
    t.engine.answer(ID, KW2, 'decline');
    expect(t.last()).toMatchObject({
      type: 'not-routed',
      reason: 'declined',
      // The reasons the KWs gave reach the agent.
      declines: [{ kw: KW1, reason: 'In a meeting' }, { kw: KW2 }],
    });
    expect(t.clock.pending).toBe(0);
  });

  it('everyone timed out → not-routed timeout', () => {
    const t = setup({ members: [KW1, KW2] });
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    t.clock.advance(20_000);
    expect(t.last()).toMatchObject({ type: 'not-routed', reason: 'timeout' });
    expect(t.eventNames()).toEqual([
      'requested',
      'offered kw1',
      'timed-out kw1',
      'offered kw2',
      'timed-out kw2',
      'not-routed',
    ]);
  });

  it('round robin carries its cursor across interactions', () => {
    const t = setup({ strategy: 'round-robin', capacity: 5 });
    t.ready(KW1, KW2, KW3);
    t.engine.request(t.request(ID));
    t.engine.request(t.request(ID2));
    expect(t.previewsTo()).toEqual([KW1, KW2]);
  });
});

describe('routing engine: waiting for someone available', () => {
  it('nobody Ready → waits; a KW becoming Ready is offered at once', () => {
    const t = setup();
    t.directory.setState(KW1, { kind: 'NotReady', reason: 'busy' });
    t.engine.request(t.request());
    expect(t.previewsTo()).toEqual([]);
    t.clock.advance(12_000);
    t.ready(KW1);
    expect(t.previewsTo()).toEqual([KW1]);
  });

  it('nobody within waitForAvailableSeconds → not-routed no-kw-available, exactly at the deadline', () => {
    const t = setup();
    t.engine.request(t.request());
    t.clock.advance(29_999);
    expect(t.sent).toEqual([]);
    t.clock.advance(1);
    expect(t.sent).toEqual([{ type: 'not-routed', to: AGENT, interactionId: ID, reason: 'no-kw-available' }]);
    expect(t.eventNames()).toEqual(['requested', 'not-routed']);
  });

  it('waitForAvailableSeconds 0 → not-routed at once', () => {
    const t = setup({ waitForAvailableSeconds: 0 });
    t.engine.request(t.request());
    expect(t.last()).toMatchObject({ type: 'not-routed', reason: 'no-kw-available' });
  });

  it('the wait budget counts from the first wait and is not reset by a later offer', () => {
    const t = setup();
    t.ready(KW1);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'decline'); // nobody else Ready: the wait starts now (t=0)
    t.clock.advance(20_000);
    t.ready(KW2); // offered at t=20 s
    t.clock.advance(5_000);
    t.engine.answer(ID, KW2, 'decline'); // t=25 s: 5 s of budget left
    t.clock.advance(4_999);
    expect(t.last()).toMatchObject({ type: 'preview', to: KW2 });
    t.clock.advance(1);
    expect(t.last()).toMatchObject({ type: 'not-routed', reason: 'declined' });
  });

  it('a preview still out when the deadline passes is waited for; then the router gives up', () => {
    const t = setup({ previewTimeoutSeconds: 20, waitForAvailableSeconds: 5 });
    t.engine.request(t.request());
    t.clock.advance(4_000);
    t.ready(KW1);
    t.clock.advance(10_000); // deadline (5 s) passed while KW1's preview is out
    expect(t.last()).toMatchObject({ type: 'preview', to: KW1 });
    t.clock.advance(10_000); // KW1 times out at 24 s
    expect(t.last()).toMatchObject({ type: 'not-routed', reason: 'timeout' });
  });

  it('a KW coming back from NotReady with a free slot is offered; one who stays busy is not', () => {
    const t = setup();
    t.directory.setState(KW1, { kind: 'NotReady', reason: 'away' });
    t.directory.setState(KW2, { kind: 'NotReady', reason: 'dnd' });
    t.directory.setState(KW3, { kind: 'LoggedOut' });
    t.engine.request(t.request());
    t.directory.setState(KW2, { kind: 'NotReady', reason: 'busy' });
    expect(t.previewsTo()).toEqual([]);
    t.ready(KW3);
    expect(t.previewsTo()).toEqual([KW3]);
  });
});

describe('routing engine: broadcast', () => {
  it('previews every eligible KW; the first accept wins, the others get taken; a late accept gets 409', () => {
    const t = setup({ strategy: 'broadcast' });
    t.ready(KW1, KW2, KW3);
    t.engine.request(t.request());
    expect(t.previewsTo().sort()).toEqual([KW1, KW2, KW3]);
    expect(t.engine.answer(ID, KW2, 'accept').status).toBe(200);
    expect(t.sent.filter((s) => s.type === 'preview-cancel')).toEqual([
      { type: 'preview-cancel', to: KW1, interactionId: ID, reason: 'taken' },
      { type: 'preview-cancel', to: KW3, interactionId: ID, reason: 'taken' },
    ]);
    expect(t.last()).toMatchObject({ type: 'routed', to: AGENT, fields: { kw: { uri: KW2 } } });
    expect(t.engine.answer(ID, KW3, 'accept')).toEqual({
      status: 409,
      reason: 'Preview Already Taken By Another KW',
    });
    expect([t.directory.load(KW1), t.directory.load(KW2), t.directory.load(KW3)]).toEqual([0, 1, 0]);
    expect(t.events.filter((e) => e.event === 'cancelled').map((e) => [user(e.kw ?? ''), e.reason])).toEqual([
      ['kw1', 'taken'],
      ['kw3', 'taken'],
    ]);
    // Only the inactivity timeout of the routed interaction is left.
    expect(t.clock.pending).toBe(1);
  });

  it('declines from some leave the others open; all declining → not-routed declined', () => {
    const t = setup({ strategy: 'broadcast', members: [KW1, KW2] });
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'decline');
    expect(t.sent.some((s) => s.type === 'not-routed')).toBe(false);
    t.engine.answer(ID, KW2, 'decline');
    expect(t.last()).toMatchObject({ type: 'not-routed', reason: 'declined' });
  });
});

describe('routing engine: capacity and release', () => {
  it('capacity 1: a second interaction waits until the first ends; end from the agent releases the KW', () => {
    const t = setup();
    t.ready(KW1);
    t.engine.request(t.request(ID));
    t.engine.request(t.request(ID2));
    expect(t.previewsTo()).toEqual([KW1]); // KW1 is busy with the first preview
    t.engine.answer(ID, KW1, 'accept');
    expect(t.previewsTo()).toEqual([KW1]);
    t.clock.advance(5_000);
    expect(t.engine.end(ID, AGENT)).toEqual({ status: 200, reason: 'OK' });
    expect(t.directory.load(KW1)).toBe(1); // now the second interaction's preview
    expect(t.previewsTo()).toEqual([KW1, KW1]);
    expect(t.sent.at(-1)).toMatchObject({ type: 'preview', fields: { interactionId: ID2 } });
    expect(t.events.find((e) => e.event === 'ended')).toMatchObject({
      interactionId: ID,
      kw: KW1,
      agent: AGENT,
      reason: 'agent',
    });
  });

  it('end from the KW releases too; idle time restarts at the end', () => {
    const t = setup({ members: [KW1, KW2], capacity: 2 });
    t.ready(KW1);
    t.clock.advance(1000);
    t.ready(KW2);
    t.engine.request(t.request(ID));
    t.engine.answer(ID, KW1, 'accept');
    t.clock.advance(1000);
    expect(t.engine.end(ID, KW1).status).toBe(200);
    expect(t.directory.idleSince(KW1)).toBe(t.clock.now());
    t.engine.request(t.request(ID2));
    expect(t.previewsTo()).toEqual([KW1, KW2]); // KW2 has been idle longer now
  });

  it('member capacity overrides the routing point capacity', () => {
    const t = setup({ members: [{ uri: KW1, capacity: 2 }, KW2] });
    t.ready(KW1);
    t.engine.request(t.request(ID));
    t.engine.request(t.request(ID2));
    expect(t.previewsTo()).toEqual([KW1, KW1]);
  });

  it('load counts across routing points sharing a directory', () => {
    const clock = new FakeClock();
    const directory = new MemberDirectory(clock);
    const a = setup({ uri: 'sip:a@lab.local', members: [KW1] }, { clock, directory });
    const b = setup({ uri: 'sip:b@lab.local', members: [KW1] }, { clock, directory });
    a.ready(KW1);
    a.engine.request(a.request(ID));
    b.engine.request(b.request(ID2));
    expect(b.previewsTo()).toEqual([]);
    a.engine.answer(ID, KW1, 'decline');
    expect(b.previewsTo()).toEqual([KW1]);
  });

  it('a KW logging out is released from a routed interaction; a later end is 200', () => {
    const t = setup();
    t.ready(KW1);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'accept');
    t.directory.setState(KW1, { kind: 'LoggedOut' });
    expect(t.directory.load(KW1)).toBe(0);
    expect(t.events.at(-1)).toMatchObject({ event: 'ended', kw: KW1, reason: 'kw-logged-out' });
    expect(t.engine.end(ID, AGENT)).toEqual({ status: 200, reason: 'Already Ended' });
  });

  it('a KW logging out with a preview out: withdrawn, next candidate', () => {
    const t = setup();
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    t.directory.setState(KW1, { kind: 'LoggedOut' });
    expect(t.sent.slice(1)).toEqual([
      { type: 'preview-cancel', to: KW1, interactionId: ID, reason: 'withdrawn' },
      expect.objectContaining({ type: 'preview', to: KW2 }),
    ]);
  });

  it('routed cannot reach the agent → the KW gets end and is released', async () => {
    const t = setup({}, { routedFails: true });
    t.ready(KW1);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'accept');
    await flush();
    expect(t.last()).toEqual({ type: 'end', to: KW1, interactionId: ID, reason: 'agent-unreachable' });
    expect(t.directory.load(KW1)).toBe(0);
  });
});

describe('routing engine: refusals change nothing', () => {
  it('an answer from a KW that was not offered → 403', () => {
    const t = setup();
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    const before = JSON.stringify(t.engine.snapshot(ID));
    expect(t.engine.answer(ID, KW2, 'accept')).toEqual({ status: 403, reason: 'Not Offered To You' });
    expect(t.engine.answer(ID, 'sip:mallory@lab.local', 'decline').status).toBe(403);
    expect(JSON.stringify(t.engine.snapshot(ID))).toBe(before);
    expect(t.sent).toHaveLength(1);
  });

  it('a second answer → 409; an answer for an unknown interaction → 481', () => {
    const t = setup();
    t.ready(KW1);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'accept');
    expect(t.engine.answer(ID, KW1, 'accept').status).toBe(409);
    expect(t.engine.answer(ID, KW1, 'decline').status).toBe(409);
    expect(t.engine.answer(ID2, KW1, 'accept').status).toBe(481);
  });

  it('after not-routed: the offered KW gets 409, others 403', () => {
    const t = setup({ members: [KW1, KW2], waitForAvailableSeconds: 0 });
    t.ready(KW1);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'decline');
    expect(t.engine.answer(ID, KW1, 'accept').status).toBe(409);
    expect(t.engine.answer(ID, KW2, 'accept').status).toBe(403);
  });

  it('end: unknown → 481, a stranger → 403, not-routed → 481', () => {
    const t = setup({ waitForAvailableSeconds: 0 });
    t.ready(KW1);
    expect(t.engine.end(ID, AGENT).status).toBe(481);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'accept');
    expect(t.engine.end(ID, KW2).status).toBe(403);
    expect(t.directory.load(KW1)).toBe(1);
    t.directory.setState(KW1, { kind: 'NotReady', reason: 'busy' });
    t.engine.request(t.request(ID2));
    expect(t.last()).toMatchObject({ type: 'not-routed' });
    expect(t.engine.end(ID2, AGENT).status).toBe(481);
  });

  it('a duplicate request while routing → 409 and nothing changes; after not-routed the id can be asked again', () => {
    const t = setup({ waitForAvailableSeconds: 1 });
    t.engine.request(t.request());
    expect(t.engine.request(t.request())).toEqual({ status: 409, reason: 'Interaction Already In Progress' });
    expect(t.eventNames()).toEqual(['requested']);
    t.clock.advance(1000);
    t.ready(KW1);
    expect(t.engine.request(t.request()).status).toBe(200);
    expect(t.previewsTo()).toEqual([KW1]);
  });

  it("the agent's end while routing withdraws the previews", () => {
    const t = setup({ strategy: 'broadcast' });
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    expect(t.engine.end(ID, KW1).status).toBe(403);
    expect(t.engine.end(ID, AGENT).status).toBe(200);
    expect(
      t.sent.filter((s) => s.type === 'preview-cancel').map((s) => [s.to, 'reason' in s ? s.reason : '']),
    ).toEqual([
      [KW1, 'withdrawn'],
      [KW2, 'withdrawn'],
    ]);
    expect(t.sent.some((s) => s.type === 'not-routed')).toBe(false);
    expect(t.directory.load(KW1) + t.directory.load(KW2)).toBe(0);
    expect(t.events.at(-1)).toMatchObject({ event: 'ended', reason: 'withdrawn' });
    expect(t.clock.pending).toBe(0);
  });
});

describe('routing engine: named', () => {
  it('offers the named KW even when another has been idle longer', () => {
    const t = setup({ strategy: 'named' });
    t.ready(KW1, KW2);
    t.engine.request(t.request(ID, { KW: 'kw2' }));
    expect(t.previewsTo()).toEqual([KW2]);
  });

  it('without fallback: waits for the named KW, gives up when that KW declined', () => {
    const t = setup({ strategy: 'named' });
    t.ready(KW1);
    t.engine.request(t.request(ID, { KW: 'kw2' }));
    expect(t.previewsTo()).toEqual([]);
    t.ready(KW2);
    expect(t.previewsTo()).toEqual([KW2]);
    t.engine.answer(ID, KW2, 'decline');
    expect(t.last()).toMatchObject({ type: 'not-routed', reason: 'declined' });
  });

  it('with fallback: someone else when the named KW is not eligible', () => {
    const t = setup({ strategy: 'named', fallback: 'longest-idle' });
    t.ready(KW3);
    t.engine.request(t.request(ID, { KW: 'kw2' }));
    expect(t.previewsTo()).toEqual([KW3]);
  });
});

describe('routing engine: close', () => {
  it('withdraws previews and tells waiting agents not-routed', () => {
    const t = setup();
    t.ready(KW1);
    t.engine.request(t.request(ID));
    t.engine.request(t.request(ID2));
    t.engine.close();
    expect(t.sent.slice(1)).toEqual([
      { type: 'preview-cancel', to: KW1, interactionId: ID, reason: 'withdrawn' },
      { type: 'not-routed', to: AGENT, interactionId: ID, reason: 'no-kw-available' },
      { type: 'not-routed', to: AGENT, interactionId: ID2, reason: 'no-kw-available' },
    ]);
    expect(t.clock.pending).toBe(0);
    expect(t.engine.request(t.request('2d0c3a52-7a1e-4c2b-9b8e-1f2a3b4c5d6e')).status).toBe(503);
  });
});

describe('notRoutedReason', () => {
  it.each([
    [[], 'no-kw-available'],
    [['taken'], 'no-kw-available'],
    [['timed-out'], 'timeout'],
    [['timed-out', 'timed-out', 'taken'], 'timeout'],
    [['declined'], 'declined'],
    [['timed-out', 'declined'], 'declined'],
    [['failed'], 'declined'],
    [['withdrawn', 'timed-out'], 'declined'],
  ] as const)('%j → %s', (outcomes, reason) => {
    expect(notRoutedReason(outcomes)).toBe(reason);
  });
});

describe('routing engine: freeing KWs', () => {
  const ID2 = '22222222-2222-4222-8222-222222222222';

  it('wrap-up: after an interaction ends its KW is not offered for wrapUpSeconds, then is', () => {
    const t = setup({ members: [KW1], wrapUpSeconds: 60, waitForAvailableSeconds: 120 });
    t.ready(KW1);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'accept');
    expect(t.engine.end(ID, AGENT).status).toBe(200);
    expect(t.directory.inWrapUp(KW1)).toBe(true);
    t.engine.request(t.request(ID2));
    expect(t.previewsTo()).toEqual([KW1]);
    t.clock.advance(59_000);
    expect(t.previewsTo()).toEqual([KW1]);
    t.clock.advance(1_000);
    // The wrap-up is over: the waiting interaction reaches the KW without any other event.
    expect(t.previewsTo()).toEqual([KW1, KW1]);
    expect(t.sent.at(-1)).toMatchObject({ type: 'preview', to: KW1, fields: { interactionId: ID2 } });
  });

  it('inactivity: a routed interaction nobody ends is ended after inactivityTimeoutSeconds, both told, KW freed', () => {
    const t = setup({ members: [KW1], inactivityTimeoutSeconds: 600 });
    t.ready(KW1);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'accept');
    expect(t.directory.load(KW1)).toBe(1);
    t.clock.advance(599_000);
    expect(t.engine.snapshot(ID)?.phase).toBe('routed');
    t.clock.advance(1_000);
    expect(t.engine.snapshot(ID)?.phase).toBe('ended');
    expect(t.directory.load(KW1)).toBe(0);
    expect(t.sent.filter((s) => s.type === 'end')).toEqual([
      { type: 'end', to: KW1, interactionId: ID, reason: 'inactivity' },
      { type: 'end', to: AGENT, interactionId: ID, reason: 'inactivity' },
    ]);
    expect(t.events.at(-1)).toMatchObject({ event: 'ended', kw: KW1, reason: 'inactivity' });
    // A late end from a party is answered as already ended.
    expect(t.engine.end(ID, AGENT)).toEqual({ status: 200, reason: 'Already Ended' });
  });

  it('the default inactivity timeout is 30 minutes, and an end before it cancels it', () => {
    const t = setup({ members: [KW1] });
    expect(t.config.inactivityTimeoutMs).toBe(30 * 60_000);
    t.ready(KW1);
    t.engine.request(t.request());
    t.engine.answer(ID, KW1, 'accept');
    t.engine.end(ID, KW1);
    expect(t.clock.pending).toBe(0);
  });

  it('presence flapping faster than a preview gives one offer and one cancel per KW, never a loop', () => {
    const t = setup({ members: [KW1, KW2], waitForAvailableSeconds: 60 });
    t.ready(KW1);
    t.engine.request(t.request());
    for (let i = 0; i < 20; i++) {
      t.directory.setState(KW1, { kind: 'LoggedOut' });
      t.directory.setState(KW1, { kind: 'Ready' });
      t.clock.advance(100);
    }
    expect(t.previewsTo()).toEqual([KW1]);
    expect(t.sent.filter((s) => s.type === 'preview-cancel')).toEqual([
      { type: 'preview-cancel', to: KW1, interactionId: ID, reason: 'withdrawn' },
    ]);
    t.ready(KW2);
    expect(t.previewsTo()).toEqual([KW1, KW2]);
  });
});

describe('routing engine: reporting', () => {
  it('answer time on accepted/declined/timed-out events and chat duration on ended', () => {
    const t = setup({ members: [KW1, KW2], previewTimeoutSeconds: 10 });
    t.ready(KW1, KW2);
    t.engine.request(t.request());
    const first = t.previewsTo()[0] ?? '';
    t.clock.advance(2_000);
    t.engine.answer(ID, first, 'decline', 'busy');
    const second = t.previewsTo()[1] ?? '';
    t.clock.advance(3_000);
    t.engine.answer(ID, second, 'accept');
    t.clock.advance(60_000);
    t.engine.end(ID, AGENT);
    const pick = (event: string) => t.events.find((e) => e.event === event);
    expect(pick('declined')).toMatchObject({ kw: first, reason: 'busy', durationMs: 2_000 });
    expect(pick('accepted')).toMatchObject({ kw: second, durationMs: 3_000 });
    expect(pick('ended')).toMatchObject({ reason: 'agent', durationMs: 60_000 });
  });
});
