import { describe, expect, it } from 'vitest';
import {
  ConversationService,
  ConversationError,
} from '../../../main/core/conversations/conversation-service.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { SipRequestError } from '../../../main/core/sip/request.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { Preview } from '../../../wire/control.js';
import { parseIsComposing } from '../../../wire/is-composing.js';
import { FakeClock } from '../../support/fake-clock.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';

const ID = '11111111-1111-4111-8111-111111111111';
const AGENT = { uri: 'sip:agent1@lab.local', displayName: 'Agent One' };

function preview(): Preview {
  return {
    v: 1,
    type: 'preview',
    interactionId: ID,
    agent: AGENT,
    routingPoint: 'sip:billing@lab.local',
    subject: 'Refund',
    text: 'Customer wants a refund',
    userData: { CaseNumber: '42' },
    expiresAt: '2030-01-01T00:00:00Z',
  };
}

function setup(trusted: readonly string[] = ['sip:billing@lab.local']) {
  const clock = new FakeClock();
  const sent: Array<{ target: string; body: string; contentType: string | undefined }> = [];
  let failNext: Error | undefined;
  const control: Array<{ target: string; type: string }> = [];
  const history = new MemoryHistoryStore();
  const service = new ConversationService({
    transport: {
      sendMessage: (target, body, options) => {
        sent.push({ target, body, contentType: options?.contentType });
        const f = failNext;
        failNext = undefined;
        return f ? Promise.reject(f) : Promise.resolve({ status: 200, reason: 'OK' });
      },
    },
    control: {
      send: (target, type) => {
        control.push({ target, type });
        return Promise.resolve();
      },
    },
    history,
    logger: memoryLogger().logger,
    clock,
    composingRefreshSeconds: 60,
    trustedRoutingPoints: new TrustedRoutingPoints(trusted),
  });
  return { clock, sent, control, history, service, failWith: (e: Error) => (failNext = e) };
}

