/** Conversations and temp folders for the history tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ChatMessage, Conversation } from '../../../main/core/conversations/model.js';

export const NOW = Date.parse('2026-11-24T00:00:00Z');

export function conversation(
  id: string,
  startedAt: string,
  state: 'active' | 'ended' = 'ended',
): Conversation {
  return {
    interactionId: id,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent' },
    routingPoint: 'sip:billing@lab.local',
    subject: 'Subject <b>x</b>',
    userData: { Case: '1' },
    state,
    startedAt,
    ...(state === 'ended' ? { endedAt: startedAt } : {}),
    messages: [{ id: 'm1', direction: 'in', text: 'héllo 👋', at: startedAt }],
  };
}

/** A change as the conversation service makes it: a new object, unchanged parts shared. */
export function withMessage(c: Conversation, message: ChatMessage): Conversation {
  return { ...c, messages: [...c.messages, message] };
}

export function withDelivery(c: Conversation, id: string, delivery: 'delivered' | 'failed'): Conversation {
  return { ...c, messages: c.messages.map((m) => (m.id === id ? { ...m, delivery } : m)) };
}

/** Temp folders made by the test, removed after each test. */
export function tempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-history-'));
    dirs.push(dir);
    return dir;
  };
}
