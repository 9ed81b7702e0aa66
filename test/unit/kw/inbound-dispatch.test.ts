import { describe, expect, it } from 'vitest';
import { dispatchInbound } from '../../../main/core/inbound-dispatch.js';
import { PreviewInbox } from '../../../main/core/previews/preview-inbox.js';
import { ConversationService } from '../../../main/core/conversations/conversation-service.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { encodeIsComposing, parseIsComposing } from '../../../wire/is-composing.js';
import { encodeControlMessage } from '../../../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../../../wire/content-types.js';
import type { IncomingSipMessage } from '../../../main/core/sip/agent.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeClock } from '../../support/fake-clock.js';
import { malformedControlBodies } from '../../support/malformed-control.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';

const ID = '11111111-1111-4111-8111-111111111111';
const RP = 'sip:billing@lab.local';
const OTHER_RP = 'sip:claims@lab.local';
const MALLORY = 'sip:mallory@lab.local';
const NOT_TRUSTED = { status: 403, reason: 'Not A Trusted Routing Point' };

function setup() {
  const clock = new FakeClock();
  const log = memoryLogger();
  const ok = { send: () => Promise.resolve() };
  const previews = new PreviewInbox({ sender: ok, logger: log.logger, clock });
  const trustedRoutingPoints = new TrustedRoutingPoints([RP, OTHER_RP]);
  const conversations = new ConversationService({
    transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
    control: ok,
    history: new MemoryHistoryStore(),
    logger: log.logger,
    clock,
    trustedRoutingPoints,
  });
  const targets = { previews, conversations, trustedRoutingPoints, logger: log.logger };
  const deliver = (from: string, contentType: string, body: string, headers: Record<string, string> = {}) =>
    dispatchInbound(message(from, contentType, body, headers), targets);
  /** The same, as if the bytes on the wire had not been valid UTF-8 (the agent flags it). */
  const deliverBadUtf8 = (
    from: string,
    contentType: string,
    body: string,
    headers: Record<string, string> = {},
  ) => dispatchInbound({ ...message(from, contentType, body, headers), invalidUtf8: true }, targets);
  return { clock, log, previews, conversations, deliver, deliverBadUtf8 };
}

function message(
  from: string,
  contentType: string,
  body: string,
  headers: Record<string, string>,
): IncomingSipMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    from: { uri: from, displayName: undefined },
    to: 'sip:kw1@lab.local',
    contentType,
    body,
    header: (n) => lower[n.toLowerCase()],
    raw: '',
  };
}

function previewBody(clock: FakeClock, routingPoint = RP): string {
  return encodeControlMessage('preview', {
    interactionId: ID,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent' },
    routingPoint,
    subject: 'S',
    text: 'T',
    userData: {},
    expiresAt: new Date(clock.now() + 20_000).toISOString(),
  });
}

