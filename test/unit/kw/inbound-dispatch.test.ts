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

const ID = '11111111-1111-4111-8111-111111111111';
const RP = 'sip:billing@lab.local';

function setup() {
  const clock = new FakeClock();
  const log = memoryLogger();
  const ok = { send: () => Promise.resolve() };
  const previews = new PreviewInbox({ sender: ok, logger: log.logger, clock });
  const conversations = new ConversationService({
    transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
    control: ok,
    history: new MemoryHistoryStore(),
    logger: log.logger,
    clock,
  });
  const deliver = (from: string, contentType: string, body: string, headers: Record<string, string> = {}) =>
    dispatchInbound(message(from, contentType, body, headers), {
      previews,
      conversations,
      logger: log.logger,
    });
  return { clock, log, previews, conversations, deliver };
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

  it('refuses a preview sent by someone other than its routing point', () => {
    const { deliver, clock, previews } = setup();
    expect(deliver('sip:mallory@lab.local', CONTROL_CONTENT_TYPE, previewBody(clock)).status).toBe(403);
    expect(previews.list()).toHaveLength(0);
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

  it('passes typing notifications and refuses malformed ones', () => {
    const { deliver, clock, conversations } = setup();
    deliver(RP, CONTROL_CONTENT_TYPE, previewBody(clock));
    conversations.open({ ...JSON.parse(previewBody(clock)) });
    const typing: boolean[] = [];
    conversations.on('typing', (t) => typing.push(t.active));
    const active = encodeIsComposing({ state: 'active', refresh: 60 });
    expect(parseIsComposing(active)).toEqual({ state: 'active', refresh: 60 });
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
