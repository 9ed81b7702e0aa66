/**
 * The call manager says how each call ended (`ended`, with its outcome) — what
 * the request log records a missed or declined call from — and a call that
 * rang out or was declined is in its chat's timeline as "missed" / "declined".
 * The session and the media port are small named fakes; the real ones run in
 * the integration and e2e suites.
 */
import { describe, expect, it } from 'vitest';
import { CallManager } from '../../../main/core/calls/call-manager.js';
import type { CallSession, EndedEvent } from '../../../main/core/calls/call-session.js';
import type { CallRecord, Conversation } from '../../../main/core/conversations/model.js';
import { noMedia } from '../../../main/core/calls/no-media.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeClock } from '../../support/fake-clock.js';

const ID = '6f1c2a6e-1b0f-4b8e-9a52-2f4a1c9d7e10';

/** A ringing JsSIP session: it only ends (terminated here, or by the caller). */
class FakeRingingSession implements CallSession {
  readonly connection = undefined;
  terminatedWith: { status_code?: number; reason_phrase?: string } | undefined;
  private readonly ended = new Set<(e: EndedEvent) => void>();
  answer(): void {}
  sendStream(): void {}
  terminate(options?: { status_code?: number; reason_phrase?: string }): void {
    this.terminatedWith = options ?? {};
    this.end({ originator: 'local', cause: 'Rejected' });
  }
  mute(): void {}
  unmute(): void {}
  hold(): boolean {
    return false;
  }
  unhold(): boolean {
    return false;
  }
  sendDtmf(): void {}
  onAccepted() {
    return () => undefined;
  }
  onConfirmed() {
    return () => undefined;
  }
  onHold() {
    return () => undefined;
  }
  onConnection() {
    return () => undefined;
  }
  onEnded(l: (e: EndedEvent) => void) {
    this.ended.add(l);
    return () => this.ended.delete(l);
  }
  end(e: EndedEvent): void {
    for (const l of [...this.ended]) l(e);
  }
}

function setup() {
  const clock = new FakeClock();
  const recorded: Array<[string, CallRecord]> = [];
  const chat = { interactionId: ID, subject: 'Invoice dispute' } as Conversation;
  const calls = new CallManager({
    media: { ...noMedia(), available: true },
    conversations: {
      find: (id) => (id === ID ? chat : undefined),
      recordCall: (id, record) => {
        recorded.push([id, record]);
        return true;
      },
    },
    presence: { setInCall: () => undefined, manual: () => 'available' },
    logger: memoryLogger().logger,
    clock,
    ringTimeoutMs: 30_000,
  });
  const ended: Array<{
    outcome: string;
    phase: string;
    reason: string | undefined;
    subject: string | undefined;
  }> = [];
  calls.on('ended', ({ call, outcome }) =>
    ended.push({ outcome, phase: call.phase, reason: call.endReason, subject: call.context?.subject }),
  );
  const ring = (): { session: FakeRingingSession; callId: string } => {
    const session = new FakeRingingSession();
    const raw = `INVITE sip:kw1@lab.local SIP/2.0\r\nX-Interaction-Id: ${ID}\r\nX-Escalation: transfer\r\n\r\n`;
    const decision = calls.decideInvite(
      {
        from: { uri: 'sip:customer@lab.local', displayName: 'Casey' },
        to: 'sip:kw1@lab.local',
        header: () => undefined,
        raw,
      },
      session,
    );
    expect(decision).toEqual({ kind: 'take' });
    const callId = calls.list().at(-1)?.callId ?? '';
    return { session, callId };
  };
  return { clock, calls, recorded, ended, ring };
}

describe('CallManager: how a call ended', () => {
  it('rang out → "ended" with outcome missed, and a "missed" record in the chat', () => {
    const { clock, ended, recorded, ring } = setup();
    const { session } = ring();
    clock.advance(30_000);
    expect(session.terminatedWith).toEqual({ status_code: 480, reason_phrase: 'No Answer' });
    expect(ended).toEqual([
      { outcome: 'missed', phase: 'ended', reason: 'Not answered in time', subject: 'Invoice dispute' },
    ]);
    expect(recorded.map(([id, r]) => [id, r.outcome, r.endReason])).toEqual([
      [ID, 'missed', 'Not answered in time'],
    ]);
  });

  it('declined → outcome declined; the caller gave up → missed', () => {
    const { calls, ended, recorded, ring } = setup();
    const first = ring();
    calls.decline(first.callId);
    expect(first.session.terminatedWith).toEqual({ status_code: 603, reason_phrase: 'Declined' });
    const second = ring();
    second.session.end({ originator: 'remote', cause: 'Canceled' });
    expect(ended.map((e) => [e.outcome, e.reason])).toEqual([
      ['declined', 'You declined'],
      ['missed', 'The caller gave up'],
    ]);
    expect(recorded.map(([, r]) => r.outcome)).toEqual(['declined', 'missed']);
  });
});