describe('inbound dispatch', () => {
  it('hands a valid preview from its routing point to the inbox', () => {
    const { deliver, clock, previews } = setup();
    expect(deliver(RP, CONTROL_CONTENT_TYPE, previewBody(clock), { 'X-Interaction-Id': ID }).status).toBe(
      200,
    );
    expect(previews.list()).toHaveLength(1);
  });

  it('refuses a preview from a trusted routing point that names another one as its routing point', () => {
    const { deliver, clock, previews } = setup();
    expect(deliver(OTHER_RP, CONTROL_CONTENT_TYPE, previewBody(clock))).toEqual({
      status: 403,
      reason: 'Preview Not From Its Routing Point',
    });
    expect(previews.list()).toHaveLength(0);
  });

  it('refuses a preview from a SIP user naming itself as the routing point: 403, logged, no preview', () => {
    const { deliver, clock, previews, log } = setup();
    const reply = deliver(MALLORY, CONTROL_CONTENT_TYPE, previewBody(clock, MALLORY), {
      'X-Interaction-Id': ID,
    });
    expect(reply).toEqual(NOT_TRUSTED);
    expect(previews.list()).toHaveLength(0);
    expect(log.records.find((r) => r.msg === 'incoming MESSAGE refused')?.fields).toMatchObject({
      from: MALLORY,
      status: 403,
      reason: 'Not A Trusted Routing Point',
    });
  });

  it('takes a preview-cancel only from a trusted routing point: an untrusted one gets 403 and the preview stays', () => {
    const { deliver, clock, previews } = setup();
    expect(deliver(RP, CONTROL_CONTENT_TYPE, previewBody(clock)).status).toBe(200);
    const cancel = encodeControlMessage('preview-cancel', { interactionId: ID, reason: 'taken' });
    expect(deliver(MALLORY, CONTROL_CONTENT_TYPE, cancel)).toEqual(NOT_TRUSTED);
    expect(previews.get(ID)).toBeDefined();
    expect(deliver(OTHER_RP, CONTROL_CONTENT_TYPE, cancel)).toEqual({
      status: 403,
      reason: 'Not The Offering Routing Point',
    });
    expect(previews.get(ID)).toBeDefined();
    expect(deliver(RP, CONTROL_CONTENT_TYPE, cancel).status).toBe(200);
    expect(previews.get(ID)).toBeUndefined();
  });

  it('refuses a body whose interaction id differs from the header', () => {
    const { deliver, clock } = setup();
    const reply = deliver(RP, CONTROL_CONTENT_TYPE, previewBody(clock), {
      'X-Interaction-Id': '22222222-2222-4222-8222-222222222222',
    });
    expect(reply).toEqual({ status: 400, reason: 'Interaction Id Mismatch' });
  });

  it('refuses control messages that are not for a KW', () => {
    const { deliver } = setup();
    const body = encodeControlMessage('not-routed', { interactionId: ID, reason: 'timeout' });
    expect(deliver(RP, CONTROL_CONTENT_TYPE, body).status).toBe(400);
  });

  it('refuses unknown content types with 415 and says what it accepts', () => {
    const { deliver } = setup();
    const reply = deliver(RP, 'application/octet-stream', 'x');
    expect(reply.status).toBe(415);
    expect(reply.headers?.[0]).toMatch(/^Accept: text\/plain, application\/vnd\.kwdesk\+json/);
  });

  it('refuses every one of 200 malformed control messages with a 4xx and changes nothing', () => {
    const { deliver, clock, previews, conversations, log } = setup();
    const bodies = malformedControlBodies(clock.now(), 200);
    expect(bodies).toHaveLength(200);
    for (const body of bodies) {
      const reply = deliver(RP, CONTROL_CONTENT_TYPE, body);
      expect(reply.status, body.slice(0, 120)).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expect(reply.reason ?? '').not.toMatch(/[\r\n]/);
    }
    expect(previews.list()).toEqual([]);
    expect(conversations.list()).toEqual([]);
    expect(log.records.filter((r) => r.msg === 'incoming MESSAGE refused')).toHaveLength(200);
    // ...and a good one still works afterwards.
    expect(deliver(RP, CONTROL_CONTENT_TYPE, previewBody(clock)).status).toBe(200);
  });

  it('refuses every kind of body whose bytes were not UTF-8, before looking at it', () => {
    const { deliver, deliverBadUtf8, clock, previews, conversations } = setup();
    const bad = { status: 400, reason: 'Body Is Not Valid UTF-8' };
    expect(deliverBadUtf8(RP, CONTROL_CONTENT_TYPE, previewBody(clock))).toEqual(bad);
    expect(previews.list()).toEqual([]);
    deliver(RP, CONTROL_CONTENT_TYPE, previewBody(clock));
    conversations.open({ ...JSON.parse(previewBody(clock)) });
    const before = conversations.get(ID)?.messages.length;
    const agent = 'sip:agent1@lab.local';
    expect(deliverBadUtf8(agent, 'text/plain', 'caf\uFFFD', { 'X-Interaction-Id': ID })).toEqual(bad);
    expect(
      deliverBadUtf8(agent, 'application/im-iscomposing+xml', encodeIsComposing({ state: 'active' }), {
        'X-Interaction-Id': ID,
      }),
    ).toEqual(bad);
    const end = encodeControlMessage('end', { interactionId: ID });
    expect(deliverBadUtf8(agent, CONTROL_CONTENT_TYPE, end)).toEqual(bad);
    expect(conversations.get(ID)).toMatchObject({ state: 'active' });
    expect(conversations.get(ID)?.messages.length).toBe(before);
    // A U+FFFD the sender really wrote is text like any other.
    expect(deliver(agent, 'text/plain', 'caf\uFFFD', { 'X-Interaction-Id': ID }).status).toBe(200);
  });

  it('refuses an unclosed isComposing document with 400 and shows no typing', () => {
    const { deliver, clock, conversations } = setup();
    conversations.open({ ...JSON.parse(previewBody(clock)) });
    const typing: boolean[] = [];
    conversations.on('typing', (t) => typing.push(t.active));
    const unclosed = encodeIsComposing({ state: 'active' }).replace('</isComposing>', '');
    expect(
      deliver('sip:agent1@lab.local', 'application/im-iscomposing+xml', unclosed, { 'X-Interaction-Id': ID }),
    ).toEqual({ status: 400, reason: 'Malformed isComposing XML' });
    expect(typing).toEqual([]);
  });

  it('passes typing notifications and refuses malformed ones', () => {
    const { deliver, clock, conversations } = setup();
    deliver(RP, CONTROL_CONTENT_TYPE, previewBody(clock));
    conversations.open({ ...JSON.parse(previewBody(clock)) });
    const typing: boolean[] = [];
    conversations.on('typing', (t) => typing.push(t.active));
    const active = encodeIsComposing({ state: 'active', refresh: 60 });
    expect(parseIsComposing(active)).toEqual({ ok: true, composing: { state: 'active', refresh: 60 } });
    expect(
      deliver('sip:agent1@lab.local', 'application/im-iscomposing+xml', active, { 'X-Interaction-Id': ID })
        .status,
    ).toBe(200);
    expect(
      deliver('sip:agent1@lab.local', 'application/im-iscomposing+xml', '<nope/>', { 'X-Interaction-Id': ID })
        .status,
    ).toBe(400);
    expect(typing).toEqual([true]);
  });
});
