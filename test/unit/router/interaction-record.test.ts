/**
 * The interaction record of shared mode: what an engine exports after a step
 * must come back from the store (as JSON) as the same interaction on another
 * engine, and a stored record that is not one is refused with the field named.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/log.js';
import { RoutingEngine, type EngineEffects, type InteractionRequest } from '../../../router/engine.js';
import {
  parseInteractionRecord,
  recordToJson,
  type InteractionRecord,
} from '../../../router/interaction-record.js';
import { MemberDirectory } from '../../../router/members.js';
import type { JsonObject, JsonValue } from '../../../router/store/types.js';
import { strategyFor } from '../../../router/strategies/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { AGENT, ID, KW1, KW2, KW3, testRoutingPoint } from './fixtures.js';

const config = testRoutingPoint();

interface Sent {
  readonly what: string;
  readonly to: string;
  readonly token?: number | undefined;
}

/** An engine as shared mode builds one for a step (timers external), on a shared clock and directory. */
function engineOn(clock: FakeClock, directory: MemberDirectory, sent: Sent[] = []): RoutingEngine {
  const effects: EngineEffects = {
    sendPreview: (to) => {
      sent.push({ what: 'preview', to });
      return Promise.resolve();
    },
    sendCancel: (to, _id, reason) => void sent.push({ what: `cancel ${reason}`, to }),
    sendRouted: (to) => {
      sent.push({ what: 'routed', to });
      return Promise.resolve();
    },
    sendNotRouted: (to, _id, reason) => void sent.push({ what: `not-routed ${reason}`, to }),
    sendEnd: (to, _id, reason) => void sent.push({ what: `end ${reason}`, to }),
    event: () => undefined,
    released: (kw, _id, token) => void sent.push({ what: 'released', to: kw, token }),
  };
  return new RoutingEngine({
    config,
    strategy: strategyFor(config),
    directory,
    clock,
    effects,
    logger: silentLogger,
    timers: 'external',
  });
}

function setup() {
  const clock = new FakeClock();
  const directory = new MemberDirectory(clock);
  for (const kw of [KW1, KW2, KW3]) {
    directory.setState(kw, { kind: 'Ready' });
    clock.advance(1000);
  }
  return { clock, directory, engine: engineOn(clock, directory) };
}

const request: InteractionRequest = {
  interactionId: ID,
  agent: { uri: AGENT, displayName: 'Agent One' },
  subject: 'Case 42 — refund',
  text: 'Can you help?\nThe customer is waiting.',
  userData: { CaseNumber: '42', Customer: 'Renée' },
};

/** What the store gives back: the record as JSON text, parsed again. */
function throughStore(record: InteractionRecord): JsonObject {
  return JSON.parse(JSON.stringify(recordToJson(record))) as JsonObject;
}

/** Exported → JSON → parsed → adopted by a fresh engine → exported again. */
function roundTrip(
  record: InteractionRecord,
  clock: FakeClock,
  directory: MemberDirectory,
  sent: Sent[] = [],
): { parsed: InteractionRecord; fresh: RoutingEngine } {
  const result = parseInteractionRecord(throughStore(record));
  if (!result.ok) throw new Error(`refused: ${result.error}`);
  const fresh = engineOn(clock, directory, sent);
  fresh.adopt(result.record);
  return { parsed: result.record, fresh };
}

