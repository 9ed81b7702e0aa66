import { describe, expect, it } from 'vitest';
import { PreviewInbox, PreviewError } from '../../../main/core/previews/preview-inbox.js';
import type { ControlSender } from '../../../main/core/previews/control-sender.js';
import type { Preview } from '../../../wire/control.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeClock } from '../../support/fake-clock.js';

function preview(clock: FakeClock, id: string, inMs = 20_000): Preview {
  return {
    v: 1,
    type: 'preview',
    interactionId: id,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
    routingPoint: 'sip:billing@lab.local',
    subject: 'Refund',
    text: 'Can you help?',
    userData: { CaseNumber: '42' },
    expiresAt: new Date(clock.now() + inMs).toISOString(),
  };
}

const ID1 = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';

function setup(fail?: Error) {
  const clock = new FakeClock();
  const sent: Array<{ target: string; type: string; fields: unknown }> = [];
  const sender: ControlSender = {
    send: (target, type, fields) => {
      sent.push({ target, type, fields });
      return fail ? Promise.reject(fail) : Promise.resolve();
    },
  };
  const inbox = new PreviewInbox({ sender, logger: memoryLogger().logger, clock, maxPending: 2 });
  const removed: Array<{ id: string; kind: string }> = [];
  inbox.on('removed', (r) => removed.push({ id: r.interactionId, kind: r.end.kind }));
  return { clock, sent, inbox, removed };
}

describe('PreviewInbox', () => {
  it('keeps several previews in arrival order', () => {
    const { clock, inbox } = setup();
    expect(inbox.receive(preview(clock, ID1)).status).toBe(200);
    expect(inbox.receive(preview(clock, ID2)).status).toBe(200);
    expect(inbox.list().map((p) => p.preview.interactionId)).toEqual([ID1, ID2]);
  });

  it('refuses a preview that has already expired, and changes nothing', () => {
    const { clock, inbox } = setup();
    expect(inbox.receive(preview(clock, ID1, -1))).toEqual({
      status: 400,
      reason: 'Preview Already Expired',
    });
    expect(inbox.list()).toEqual([]);
  });

  it('refuses more pending previews than its limit with 486', () => {
    const { clock, inbox } = setup();
    inbox.receive(preview(clock, ID1));
    inbox.receive(preview(clock, ID2));
    expect(inbox.receive(preview(clock, '33333333-3333-4333-8333-333333333333')).status).toBe(486);
    expect(inbox.list()).toHaveLength(2);
  });

  it('expires a preview locally at expiresAt', () => {
    const { clock, inbox, removed } = setup();
    inbox.receive(preview(clock, ID1, 5000));
    clock.advance(4999);
    expect(inbox.list()).toHaveLength(1);
    clock.advance(1);
    expect(inbox.list()).toHaveLength(0);
    expect(removed).toEqual([{ id: ID1, kind: 'expired' }]);
  });

  it('accept sends preview-answer accept to the routing point and emits accepted', async () => {
    const { clock, inbox, sent, removed } = setup();
    inbox.receive(preview(clock, ID1));
    const accepted: string[] = [];
    inbox.on('accepted', (p) => accepted.push(p.interactionId));
    await inbox.accept(ID1);
    expect(sent).toEqual([
      {
        target: 'sip:billing@lab.local',
        type: 'preview-answer',
        fields: { interactionId: ID1, decision: 'accept' },
      },
    ]);
    expect(accepted).toEqual([ID1]);
    expect(removed).toEqual([{ id: ID1, kind: 'accepted' }]);
    expect(clock.pending).toBe(0);
  });

  it('decline carries the optional reason', async () => {
    const { clock, inbox, sent } = setup();
    inbox.receive(preview(clock, ID1));
    await inbox.decline(ID1, 'in a meeting');
    expect(sent[0]?.fields).toEqual({ interactionId: ID1, decision: 'decline', reason: 'in a meeting' });
  });

  it('answering a preview that is gone is an error', async () => {
    const { inbox } = setup();
    await expect(inbox.accept(ID1)).rejects.toBeInstanceOf(PreviewError);
  });

  it('a refused answer removes the preview and reports why', async () => {
    const { clock, inbox, removed } = setup(new Error('481 Call/Transaction Does Not Exist'));
    inbox.receive(preview(clock, ID1));
    await expect(inbox.accept(ID1)).rejects.toThrow(/did not take the answer: 481/);
    expect(removed).toEqual([{ id: ID1, kind: 'failed' }]);
  });

  it('preview-cancel from the offering routing point removes it; from anyone else it is refused', () => {
    const { clock, inbox, removed } = setup();
    inbox.receive(preview(clock, ID1));
    const cancel = { v: 1, type: 'preview-cancel', interactionId: ID1, reason: 'taken' } as const;
    expect(inbox.cancel(cancel, 'sip:evil@lab.local').status).toBe(403);
    expect(inbox.list()).toHaveLength(1);
    expect(inbox.cancel(cancel, '<sip:billing@lab.local>;tag=x').status).toBe(200);
    expect(removed).toEqual([{ id: ID1, kind: 'cancelled' }]);
    // A cancel that crosses the end of the preview here is answered 200 and reported.
    const late: string[] = [];
    inbox.on('late-cancel', (c) => late.push(c.reason));
    expect(inbox.cancel(cancel, 'sip:billing@lab.local').status).toBe(200);
    expect(late).toEqual(['taken']);
    expect(inbox.cancel({ ...cancel, interactionId: ID2 }, 'sip:billing@lab.local').status).toBe(481);
  });

  it('a repeated preview for the same interaction is accepted once', () => {
    const { clock, inbox } = setup();
    inbox.receive(preview(clock, ID1));
    expect(inbox.receive(preview(clock, ID1)).status).toBe(200);
    expect(inbox.list()).toHaveLength(1);
  });
});
