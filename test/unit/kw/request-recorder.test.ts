/**
 * From a preview's or a call's end to an entry in the request log, and a call
 * preview's end into its chat's timeline. The preview inbox, the conversation
 * service (memory history) and the log are real; what leaves for the network
 * is a recording fake sender, and the call manager's `ended` event a fake emitter.
 */
import { describe, expect, it } from 'vitest';
import { PreviewInbox } from '../../../main/core/previews/preview-inbox.js';
import { ConversationService } from '../../../main/core/conversations/conversation-service.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';
import { TypedEmitter } from '../../../main/core/events.js';
import { memoryLogger } from '../../../main/core/log.js';
import { RequestLog } from '../../../main/core/requests/request-log.js';
import { recordRequests, type CallEnded } from '../../../main/core/requests/request-recorder.js';
import { describeRequest } from '../../../main/core/requests/request-sentence.js';
import { recordCallPreviewOutcomes } from '../../../main/core/calls/call-preview-outcomes.js';
import type { CallState } from '../../../main/core/calls/call-state.js';
import type { Preview } from '../../../wire/control.js';
import { FakeClock } from '../../support/fake-clock.js';

const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const RP = 'sip:billing@lab.local';
const AGENT = { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent' };

class FakeCalls extends TypedEmitter<{ ended: CallEnded }> {
  end(e: CallEnded): void {
    this.emit('ended', e);
  }
}

function preview(clock: FakeClock, id = ID, text = 'Can you help?'): Preview {
  return {
    v: 1,
    type: 'preview',
    interactionId: id,
    agent: AGENT,
    routingPoint: RP,
    subject: 'Invoice dispute',
    text,
    userData: {},
    expiresAt: new Date(clock.now() + 20_000).toISOString(),
  };
}

function setup() {
  const clock = new FakeClock();
  const logger = memoryLogger().logger;
  const answers: Array<{ decision: unknown; reason: unknown }> = [];
  const previews = new PreviewInbox({
    sender: {
      send: (_target, _type, fields) => {
        const f = fields as { decision?: unknown; reason?: unknown };
        answers.push({ decision: f.decision, reason: f.reason });
        return Promise.resolve();
      },
    },
    logger,
    clock,
  });
  const conversations = new ConversationService({
    transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
    control: { send: () => Promise.resolve() },
    history: new MemoryHistoryStore(),
    logger,
    clock,
    trustedRoutingPoints: new TrustedRoutingPoints([RP]),
  });
  // As KwCore wires them.
  previews.on('accepted', (p) => conversations.open(p));
  recordCallPreviewOutcomes(previews, conversations);
  const calls = new FakeCalls();
  const log = new RequestLog({ logger });
  const off = recordRequests({ previews, calls, conversations }, log);
  return { clock, previews, conversations, calls, log, off, answers };
}

const sentences = (log: RequestLog) => log.list().map((r) => describeRequest(r));

describe('recordRequests: chat previews', () => {
  it('expired → "missed", with who, subject and when', () => {
    const { clock, previews, log } = setup();
    previews.receive(preview(clock));
    clock.advance(20_000);
    expect(log.list()).toEqual([
      expect.objectContaining({
        kind: 'chat',
        interactionId: ID,
        agent: AGENT,
        subject: 'Invoice dispute',
        routingPoint: RP,
        outcome: 'expired',
        offeredAt: '2026-11-24T09:00:00.000Z',
        endedAt: '2026-11-24T09:00:20.000Z',
        seen: false,
      }),
    ]);
    expect(sentences(log)).toEqual(['Missed: it expired before you answered.']);
    expect(log.unseen()).toBe(1);
  });

  it('declined with a reason → the reason in the sentence, already seen', async () => {
    const { clock, previews, log, answers } = setup();
    previews.receive(preview(clock));
    await previews.decline(ID, 'With a customer');
    expect(answers).toEqual([{ decision: 'decline', reason: 'With a customer' }]);
    expect(sentences(log)).toEqual(['You declined it: “With a customer”.']);
    expect(log.unseen()).toBe(0);
  });

  it.each([
    ['taken', 'Taken by another expert before you answered.'],
    ['withdrawn', 'Withdrawn by the agent or the routing point before you answered.'],
    ['timeout', 'Missed: it expired before you answered.'],
  ] as const)('cancelled by the routing point (%s) → %s', (reason, sentence) => {
    const { clock, previews, log } = setup();
    previews.receive(preview(clock));
    expect(previews.cancel({ v: 1, type: 'preview-cancel', interactionId: ID, reason }, RP).status).toBe(200);
    expect(sentences(log)).toEqual([sentence]);
  });

  it('a "taken" that crosses our own expiry turns the entry into "taken"', () => {
    const { clock, previews, log } = setup();
    previews.receive(preview(clock));
    clock.advance(20_000);
    previews.cancel({ v: 1, type: 'preview-cancel', interactionId: ID, reason: 'taken' }, RP);
    expect(log.list()).toHaveLength(1);
    expect(sentences(log)).toEqual(['Taken by another expert before you answered.']);
  });

  it('an answer that does not reach the router → "failed"', async () => {
    const { clock, log, conversations } = setup();
    const previews = new PreviewInbox({
      sender: { send: () => Promise.reject(new Error('408 Request Timeout')) },
      logger: memoryLogger().logger,
      clock,
    });
    recordRequests({ previews, calls: new FakeCalls(), conversations }, log);
    previews.receive(preview(clock));
    await expect(previews.accept(ID)).rejects.toThrow();
    expect(log.list()[0]?.outcome).toBe('failed');
    expect(sentences(log)[0]).not.toMatch(/408/);
  });

  it('accepted → nothing is recorded; pending when the core stops → "closed"', async () => {
    const { clock, previews, log } = setup();
    previews.receive(preview(clock));
    await previews.accept(ID);
    expect(log.list()).toEqual([]);
    previews.receive(preview(clock, ID2));
    previews.dispose();
    expect(log.list().map((r) => [r.interactionId, r.outcome])).toEqual([[ID2, 'closed']]);
  });

  it('stops recording when unsubscribed', () => {
    const { clock, previews, log, off } = setup();
    off();
    previews.receive(preview(clock));
    clock.advance(20_000);
    expect(log.list()).toEqual([]);
  });
});

describe('call previews (an escalated call of a chat this KW has)', () => {
  async function withChat() {
    const s = setup();
    s.previews.receive(preview(s.clock));
    await s.previews.accept(ID);
    s.clock.advance(60_000);
    return s;
  }

  it('declined with a reason → a request entry and a "declined" call record in the chat', async () => {
    const { clock, previews, conversations, log } = await withChat();
    previews.receive(preview(clock, ID, 'Incoming transfer'));
    await previews.decline(ID, 'On another call');
    expect(log.list()).toEqual([expect.objectContaining({ kind: 'call-preview', outcome: 'declined' })]);
    expect(sentences(log)).toEqual(['You declined the call request: “On another call”.']);
    expect(conversations.get(ID)?.calls).toEqual([
      {
        callId: `preview-${Date.parse('2026-11-24T09:01:00.000Z')}`,
        remote: AGENT,
        outcome: 'declined',
        offeredAt: '2026-11-24T09:01:00.000Z',
        endedAt: '2026-11-24T09:01:00.000Z',
        durationMs: 0,
        endReason: 'You declined the call request: “On another call”',
      },
    ]);
    // The chat's messages are untouched: the call preview's text is not a message.
    expect(conversations.get(ID)?.messages.map((m) => m.text)).toEqual(['Can you help?']);
  });

  it('expired, then taken by another KW → two "missed" call records, two entries', () => {
    return withChat().then(({ clock, previews, conversations, log }) => {
      previews.receive(preview(clock, ID, 'Incoming transfer'));
      clock.advance(20_000);
      previews.receive(preview(clock, ID, 'Incoming conference'));
      previews.cancel({ v: 1, type: 'preview-cancel', interactionId: ID, reason: 'taken' }, RP);
      const calls = conversations.get(ID)?.calls ?? [];
      expect(calls.map((c) => [c.outcome, c.endReason])).toEqual([
        ['missed', 'The call request expired before you answered'],
        ['missed', 'Another expert took the call'],
      ]);
      expect(sentences(log)).toEqual([
        'Another expert took the call.',
        'Missed call: the call request expired before you answered.',
      ]);
    });
  });

  it('accepted → no call record from the preview (the call that follows records itself)', async () => {
    const { clock, previews, conversations, log } = await withChat();
    previews.receive(preview(clock, ID, 'Incoming transfer'));
    await previews.accept(ID);
    expect(conversations.get(ID)?.calls ?? []).toEqual([]);
    expect(log.list()).toEqual([]);
  });

  it('a chat preview (no conversation yet) never writes a call record', () => {
    const { clock, previews, conversations } = setup();
    previews.receive(preview(clock));
    clock.advance(20_000);
    expect(conversations.get(ID)).toBeUndefined();
  });
});

describe('calls that rang', () => {
  function call(extra: Partial<CallState> = {}): CallState {
    return {
      callId: 'c-1',
      direction: 'incoming',
      phase: 'ended',
      remote: { uri: 'sip:customer@lab.local', displayName: 'Casey Customer' },
      interactionId: ID,
      escalation: 'transfer',
      context: { subject: 'Invoice dispute', agent: AGENT, userData: {} },
      participants: [],
      muted: false,
      held: false,
      remoteHeld: false,
      offeredAt: Date.parse('2026-11-24T09:05:00Z'),
      endedAt: Date.parse('2026-11-24T09:05:30Z'),
      endReason: 'Not answered in time',
      dtmf: '',
      waiting: false,
      ...extra,
    };
  }

  it('missed → an entry named after the chat’s agent, with the reason', () => {
    const { calls, log } = setup();
    calls.end({ call: call(), outcome: 'missed' });
    expect(log.list()).toEqual([
      expect.objectContaining({
        kind: 'call',
        interactionId: ID,
        agent: AGENT,
        subject: 'Invoice dispute',
        outcome: 'missed',
        offeredAt: '2026-11-24T09:05:00.000Z',
        endedAt: '2026-11-24T09:05:30.000Z',
        seen: false,
      }),
    ]);
    expect(sentences(log)).toEqual(['Missed call. Not answered in time.']);
  });

  it('declined → seen; an ordinary call without a chat is named by its caller', () => {
    const { calls, log } = setup();
    calls.end({
      call: call({
        interactionId: undefined,
        escalation: undefined,
        context: undefined,
        endReason: 'The caller gave up',
      }),
      outcome: 'missed',
    });
    calls.end({ call: call({ endReason: 'You declined' }), outcome: 'declined' });
    expect(log.list().map((r) => [r.agent.displayName, r.subject, describeRequest(r), r.seen])).toEqual([
      ['Alex Agent', 'Invoice dispute', 'You declined the call.', true],
      ['Casey Customer', '', 'Missed call. The caller gave up.', false],
    ]);
  });

  it('answered or failed calls are not requests', () => {
    const { calls, log } = setup();
    calls.end({ call: call({ answeredAt: Date.parse('2026-11-24T09:05:05Z') }), outcome: 'answered' });
    calls.end({ call: call({ endReason: 'Could not connect (SIP Failure Code)' }), outcome: 'failed' });
    expect(log.list()).toEqual([]);
  });
});
