import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/log.js';
import type { ControlInput } from '../../../wire/control.js';
import { RoutingEngine, type EngineEffects } from '../../../router/engine.js';
import {
  CallEscalations,
  type CallHandle,
  type CallStart,
  type IncomingCall,
} from '../../../router/call-escalation.js';
import type { RouterEventInput } from '../../../router/event-log.js';
import { MemberDirectory } from '../../../router/members.js';
import { strategyFor } from '../../../router/strategies/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { AGENT, ID, KW1, KW2, KW3, RP, testRoutingPoint, type RoutingPointRaw } from './fixtures.js';

type Sent =
  | { type: 'preview'; to: string; fields: ControlInput<'preview'> }
  | { type: 'preview-cancel'; to: string; reason: string };

/** A routing point with an interaction routed to KW1, and call routing beside it. */
function setup(rp: Partial<RoutingPointRaw> = {}, options: { previewFails?: Map<string, number> } = {}) {
  const clock = new FakeClock();
  const directory = new MemberDirectory(clock);
  const config = testRoutingPoint({
    members: [KW1, { uri: KW2, voiceUri: 'sip:kw2-phone@lab.local' }, KW3],
    escalationTimeoutSeconds: 5,
    ...rp,
  });
  const sent: Sent[] = [];
  const events: RouterEventInput[] = [];
  const engineEffects: EngineEffects = {
    sendPreview: () => Promise.resolve(),
    sendCancel: () => undefined,
    sendRouted: () => Promise.resolve(),
    sendNotRouted: () => undefined,
    sendEnd: () => undefined,
    event: () => undefined,
  };
  const engine = new RoutingEngine({
    config,
    strategy: strategyFor(config),
    directory,
    clock,
    effects: engineEffects,
    logger: silentLogger,
  });
  const calls = new CallEscalations({
    config,
    strategy: strategyFor(config),
    directory,
    interactions: engine,
    clock,
    logger: silentLogger,
    effects: {
      sendPreview: (to, fields) => {
        sent.push({ type: 'preview', to, fields });
        const status = options.previewFails?.get(to);
        return status === undefined
          ? Promise.resolve()
          : Promise.reject(Object.assign(new Error('refused'), { status }));
      },
      sendCancel: (to, _id, reason) => void sent.push({ type: 'preview-cancel', to, reason }),
      event: (e) => void events.push(e),
    },
  });
  const set = (kw: string, state: Parameters<MemberDirectory['setState']>[1]) =>
    directory.setState(kw, state);
  // KW1 has the chat; the others became Ready later (longest idle: KW2, then KW3).
  set(KW1, { kind: 'Ready' });
  engine.request({
    interactionId: ID,
    agent: { uri: AGENT, displayName: 'Agent One' },
    subject: 'Invoice dispute',
    text: 'Customer disputes invoice 7',
    userData: { CaseNumber: '42' },
  });
  engine.answer(ID, KW1, 'accept');
  clock.advance(1000);
  set(KW2, { kind: 'Ready' });
  clock.advance(1000);
  set(KW3, { kind: 'Ready' });

  const answers: string[] = [];
  const handle: CallHandle = {
    redirect: (contact) => void answers.push(`302 ${contact}`),
    refuse: (status, reason) => void answers.push(`${status} ${reason}`),
  };
  const call = (over: Partial<IncomingCall> = {}): CallStart =>
    calls.invite(
      {
        interactionId: ID,
        caller: { uri: AGENT, displayName: 'Agent One' },
        escalation: 'transfer',
        userData: { CaseNumber: '42' },
        ...over,
      },
      handle,
    );
  const previewsTo = () => sent.filter((s) => s.type === 'preview').map((s) => s.to);
  const story = () =>
    events.map((e) => [e.event, e.kw ? user(e.kw) : '', e.reason ?? ''].filter(Boolean).join(' '));
  return { clock, directory, engine, calls, sent, events, answers, call, set, previewsTo, story };
}

