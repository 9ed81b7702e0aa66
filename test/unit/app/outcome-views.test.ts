/**
 * Outcomes reach the renderer as sentences (issue 12): the connection view,
 * delivery errors (also those in history written before, which kept the
 * status line), and a command's error with a status line in it.
 */
import { describe, expect, it } from 'vitest';
import { connectionView } from '../../../main/app/connection-view.js';
import { conversationView } from '../../../main/app/views.js';
import { runCommand } from '../../../main/app/run-command.js';
import type { CommandHandlers } from '../../../main/app/kw-app.js';
import type { Conversation } from '../../../main/core/conversations/model.js';
import { memoryLogger } from '../../../main/core/log.js';
import { COMMAND_NAMES } from '../../../preload/contract.js';

const STATUS_LINE = /\b[1-6]\d\d [A-Z]/;
const ID = '5d0c3a52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';

describe('connection view', () => {
  it('registered: a line naming the server, no problem', () => {
    expect(connectionView({ phase: 'registered', server: 'wss://sip.example', since: 1 })).toEqual({
      phase: 'registered',
      text: 'Registered with wss://sip.example',
    });
  });

  it('not reachable: "Not connected", when it tries again, the sentence and the detail apart', () => {
    const view = connectionView({
      phase: 'retrying',
      retryAt: 42,
      reason: 'the server refused the credentials (403): check user and password',
      problem: {
        kind: 'credentials',
        status: 403,
        detail: 'the server refused the credentials (403): check user and password',
      },
    });
    expect(view).toEqual({
      phase: 'retrying',
      text: 'Not connected',
      retryAt: 42,
      problem: {
        kind: 'credentials',
        sentence: 'The server refused your password. Check it in Settings.',
        detail: 'the server refused the credentials (403): check user and password',
      },
    });
  });

  it('trying again after a failure still says the KW is not reachable; a first attempt does not', () => {
    const problem = { kind: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.1:1' } as const;
    expect(connectionView({ phase: 'connecting', server: 'ws://a', problem })).toMatchObject({
      text: 'Not connected',
      problem: { kind: 'unreachable' },
    });
    expect(connectionView({ phase: 'connecting', server: 'ws://a' })).toEqual({
      phase: 'connecting',
      text: 'Connecting to ws://a…',
    });
  });
});

describe('delivery errors in conversation views', () => {
  const conversation = (messages: Conversation['messages']): Conversation => ({
    interactionId: ID,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
    subject: 'x',
    userData: {},
    state: 'active',
    startedAt: '2026-01-01T10:00:00.000Z',
    messages,
  });
  const out = { direction: 'out', text: 'hi', at: '2026-01-01T10:00:00.000Z', delivery: 'failed' } as const;

  it('the sentence is the error, the status line its detail', () => {
    const view = conversationView(
      conversation([
        { id: 'a', ...out, error: 'The agent has left this chat.', errorDetail: '481 Gone Away' },
      ]),
    );
    expect(view.messages[0]).toMatchObject({
      error: 'The agent has left this chat.',
      errorDetail: '481 Gone Away',
    });
  });

  it('history from before kept the status line as the error: it becomes the detail of a sentence', () => {
    const view = conversationView(
      conversation([
        { id: 'a', ...out, error: '481 Interaction Does Not Exist' },
        { id: 'b', ...out, error: '408 Request Timeout' },
        { id: 'c', ...out, error: 'the SIP agent is not started' },
      ]),
    );
    expect(view.messages.map((m) => [m.error, m.errorDetail])).toEqual([
      ['The agent has left this chat.', '481 Interaction Does Not Exist'],
      ['No answer from the agent.', '408 Request Timeout'],
      ['the SIP agent is not started', undefined],
    ]);
    for (const m of view.messages) expect(m.error).not.toMatch(STATUS_LINE);
  });

  it('an agent offline is in the view', () => {
    const c = { ...conversation([]), agentOfflineSince: '2026-01-01T10:05:00.000Z' };
    expect(conversationView(c).agentOfflineSince).toBe('2026-01-01T10:05:00.000Z');
  });
});

describe('command errors', () => {
  it('a status line in a failed command becomes a sentence; the log keeps it', async () => {
    const log = memoryLogger();
    const handlers = Object.fromEntries(
      COMMAND_NAMES.map((name) => [
        name,
        () => Promise.reject(new Error('the router did not take the answer: 481 Interaction Does Not Exist')),
      ]),
    ) as unknown as CommandHandlers;
    const result = await runCommand(handlers, 'previews.accept', { interactionId: ID }, log.logger, 'main');
    expect(result).toEqual({
      ok: false,
      error: 'the router did not take the answer: this request is no longer open.',
    });
    expect(JSON.stringify(log.records)).toContain('481 Interaction Does Not Exist');
  });
});
