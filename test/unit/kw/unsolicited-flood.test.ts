import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../main/core/conversations/token-bucket.js';
import {
  UNSOLICITED_LIMITS,
  UnsolicitedPolicy,
} from '../../../main/core/conversations/unsolicited-policy.js';
import { ConversationService } from '../../../main/core/conversations/conversation-service.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { Preview } from '../../../wire/control.js';
import type { SipReply } from '../../../main/core/sip/agent.js';
import { FakeClock } from '../../support/fake-clock.js';

const ACCEPTED = '11111111-1111-4111-8111-111111111111';

function agent(n: number): { uri: string; displayName: string } {
  return { uri: `sip:agent${n}@lab.local`, displayName: `Agent ${n}` };
}

function preview(interactionId: string, n: number): Preview {
  return {
    v: 1,
    type: 'preview',
    interactionId,
    agent: agent(n),
    routingPoint: 'sip:billing@lab.local',
    subject: 'S',
    text: 'T',
    userData: {},
    expiresAt: '2030-01-01T00:00:00Z',
  };
}

function newId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

function setup() {
  const clock = new FakeClock();
  const history = new MemoryHistoryStore();
  const service = new ConversationService({
    transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
    control: { send: () => Promise.resolve() },
    history,
    logger: memoryLogger().logger,
    clock,
    trustedRoutingPoints: new TrustedRoutingPoints(['sip:billing@lab.local']),
  });
  const text = (n: number, id: string, body = 'hi'): SipReply =>
    service.receiveText({ uri: agent(n).uri, displayName: undefined }, id, body);
  return { clock, history, service, text };
}

function retryAfter(reply: SipReply): number | undefined {
  const header = reply.headers?.find((h) => /^Retry-After:/i.test(h));
  return header === undefined ? undefined : Number(header.split(':')[1]);
}

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then one token per 1/rate, and says how long to wait', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ capacity: 3, perSecond: 0.5 }, clock);
    for (let i = 0; i < 3; i += 1) {
      expect(bucket.waitMs()).toBe(0);
      bucket.take();
    }
    expect(bucket.waitMs()).toBe(2000);
    clock.advance(1500);
    expect(bucket.waitMs()).toBe(500);
    clock.advance(500);
    expect(bucket.waitMs()).toBe(0);
    clock.advance(60_000);
    expect(bucket.isFull).toBe(true);
  });

  it('refuses a bucket that could never give a token', () => {
    expect(() => new TokenBucket({ capacity: 0, perSecond: 1 }, new FakeClock())).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 1, perSecond: 0 }, new FakeClock())).toThrow(RangeError);
  });
});

describe('UnsolicitedPolicy', () => {
  it('486 once the bound is reached, whatever the sender; 503 with Retry-After when a sender is too fast', () => {
    const clock = new FakeClock();
    const policy = new UnsolicitedPolicy({
      clock,
      limits: {
        maxActive: 3,
        newConversations: { capacity: 2, perSecond: 0.1 },
        messages: { capacity: 10, perSecond: 1 },
      },
    });
    expect(policy.admitNew('sip:a@x', 0)).toBeUndefined();
    expect(policy.admitNew('sip:a@x', 1)).toBeUndefined();
    const limited = policy.admitNew('sip:a@x', 2);
    expect(limited).toMatchObject({ status: 503, reason: 'Too Many New Conversations, Retry Later' });
    expect(retryAfter(limited ?? { status: 0 })).toBe(10);
    expect(policy.admitNew('sip:b@x', 3)).toEqual({
      status: 486,
      reason: 'Too Many Unsolicited Conversations',
    });
    clock.advance(10_000);
    expect(policy.admitNew('sip:a@x', 2)).toBeUndefined();
  });

  it('limits messages per sender into conversations not taken up, each sender on its own', () => {
    const clock = new FakeClock();
    const policy = new UnsolicitedPolicy({ clock });
    const { capacity, perSecond } = UNSOLICITED_LIMITS.messages;
    for (let i = 0; i < capacity; i += 1) expect(policy.admitMessage('sip:a@x')).toBeUndefined();
    const refused = policy.admitMessage('sip:a@x');
    expect(refused).toMatchObject({ status: 503, reason: 'Too Many Messages, Retry Later' });
    expect(retryAfter(refused ?? { status: 0 })).toBe(Math.ceil(1 / perSecond));
    expect(policy.admitMessage('sip:b@x')).toBeUndefined();
  });
});

describe('ConversationService under a flood of unsolicited conversations', () => {
  it('1,000 new-id messages from one known agent: a bounded number kept, 503 + Retry-After for the rest; the accepted chat keeps working', async () => {
    const { service, history, text, clock } = setup();
    service.open(preview(ACCEPTED, 1));
    const replies: SipReply[] = [];
    for (let i = 1; i <= 1000; i += 1) {
      replies.push(text(1, newId(i)));
      if (i % 100 === 0) expect(text(1, ACCEPTED, `still here ${i}`).status).toBe(200);
      clock.advance(10); // 10 s in all: the bucket refills less than one conversation meanwhile
    }
    const ok = replies.filter((r) => r.status === 200);
    const limited = replies.filter((r) => r.status === 503);
    expect(ok).toHaveLength(UNSOLICITED_LIMITS.newConversations.capacity);
    expect(limited).toHaveLength(1000 - ok.length);
    for (const r of limited) expect(retryAfter(r)).toBeGreaterThanOrEqual(1);
    const unsolicited = service.list().filter((c) => c.unsolicited);
    expect(unsolicited).toHaveLength(ok.length);
    await Promise.resolve();
    expect((await history.loadAll()).conversations).toHaveLength(ok.length + 1);
    expect(service.get(ACCEPTED)?.messages).toHaveLength(11);
    expect((await service.send(ACCEPTED, 'answer')).delivery).toBe('delivered');
  });

  it('the bound counts all senders: the 21st waiting conversation gets 486; a reply takes one out of the count', async () => {
    const { service, text } = setup();
    for (let n = 1; n <= 5; n += 1) service.open(preview(newId(9000 + n), n));
    let next = 0;
    const open = (n: number): SipReply => text(n, newId((next += 1)));
    for (let n = 1; n <= 4; n += 1) for (let k = 0; k < 5; k += 1) expect(open(n).status).toBe(200);
    expect(UNSOLICITED_LIMITS.maxActive).toBe(20);
    expect(open(5)).toEqual({ status: 486, reason: 'Too Many Unsolicited Conversations' });
    // The KW answers one: it uses that conversation now, so it no longer counts.
    const first = service.list().find((c) => c.unsolicited && c.agent.uri === agent(1).uri);
    if (!first) throw new Error('no unsolicited conversation');
    await service.send(first.interactionId, 'I am on it');
    expect(open(5).status).toBe(200);
    expect(open(5)).toMatchObject({ status: 486 });
  });

  it('messages into a waiting unsolicited conversation are rate limited; once the KW replied, never', async () => {
    const { service, text } = setup();
    service.open(preview(ACCEPTED, 1));
    const id = newId(1);
    const burst = UNSOLICITED_LIMITS.messages.capacity;
    const statuses = Array.from({ length: burst + 5 }, () => text(1, id).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(burst);
    expect(statuses.filter((s) => s === 503)).toHaveLength(5);
    await service.send(id, 'go on');
    expect(Array.from({ length: 50 }, () => text(1, id).status).every((s) => s === 200)).toBe(true);
    expect(Array.from({ length: 50 }, () => text(1, ACCEPTED).status).every((s) => s === 200)).toBe(true);
  });
});