function user(uri: string): string {
  return uri.replace(/^sip:([^@]+)@.*$/, '$1');
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('escalated calls: the interaction’s KW', () => {
  it('without previewEscalation an available KW gets the call at once (302, nothing previewed)', () => {
    const t = setup();
    expect(t.call()).toEqual({ kind: 'redirect', contact: KW1 });
    expect(t.sent).toEqual([]);
    expect(t.story()).toEqual(['call-requested kw1', `call-redirected kw1 ${KW1}`]);
    expect(t.events.every((e) => e.escalation === 'transfer' && e.interactionId === ID)).toBe(true);
  });

  it('previewEscalation: the KW gets a call preview first; accept → 302 to them, nothing else changes', () => {
    const t = setup({ previewEscalation: true });
    const start = t.call();
    expect(start.kind).toBe('pending');
    expect(t.previewsTo()).toEqual([KW1]);
    expect(t.sent[0]).toMatchObject({
      fields: {
        interactionId: ID,
        agent: { uri: AGENT, displayName: 'Agent One' },
        routingPoint: RP,
        subject: 'Invoice dispute',
        text: 'Incoming transfer',
        userData: { CaseNumber: '42' },
        expiresAt: new Date(t.clock.now() + 5000).toISOString(),
      },
    });
    // Their own interaction: no second slot is taken.
    expect(t.directory.load(KW1)).toBe(1);
    expect(t.calls.answer(ID, KW1, 'accept')).toEqual({ status: 200, reason: 'OK' });
    expect(t.answers).toEqual([`302 ${KW1}`]);
    expect(t.story()).toEqual([
      'call-requested kw1',
      'call-offered kw1',
      'call-accepted kw1',
      `call-redirected kw1 ${KW1}`,
    ]);
    expect(t.engine.snapshot(ID)?.kw).toBe(KW1);
    expect(t.calls.answer(ID, KW1, 'accept')).toEqual({
      status: 409,
      reason: 'Call Preview Already Accepted',
    });
  });

  it('decline → the strategy’s next member gets a preview with the agent’s question; accept → 302 to their voice URI, and they hold the interaction', () => {
    const t = setup({ previewEscalation: true });
    t.call({ escalation: 'conference' });
    t.calls.answer(ID, KW1, 'decline', 'on a break');
    expect(t.previewsTo()).toEqual([KW1, KW2]);
    expect(t.sent[1]).toMatchObject({
      fields: { text: "Incoming conference. The agent's question was: Customer disputes invoice 7" },
    });
    expect(t.directory.load(KW2)).toBe(1);
    t.calls.answer(ID, KW2, 'accept');
    expect(t.answers).toEqual(['302 sip:kw2-phone@lab.local']);
    expect(t.engine.snapshot(ID)).toMatchObject({ phase: 'routed', kw: KW2 });
    // The routed chat moved: KW1 is free, KW2 keeps the slot of the preview.
    expect([t.directory.load(KW1), t.directory.load(KW2)]).toEqual([0, 1]);
    expect(t.story()).toEqual([
      'call-requested kw1',
      'call-offered kw1',
      'call-declined kw1 on a break',
      'call-offered kw2',
      'call-accepted kw2',
      'call-kw-changed kw2',
      'call-redirected kw2 sip:kw2-phone@lab.local',
    ]);
    expect(t.events.find((e) => e.event === 'call-kw-changed')?.previousKw).toBe(KW1);
    // The next call of this interaction goes to the new KW.
    expect(t.call()).toEqual({ kind: 'pending', abandon: expect.any(Function) as unknown });
    expect(t.previewsTo().at(-1)).toBe(KW2);
  });

  it('no answer in time → preview-cancel timeout, the next member; nobody accepts → 480 No Expert Available', () => {
    const t = setup({ previewEscalation: true, members: [KW1, KW2] });
    t.call();
    t.clock.advance(5000);
    expect(t.sent[1]).toEqual({ type: 'preview-cancel', to: KW1, reason: 'timeout' });
    expect(t.previewsTo()).toEqual([KW1, KW2]);
    t.calls.answer(ID, KW2, 'decline');
    expect(t.answers).toEqual(['480 No Expert Available']);
    expect(t.directory.load(KW2)).toBe(0);
    expect(t.story()).toEqual([
      'call-requested kw1',
      'call-offered kw1',
      'call-timed-out kw1',
      'call-offered kw2',
      'call-declined kw2',
      'call-refused kw1 480 No Expert Available',
    ]);
    expect(t.calls.answer(ID, KW1, 'accept')).toEqual({
      status: 409,
      reason: 'Call Preview Already Timed Out',
    });
  });
});

describe('escalated calls: the interaction’s KW is not available', () => {
  it.each([
    [{ kind: 'NotReady', reason: 'on-the-phone' } as const, '486 Expert In Another Call'],
    [{ kind: 'NotReady', reason: 'dnd' } as const, '480 Expert Set Do Not Disturb'],
    [{ kind: 'LoggedOut' } as const, '480 Expert Logged Out'],
  ])('%j with nobody else Ready → refused at once: %s', (state, refusal) => {
    const t = setup({}, {});
    t.set(KW2, { kind: 'NotReady', reason: 'busy' });
    t.set(KW3, { kind: 'LoggedOut' });
    t.set(KW1, state);
    const start = t.call();
    expect(start.kind === 'refuse' ? `${start.status} ${start.reason}` : start.kind).toBe(refusal);
    expect(t.sent).toEqual([]);
    expect(t.story().at(-1)).toBe(`call-refused kw1 ${refusal}`);
  });

  it('in another call → another Ready member below capacity gets a preview (even without previewEscalation)', () => {
    const t = setup();
    t.directory.reserve(KW2); // KW2 is at capacity 1 with another chat
    t.set(KW1, { kind: 'NotReady', reason: 'on-the-phone' });
    expect(t.call().kind).toBe('pending');
    expect(t.previewsTo()).toEqual([KW3]);
    t.calls.answer(ID, KW3, 'accept');
    expect(t.answers).toEqual([`302 ${KW3}`]);
  });

  it('a preview the KW’s client refuses counts as a decline; a KW who logs out is withdrawn', async () => {
    const t = setup({}, { previewFails: new Map([[KW2, 415]]) });
    t.set(KW1, { kind: 'LoggedOut' });
    t.call();
    await flush();
    expect(t.previewsTo()).toEqual([KW2, KW3]);
    t.set(KW3, { kind: 'LoggedOut' });
    expect(t.sent.at(-1)).toEqual({ type: 'preview-cancel', to: KW3, reason: 'withdrawn' });
    expect(t.answers).toEqual(['480 No Expert Available']);
    expect(t.story().slice(1)).toEqual([
      'call-offered kw2',
      'call-declined kw2 preview refused (415)',
      'call-offered kw3',
      'call-cancelled kw3 kw-logged-out',
      'call-refused kw1 480 No Expert Available',
    ]);
  });

  it('broadcast offers every eligible member; the first accept wins, the others get taken', () => {
    const t = setup({ strategy: 'broadcast' });
    t.set(KW1, { kind: 'LoggedOut' });
    t.call();
    expect(t.previewsTo()).toEqual([KW2, KW3]);
    t.calls.answer(ID, KW3, 'accept');
    expect(t.sent.at(-1)).toEqual({ type: 'preview-cancel', to: KW2, reason: 'taken' });
    expect(t.answers).toEqual([`302 ${KW3}`]);
    expect([t.directory.load(KW2), t.directory.load(KW3)]).toEqual([0, 0]);
  });

  it('maxAttempts bounds the call previews', () => {
    const t = setup({ maxAttempts: 1 });
    t.set(KW1, { kind: 'LoggedOut' });
    t.call();
    t.calls.answer(ID, KW2, 'decline');
    expect(t.previewsTo()).toEqual([KW2]);
    expect(t.answers).toEqual(['480 No Expert Available']);
  });
});

describe('escalated calls: the caller, duplicates, stopping', () => {
  it('the caller hangs up → previews withdrawn, slots returned, no answer sent', () => {
    const t = setup();
    t.set(KW1, { kind: 'LoggedOut' });
    const start = t.call();
    if (start.kind !== 'pending') throw new Error('expected pending');
    start.abandon('caller-hung-up');
    expect(t.sent.at(-1)).toEqual({ type: 'preview-cancel', to: KW2, reason: 'withdrawn' });
    expect(t.directory.load(KW2)).toBe(0);
    expect(t.answers).toEqual([]);
    expect(t.story().slice(-2)).toEqual([
      'call-cancelled kw2 caller-hung-up',
      'call-abandoned kw1 caller-hung-up',
    ]);
    t.clock.advance(60_000);
    expect(t.answers).toEqual([]);
  });

  it('a second INVITE while the first rings → 486; unknown ids → undefined (the chat’s engine answers)', () => {
    const t = setup({ previewEscalation: true });
    t.call();
    expect(t.call()).toEqual({ kind: 'refuse', status: 486, reason: 'Call Escalation In Progress' });
    expect(t.calls.answer(ID, KW3, 'accept')).toBeUndefined();
    expect(t.calls.answer('1c9b4d63-8b2f-4d3c-8c9f-2a3b4c5d6e7f', KW1, 'accept')).toBeUndefined();
  });

  it('no or unknown interaction → 400/404 at once', () => {
    const t = setup();
    expect(t.call({ interactionId: undefined })).toMatchObject({ status: 400 });
    expect(t.call({ interactionId: '1c9b4d63-8b2f-4d3c-8c9f-2a3b4c5d6e7f' })).toMatchObject({ status: 404 });
  });

  it('close → previews withdrawn, ringing callers get 503', () => {
    const t = setup({ previewEscalation: true });
    t.call();
    t.calls.close();
    expect(t.sent.at(-1)).toEqual({ type: 'preview-cancel', to: KW1, reason: 'withdrawn' });
    expect(t.answers).toEqual(['503 Router Stopping']);
    expect(t.call()).toMatchObject({ status: 503 });
  });

  it('after the chat ended the call still reaches a new KW, who is remembered without keeping a slot', () => {
    const t = setup();
    t.engine.end(ID, AGENT);
    t.set(KW1, { kind: 'LoggedOut' });
    t.call();
    t.calls.answer(ID, KW2, 'accept');
    expect(t.engine.snapshot(ID)).toMatchObject({ phase: 'ended', kw: KW2 });
    expect(t.directory.load(KW2)).toBe(0);
  });
});
