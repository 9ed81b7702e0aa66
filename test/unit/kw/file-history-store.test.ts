import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import type { Conversation } from '../../../main/core/conversations/model.js';
import { memoryLogger } from '../../../main/core/log.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function store(extra: Partial<ConstructorParameters<typeof FileHistoryStore>[0]> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kw-history-'));
  dirs.push(dir);
  const log = memoryLogger();
  return { dir, log, store: new FileHistoryStore({ dir, logger: log.logger, ...extra }) };
}

function conversation(id: string, startedAt: string, state: 'active' | 'ended' = 'ended'): Conversation {
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

describe('FileHistoryStore', () => {
  it('writes one file per interaction and reads it back after a restart', async () => {
    const { dir, store: s } = await store();
    await s.save(conversation('a-1', '2026-11-20T10:00:00Z'));
    await s.save(conversation('b-2', '2026-11-21T10:00:00Z', 'active'));
    expect((await readdir(dir)).sort()).toEqual(['a-1.json', 'b-2.json']);
    const again = new FileHistoryStore({
      dir,
      logger: memoryLogger().logger,
      now: () => Date.parse('2026-11-24T00:00:00Z'),
    });
    const { conversations, problems } = await again.loadAll();
    expect(problems).toEqual([]);
    expect(conversations.map((c) => c.interactionId)).toEqual(['b-2', 'a-1']);
    expect(conversations[1]?.messages[0]?.text).toBe('héllo 👋');
  });

  it('leaves no temporary files and keeps the last of rapid writes', async () => {
    const { dir, store: s } = await store();
    const base = conversation('c-3', '2026-11-20T10:00:00Z', 'active');
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.save({ ...base, subject: `v${i}` })));
    expect(await readdir(dir)).toEqual(['c-3.json']);
    const file = JSON.parse(await readFile(join(dir, 'c-3.json'), 'utf8')) as {
      conversation: { subject: string };
    };
    expect(file.conversation.subject).toBe('v19');
  });

  it('sets a corrupt file aside, reports it, and loads the rest', async () => {
    const { dir, store: s, log } = await store({ now: () => Date.parse('2026-11-24T00:00:00Z') });
    await s.save(conversation('good-1', '2026-11-20T10:00:00Z'));
    await writeFile(join(dir, 'bad-1.json'), '{"version":1,"conversation":{"trunc');
    await writeFile(
      join(dir, 'bad-2.json'),
      JSON.stringify({ version: 1, conversation: { interactionId: 5 } }),
    );
    const { conversations, problems } = await s.loadAll();
    expect(conversations.map((c) => c.interactionId)).toEqual(['good-1']);
    expect(problems.map((p) => p.file.split('/').pop()).sort()).toEqual(['bad-1.json', 'bad-2.json']);
    expect(problems.every((p) => p.movedTo?.includes('/corrupt/'))).toBe(true);
    expect((await readdir(join(dir, 'corrupt'))).length).toBe(2);
    expect(log.records.some((r) => r.level === 'warn' && r.msg.includes('set aside'))).toBe(true);
  });

  it('drops ended conversations beyond the age and count limits, never active ones', async () => {
    const { dir, store: s } = await store({
      maxConversations: 2,
      maxAgeDays: 30,
      now: () => Date.parse('2026-11-24T00:00:00Z'),
    });
    await s.save(conversation('old-1', '2026-09-01T10:00:00Z'));
    await s.save(conversation('old-active', '2026-09-01T10:00:00Z', 'active'));
    await s.save(conversation('n-1', '2026-11-21T10:00:00Z'));
    await s.save(conversation('n-2', '2026-11-22T10:00:00Z'));
    await s.save(conversation('n-3', '2026-11-23T10:00:00Z'));
    const { conversations } = await s.loadAll();
    expect(conversations.map((c) => c.interactionId).sort()).toEqual(['n-2', 'n-3', 'old-active']);
    expect((await readdir(dir)).sort()).toEqual(['n-2.json', 'n-3.json', 'old-active.json']);
  });

  it('refuses an interaction id that is not a safe file name', async () => {
    const { store: s } = await store();
    await expect(s.save(conversation('../../etc/passwd', '2026-11-20T10:00:00Z'))).rejects.toThrow(
      /safe file name/,
    );
  });
});
