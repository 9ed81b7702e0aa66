/**
 * When the agent is gone (issue 12): a 481 to a chat message means the agent's
 * app no longer has the interaction (the chat ends, the routing point is told),
 * 480/404 that the agent is offline (marked until they are back); a timeout or
 * a message never sent says nothing about the agent. The KW reads sentences;
 * the status line is the detail.
 */
import { describe, expect, it } from 'vitest';
import { ConversationService } from '../../../main/core/conversations/conversation-service.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { SipRequestError, type FinalResponse } from '../../../main/core/sip/request.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { Preview } from '../../../wire/control.js';
import { FakeClock } from '../../support/fake-clock.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';

const ID = '11111111-1111-4111-8111-111111111111';
const AGENT = { uri: 'sip:agent1@lab.local', displayName: 'Agent One' };
const RP = 'sip:billing@lab.local';

/** A final response from the network (SipRequestError without one is a local failure). */
const response = (status: number, reason: string): FinalResponse => ({
  status,
  reason,
  header: () => undefined,
});
const fromNetwork = (status: number, reason: string) =>
  new SipRequestError(status, reason, response(status, reason));

function setup() {
  const clock = new FakeClock();
  const failures: Error[] = [];
  const control: Array<{ target: string; type: string; reason: unknown }> = [];
  const history = new MemoryHistoryStore();
  const service = new ConversationService({
    transport: {
      sendMessage: () => {
        const f = failures.shift();
        return f ? Promise.reject(f) : Promise.resolve({ status: 200, reason: 'OK' });
      },
    },
    control: {
      send: (target, type, fields) => {
        control.push({ target, type, reason: (fields as { reason?: unknown }).reason });
        return Promise.resolve();
      },
    },
    history,
    logger: memoryLogger().logger,
    clock,
    trustedRoutingPoints: new TrustedRoutingPoints([RP]),
  });
  const preview: Preview = {
    v: 1,
    type: 'preview',
    interactionId: ID,
    agent: AGENT,
    routingPoint: RP,
    subject: 'Refund',
    text: 'hi',
    userData: {},
    expiresAt: '2030-01-01T00:00:00Z',
  };
  service.open(preview);
  return { service, control, history, failNext: (e: Error) => failures.push(e) };
}

describe('the agent is gone', () => {
  it('481 from the agent: the message says they left, the chat ends, the routing point is told', async () => {
    const { service, control, failNext } = setup();
    failNext(fromNetwork(481, 'Interaction Does Not Exist'));
    const m = await service.send(ID, 'still there?');
    expect(m).toMatchObject({
      delivery: 'failed',
      error: 'The agent has left this chat.',
      errorDetail: '481 Interaction Does Not Exist',
    });
    expect(service.get(ID)).toMatchObject({ state: 'ended', endedBy: 'agent' });
    expect(control).toEqual([{ target: RP, type: 'end', reason: 'agent-gone' }]);
    await expect(service.send(ID, 'hello?')).rejects.toThrow(/ended/);
  });

  it('480 or 404: the agent is offline until they write again', async () => {
    const { service, control, failNext } = setup();
    failNext(fromNetwork(480, 'Temporarily Unavailable'));
    await service.send(ID, 'one');
    const since = service.get(ID)?.agentOfflineSince;
    expect(since).toBeDefined();
    failNext(fromNetwork(404, 'Not Found'));
    const second = await service.send(ID, 'two');
    expect(second.error).toBe('The agent is offline.');
    // Still the first time: "offline since" does not move.
    expect(service.get(ID)).toMatchObject({ state: 'active', agentOfflineSince: since });
    expect(control).toEqual([]);
    expect(service.receiveText(AGENT, ID, 'back!').status).toBe(200);
    expect(service.get(ID)?.agentOfflineSince).toBeUndefined();
  });

  it('offline, then a retried message is delivered: the agent is back', async () => {
    const { service, failNext } = setup();
    failNext(fromNetwork(480, 'Temporarily Unavailable'));
    const failed = await service.send(ID, 'are you there?');
    expect(service.get(ID)?.agentOfflineSince).toBeDefined();
    await service.retry(ID, failed.id);
    expect(service.get(ID)?.agentOfflineSince).toBeUndefined();
  });

  it('no answer or not sent (no response from the network) says nothing about the agent', async () => {
    const { service, control, failNext } = setup();
    failNext(new SipRequestError(408, 'Request Timeout'));
    const timedOut = await service.send(ID, 'a');
    failNext(new SipRequestError(503, 'Connection Error'));
    const notSent = await service.send(ID, 'b');
    expect(timedOut).toMatchObject({
      error: 'No answer came back in time.',
      errorDetail: '408 Request Timeout',
    });
    expect(notSent.error).toBe('KW Desktop is not connected to the server, so it could not be sent.');
    expect(service.get(ID)).toMatchObject({ state: 'active' });
    expect(service.get(ID)?.agentOfflineSince).toBeUndefined();
    expect(control).toEqual([]);
  });

  it('the offline mark and the sentences are kept in history', async () => {
    const { service, history, failNext } = setup();
    failNext(fromNetwork(480, 'Temporarily Unavailable'));
    await service.send(ID, 'x');
    const saved = (await history.loadAll()).conversations.find((c) => c.interactionId === ID);
    expect(saved?.agentOfflineSince).toBeDefined();
    expect(saved?.messages.at(-1)).toMatchObject({
      error: 'The agent is offline.',
      errorDetail: '480 Temporarily Unavailable',
    });
  });
});