describe('interaction record: round trip through the store', () => {
  it('routing, with a declined offer (and its reason) and a pending one holding a store token', () => {
    const t = setup();
    t.engine.request(request);
    t.clock.advance(1500);
    t.engine.answer(ID, KW1, 'decline', 'In a meeting');
    t.engine.setOfferToken(ID, KW2, 17);
    const record = t.engine.exportRecord(ID);
    expect(record).toMatchObject({
      phase: 'routing',
      attempts: 2,
      offers: [
        { kw: KW1, outcome: 'declined', declineReason: 'In a meeting' },
        { kw: KW2, outcome: 'pending', token: 17 },
      ],
    });
    if (!record) throw new Error('no record');
    const sent: Sent[] = [];
    const { parsed, fresh } = roundTrip(record, t.clock, t.directory, sent);
    expect(parsed).toEqual(record);
    expect(fresh.exportRecord(ID)).toEqual(record);
    expect(fresh.nextDeadline(ID)).toBe(t.engine.nextDeadline(ID));
    // The adopted interaction goes on: the pending KW accepts, the declined one is refused.
    expect(fresh.answer(ID, KW1, 'accept')).toEqual({ status: 409, reason: 'Preview Already Declined' });
    expect(fresh.answer(ID, KW2, 'accept')).toEqual({ status: 200, reason: 'OK' });
    expect(sent).toEqual([{ what: 'routed', to: AGENT }]);
  });

  it('routing and waiting for a member (the wait deadline is kept)', () => {
    const clock = new FakeClock();
    const directory = new MemberDirectory(clock);
    const engine = engineOn(clock, directory);
    engine.request(request);
    const record = engine.exportRecord(ID);
    expect(record).toMatchObject({ phase: 'routing', offers: [], waitDeadline: clock.now() + 30_000 });
    if (!record) throw new Error('no record');
    const { fresh } = roundTrip(record, clock, directory);
    expect(fresh.exportRecord(ID)).toEqual(record);
    expect(fresh.isWaiting(ID)).toBe(true);
    expect(fresh.nextDeadline(ID)).toBe(clock.now() + 30_000);
  });

  it('routed (kw, routedAt, inactiveAt); the end releases the KW with the offer token', () => {
    const t = setup();
    t.engine.request(request);
    t.engine.setOfferToken(ID, KW1, 5);
    t.clock.advance(2000);
    t.engine.answer(ID, KW1, 'accept');
    const record = t.engine.exportRecord(ID);
    expect(record).toMatchObject({
      phase: 'routed',
      kw: KW1,
      routedAt: t.clock.now(),
      inactiveAt: t.clock.now() + config.inactivityTimeoutMs,
    });
    if (!record) throw new Error('no record');
    const sent: Sent[] = [];
    const { fresh } = roundTrip(record, t.clock, t.directory, sent);
    expect(fresh.exportRecord(ID)).toEqual(record);
    expect(fresh.end(ID, AGENT)).toEqual({ status: 200, reason: 'OK' });
    expect(sent).toEqual([{ what: 'released', to: KW1, token: 5 }]);
  });

  it.each([
    ['ended', (e: RoutingEngine) => void (e.answer(ID, KW1, 'accept'), e.end(ID, KW1))],
    [
      'not-routed',
      (e: RoutingEngine, clock: FakeClock) => {
        // Declined, then nobody else comes within the wait.
        e.answer(ID, KW1, 'decline');
        clock.advance(30_000);
        e.tick(ID);
      },
    ],
  ] as const)('finished (%s): remembered until `until`', (phase, finish) => {
    const clock = new FakeClock();
    const directory = new MemberDirectory(clock);
    directory.setState(KW1, { kind: 'Ready' });
    const engine = engineOn(clock, directory);
    engine.request(request);
    finish(engine, clock);
    const record = engine.exportRecord(ID);
    expect(record).toMatchObject({ phase, until: clock.now() + 10 * 60_000 });
    if (!record) throw new Error('no record');
    const { fresh } = roundTrip(record, clock, directory);
    expect(fresh.exportRecord(ID)).toEqual(record);
    expect(fresh.answer(ID, KW1, 'accept').status).toBe(409);
    expect(fresh.answer(ID, KW2, 'accept').status).toBe(403);
  });

  it('fields the record does not have are dropped, not carried along', () => {
    const t = setup();
    t.engine.request(request);
    const record = t.engine.exportRecord(ID);
    if (!record) throw new Error('no record');
    const json = throughStore(record);
    const parsed = parseInteractionRecord({
      ...json,
      extra: 'x',
      request: { ...(json['request'] as JsonObject), extra: 1 },
    });
    expect(parsed).toEqual({ ok: true, record });
  });
});

