import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/log.js';
import type { IncomingSipMessage } from '../../../main/core/sip/agent.js';
import { encodeControlMessage } from '../../../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../../../wire/content-types.js';
import { handleInbound } from '../../../router/inbound.js';
import type { InteractionRequest, Reply } from '../../../router/engine.js';

const ID = '0b8a3c52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';
const RP = 'sip:billing-experts@lab.local';

function message(
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
  from = 'sip:agent1@lab.local',
): IncomingSipMessage {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  const raw = [
    `MESSAGE ${RP} SIP/2.0`,
    `From: "Agent One" <${from}>;tag=1`,
    `Content-Type: ${contentType}`,
    ...lines,
    '',
    body,
  ].join('\r\n');
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    from: { uri: from, displayName: 'Agent One' },
    to: RP,
    contentType,
    body,
    header: (name) => lower[name.toLowerCase()],
    raw,
  };
}

function setup() {
  const calls: Array<[string, ...unknown[]]> = [];
  const engine = {
    request: (r: InteractionRequest): Reply => (calls.push(['request', r]), { status: 200, reason: 'OK' }),
    answer: (...a: unknown[]): Reply => (calls.push(['answer', ...a]), { status: 200, reason: 'OK' }),
    end: (...a: unknown[]): Reply => (calls.push(['end', ...a]), { status: 200, reason: 'OK' }),
  };
  const handle = (m: IncomingSipMessage) => {
    const reply = handleInbound(m, {
      engine,
      routingPoint: RP,
      userDataPrefix: 'X-UserData-',
      logger: silentLogger,
    });
    if (reply instanceof Promise) throw new Error('a synchronous engine gives a synchronous reply');
    return reply;
  };
  return { calls, handle };
}

const LIMITS_SUBJECT = 200;