describe('ConversationService', () => {
  it('opens a conversation from an accepted preview with the agent first message', () => {
    const { service } = setup();
    const c = service.open(preview());
    expect(c).toMatchObject({
      interactionId: ID,
      subject: 'Refund',
      state: 'active',
      userData: { CaseNumber: '42' },
    });
    expect(service.get(ID)?.messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'Customer wants a refund'],
    ]);
    expect(service.get(ID)).toBe(c);
  });

  it('receives text from the agent of the interaction and refuses others', () => {
    const { service } = setup();
    service.open(preview());
    expect(service.receiveText(AGENT, ID, 'hello').status).toBe(200);
    expect(
      service.receiveText({ uri: 'sip:mallory@lab.local', displayName: undefined }, ID, 'hi').status,
    ).toBe(403);
    expect(service.receiveText(AGENT, undefined, 'hi').status).toBe(400);
    expect(service.get(ID)?.messages.map((m) => m.text)).toEqual(['Customer wants a refund', 'hello']);
  });

  it('keeps a message for an unknown interaction from a known agent', () => {
    const { service } = setup();
    service.open(preview());
    const other = '22222222-2222-4222-8222-222222222222';
    expect(service.receiveText(AGENT, other, 'about another case').status).toBe(200);
    expect(service.get(other)).toMatchObject({ unsolicited: true, agent: { uri: 'sip:agent1@lab.local' } });
  });

  it('refuses a message for an unknown interaction from an unknown sender', () => {
    const { service } = setup();
    expect(service.receiveText({ uri: 'sip:x@lab.local', displayName: undefined }, ID, 'hi').status).toBe(
      404,
    );
    expect(service.list()).toEqual([]);
  });

  it('tracks delivery: sending → delivered; failure is kept and can be retried', async () => {
    const { service, sent, failWith } = setup();
    service.open(preview());
    const ok = await service.send(ID, ' Sure, one moment ');
    expect(ok).toMatchObject({ delivery: 'delivered', text: 'Sure, one moment' });
    expect(sent[0]).toMatchObject({ target: AGENT.uri, contentType: 'text/plain; charset=utf-8' });
    const unavailable = { status: 480, reason: 'Temporarily Unavailable', header: () => undefined };
    failWith(new SipRequestError(480, 'Temporarily Unavailable', unavailable));
    const failed = await service.send(ID, 'are you there?');
    expect(failed).toMatchObject({
      delivery: 'failed',
      error: 'The agent is offline.',
      errorDetail: '480 Temporarily Unavailable',
    });
    const retried = await service.retry(ID, failed.id);
    expect(retried.delivery).toBe('delivered');
    expect(retried.error).toBeUndefined();
    expect(retried.errorDetail).toBeUndefined();
    expect(
      service
        .get(ID)
        ?.messages.filter((m) => m.direction === 'out')
        .map((m) => m.delivery),
    ).toEqual(['delivered', 'delivered']);
  });

  it('refuses empty messages and retrying a delivered one', async () => {
    const { service } = setup();
    service.open(preview());
    await expect(service.send(ID, '   ')).rejects.toBeInstanceOf(ConversationError);
    const m = await service.send(ID, 'x');
    await expect(service.retry(ID, m.id)).rejects.toThrow(/only a failed message/);
  });

  it('shows the agent typing until idle, a message, or the refresh lapses', () => {
    const { service, clock } = setup();
    service.open(preview());
    const typing: boolean[] = [];
    service.on('typing', (t) => typing.push(t.active));
    service.receiveComposing(AGENT.uri, ID, { state: 'active', refresh: 10 });
    service.receiveText(AGENT, ID, 'here it is');
    service.receiveComposing(AGENT.uri, ID, { state: 'active', refresh: 10 });
    clock.advance(10_000);
    expect(typing).toEqual([true, false, true, false]);
  });

  it('sends typing notifications without flooding: active once per refresh, idle once', async () => {
    const { service, sent, clock } = setup();
    service.open(preview());
    await service.setComposing(ID, true);
    await service.setComposing(ID, true);
    clock.advance(61_000);
    await service.setComposing(ID, true);
    await service.setComposing(ID, false);
    await service.setComposing(ID, false);
    const states = sent.map((s) => {
      const parsed = parseIsComposing(s.body);
      return parsed.ok ? parsed.composing.state : parsed.reason;
    });
    expect(states).toEqual(['active', 'active', 'idle']);
  });

  it('end from the KW tells the agent and the routing point; end from the agent closes it', async () => {
    const { service, control } = setup();
    service.open(preview());
    await service.end(ID);
    expect(control).toEqual([
      { target: AGENT.uri, type: 'end' },
      { target: 'sip:billing@lab.local', type: 'end' },
    ]);
    expect(service.get(ID)).toMatchObject({ state: 'ended', endedBy: 'me' });
    await expect(service.send(ID, 'late')).rejects.toThrow(/ended/);
    expect(service.receiveText(AGENT, ID, 'wait').status).toBe(481);

    const s2 = setup();
    s2.service.open(preview());
    expect(s2.service.receiveEnd('sip:mallory@lab.local', ID).status).toBe(403);
    expect(s2.service.receiveEnd(AGENT.uri, ID).status).toBe(200);
    expect(s2.service.get(ID)).toMatchObject({ state: 'ended', endedBy: 'agent' });
    // The agent may have told only the KW: the routing point hears it from us, so it frees this KW.
    expect(s2.control).toEqual([{ target: 'sip:billing@lab.local', type: 'end' }]);
    expect(s2.service.receiveEnd(AGENT.uri, ID).status).toBe(200);
    expect(s2.control).toHaveLength(1);

    // The routing point may end a chat nobody ended (inactivity); nobody is told back.
    const s3 = setup();
    s3.service.open(preview());
    expect(s3.service.receiveEnd('sip:billing@lab.local', ID).status).toBe(200);
    expect(s3.service.get(ID)).toMatchObject({ state: 'ended', endedBy: 'router' });
    expect(s3.control).toEqual([]);
  });

  it('refuses an end from the routing point of the chat when that routing point is not trusted', () => {
    const { service, control } = setup(['sip:claims@lab.local']);
    service.open(preview());
    expect(service.receiveEnd('sip:billing@lab.local', ID)).toEqual({
      status: 403,
      reason: 'Not A Trusted Routing Point',
    });
    expect(service.get(ID)?.state).toBe('active');
    expect(control).toEqual([]);
    // Text from the agent of the accepted interaction is not a routing point's business.
    expect(service.receiveText(AGENT, ID, 'still here').status).toBe(200);
  });

  it('saves every change to the history store', async () => {
    const { service, history } = setup();
    service.open(preview());
    await service.send(ID, 'saved?');
    const { conversations } = await history.loadAll();
    expect(conversations[0]?.messages.map((m) => m.text)).toEqual(['Customer wants a refund', 'saved?']);
  });
});