describe('interaction record: what is refused', () => {
  /** A valid stored record (routing, one declined and one pending offer) to spoil. */
  function validJson(): JsonObject {
    const t = setup();
    t.engine.request(request);
    t.engine.answer(ID, KW1, 'decline', 'busy');
    t.engine.setOfferToken(ID, KW2, 3);
    const record = t.engine.exportRecord(ID);
    if (!record) throw new Error('no record');
    return throughStore(record);
  }
  const ix = (o: JsonObject, key: string): JsonObject => o[key] as JsonObject;
  const offers = (o: JsonObject): JsonObject[] => o['offers'] as JsonObject[];

  const cases: Array<[string, (o: JsonObject) => JsonValue, string]> = [
    ['an unknown phase', (o) => ({ ...o, phase: 'paused' }), 'phase: unknown paused'],
    ['a phase that is not a string', (o) => ({ ...o, phase: 2 }), 'phase: not a string'],
    [
      'an unknown offer outcome',
      (o) => ({ ...o, offers: [offers(o)[0] ?? {}, { ...offers(o)[1], outcome: 'maybe' }] }),
      'offer outcome: unknown maybe',
    ],
    [
      'a userData value that is not a string',
      (o) => ({ ...o, request: { ...ix(o, 'request'), userData: { CaseNumber: 42 } } }),
      'request.userData.CaseNumber: not a string',
    ],
    [
      'userData that is not an object',
      (o) => ({ ...o, request: { ...ix(o, 'request'), userData: ['42'] } }),
      'request.userData: not an object',
    ],
    [
      'no request',
      (o) => {
        const { request: _r, ...rest } = o;
        return rest;
      },
      'request: not an object',
    ],
    ['a request that is null', (o) => ({ ...o, request: null }), 'request: not an object'],
    [
      'a request without its agent',
      (o) => {
        const { agent: _a, ...rest } = ix(o, 'request');
        return { ...o, request: rest };
      },
      'request.agent: not an object',
    ],
    ['attempts as a string', (o) => ({ ...o, attempts: '2' }), 'attempts: not a number'],
    [
      'no attempts',
      (o) => {
        const { attempts: _a, ...rest } = o;
        return rest;
      },
      'attempts: not a number',
    ],
    ['offers that are not a list', (o) => ({ ...o, offers: {} }), 'offers: not an array'],
    ['an offer that is not an object', (o) => ({ ...o, offers: ['kw1'] }), 'offers[0]: not an object'],
    [
      'an offer without offeredAt',
      (o) => {
        const { offeredAt: _t, ...rest } = offers(o)[1] ?? {};
        return { ...o, offers: [offers(o)[0] ?? {}, rest] };
      },
      'offeredAt: not a number',
    ],
    [
      'an offer token that is not a number',
      (o) => ({ ...o, offers: [offers(o)[0] ?? {}, { ...offers(o)[1], token: '3' }] }),
      'token: not a number',
    ],
    ['an optional until that is not a number', (o) => ({ ...o, until: 'later' }), 'until: not a number'],
    ['a waitDeadline that is null', (o) => ({ ...o, waitDeadline: null }), 'waitDeadline: not a number'],
  ];

  it.each(cases)('%s', (_what, spoil, error) => {
    const spoiled = spoil(validJson()) as JsonObject;
    expect(parseInteractionRecord(spoiled)).toEqual({ ok: false, error });
  });

  it('the valid record these are spoiled from parses', () => {
    expect(parseInteractionRecord(validJson())).toMatchObject({ ok: true, record: { phase: 'routing' } });
  });

  it('a non-finite number is not a number', () => {
    expect(parseInteractionRecord({ ...validJson(), attempts: Number.POSITIVE_INFINITY })).toEqual({
      ok: false,
      error: 'attempts: not a number',
    });
  });
});