describe('routing point inbound MESSAGE', () => {
  it('waits for an engine that answers later (the shared store) and passes its reply on, headers and all', async () => {
    const later = { status: 503, reason: 'Router Store Unavailable', headers: ['Retry-After: 1'] };
    const engine = {
      request: () => Promise.resolve(later),
      answer: () => Promise.resolve(later),
      end: () => Promise.resolve(later),
    };
    const reply = handleInbound(message('text/plain', 'hi', { 'X-Interaction-Id': ID }), {
      engine,
      routingPoint: RP,
      userDataPrefix: 'X-UserData-',
      logger: silentLogger,
    });
    expect(reply).toBeInstanceOf(Promise);
    await expect(reply).resolves.toEqual(later);
  });

  it('a text/plain request with interaction id, subject and user data → the engine, 200', () => {
    const t = setup();
    const reply = t.handle(
      message('text/plain; charset=utf-8', 'Customer asks about invoice 7', {
        'X-Interaction-Id': ID,
        Subject: 'Invoice',
        'X-UserData-CaseNumber': '42',
        'X-UserData-CustomerName': 'Ren%C3%A9e',
      }),
    );
    expect(reply).toEqual({ status: 200, reason: 'OK' });
    expect(t.calls).toEqual([
      [
        'request',
        {
          interactionId: ID,
          agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
          subject: 'Invoice',
          text: 'Customer asks about invoice 7',
          userData: { CaseNumber: '42', CustomerName: 'Renée' },
        },
      ],
    ]);
  });

  it.each([
    [{}, 400, 'Missing X-Interaction-Id'],
    [{ 'X-Interaction-Id': 'case-42' }, 400, 'Invalid X-Interaction-Id: not a UUID'],
  ])('interaction id %j → %i', (headers, status, reason) => {
    const t = setup();
    expect(t.handle(message('text/plain', 'hi', headers))).toEqual({ status, reason });
    expect(t.calls).toEqual([]);
  });

  it('a field a preview could not carry → 400 naming it', () => {
    const t = setup();
    expect(t.handle(message('text/plain', 'x'.repeat(4001), { 'X-Interaction-Id': ID }))).toEqual({
      status: 400,
      reason: 'Invalid text: text too long',
    });
    expect(t.calls).toEqual([]);
  });

  it('a subject over the limit is shortened with "…", not refused', () => {
    const t = setup();
    const reply = t.handle(message('text/plain', 'hi', { 'X-Interaction-Id': ID, Subject: 's'.repeat(201) }));
    expect(reply.status).toBe(200);
    const subject = (t.calls[0]?.[1] as { subject: string }).subject;
    expect(subject).toHaveLength(LIMITS_SUBJECT);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('preview-answer and end go to the engine with the sender AOR', () => {
    const t = setup();
    const kw = 'sip:kw1@lab.local;transport=ws';
    expect(
      t.handle(
        message(
          CONTROL_CONTENT_TYPE,
          encodeControlMessage('preview-answer', { interactionId: ID, decision: 'decline', reason: 'busy' }),
          { 'X-Interaction-Id': ID },
          kw,
        ),
      ),
    ).toEqual({ status: 200, reason: 'OK' });
    t.handle(message(CONTROL_CONTENT_TYPE, encodeControlMessage('end', { interactionId: ID }), {}, kw));
    expect(t.calls).toEqual([
      ['answer', ID, 'sip:kw1@lab.local', 'decline', 'busy'],
      ['end', ID, 'sip:kw1@lab.local'],
    ]);
  });

  it.each([
    ['application/im-iscomposing+xml', '<isComposing/>', 415],
    ['application/pidf+xml', '<presence/>', 415],
    [CONTROL_CONTENT_TYPE, '{not json', 400],
    [CONTROL_CONTENT_TYPE, JSON.stringify({ v: 2, type: 'end', interactionId: ID }), 400],
    [
      CONTROL_CONTENT_TYPE,
      JSON.stringify({ v: 1, type: 'preview-answer', interactionId: ID, decision: 'maybe' }),
      400,
    ],
    [CONTROL_CONTENT_TYPE, JSON.stringify({ v: 1, type: 'hello', interactionId: ID }), 400],
    [CONTROL_CONTENT_TYPE, 'x'.repeat(40_000), 413],
    [
      CONTROL_CONTENT_TYPE,
      encodeControlMessage('routed', {
        interactionId: ID,
        kw: { uri: 'sip:kw1@lab.local', displayName: 'K', voiceUri: 'sip:kw1@lab.local' },
      }),
      400,
    ],
    [CONTROL_CONTENT_TYPE, encodeControlMessage('not-routed', { interactionId: ID, reason: 'timeout' }), 400],
    [
      CONTROL_CONTENT_TYPE,
      encodeControlMessage('preview-cancel', { interactionId: ID, reason: 'taken' }),
      400,
    ],
  ])('%s %s → %i, engine untouched', (contentType, body, status) => {
    const t = setup();
    expect(t.handle(message(contentType, body)).status).toBe(status);
    expect(t.calls).toEqual([]);
  });

  it('a header interaction id that does not match the body → 400', () => {
    const t = setup();
    const body = encodeControlMessage('end', { interactionId: ID });
    expect(
      t.handle(
        message(CONTROL_CONTENT_TYPE, body, { 'X-Interaction-Id': '1c9b4d63-8b2f-4d3c-8c9f-2a3b4c5d6e7f' }),
      ),
    ).toEqual({
      status: 400,
      reason: 'Interaction Id Mismatch',
    });
  });
});

describe('routing point inbound: resume (issue 16)', () => {
  const KW = 'sip:kw1@lab.local';
  const body = encodeControlMessage('resume', { interactionId: ID });

  it('hands a resume to the router with who sent it', () => {
    const asked: string[] = [];
    const engine = {
      request: (): Reply => ({ status: 500, reason: 'unused' }),
      answer: (): Reply => ({ status: 500, reason: 'unused' }),
      end: (): Reply => ({ status: 500, reason: 'unused' }),
      resume: (_id: string, from: string): Reply => (asked.push(from), { status: 200, reason: 'OK' }),
    };
    const reply = handleInbound(message(CONTROL_CONTENT_TYPE, body, {}, KW), {
      engine,
      routingPoint: RP,
      userDataPrefix: 'X-UserData-',
      logger: silentLogger,
    });
    expect(reply).toEqual({ status: 200, reason: 'OK' });
    expect(asked).toEqual([KW]);
  });

  it('refuses paused (the router sends it, never takes it), and resume where nobody handles it', () => {
    const t = setup();
    const paused = encodeControlMessage('paused', {
      interactionId: ID,
      routingPoint: RP,
      displayName: 'Billing',
      reason: 'missed-requests',
      missed: 3,
    });
    expect(t.handle(message(CONTROL_CONTENT_TYPE, paused, {}, KW)).status).toBe(400);
    expect(t.handle(message(CONTROL_CONTENT_TYPE, body, {}, KW))).toEqual({
      status: 400,
      reason: 'Unexpected Message Type resume',
    });
    expect(t.calls).toEqual([]);
  });
});
