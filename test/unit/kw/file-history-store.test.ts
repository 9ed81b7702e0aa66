import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileHistoryStore, type FileHistoryOptions } from '../../../main/core/history/file-history-store.js';
import type { Conversation } from '../../../main/core/conversations/model.js';
import { memoryLogger } from '../../../main/core/log.js';
import { countingFiles } from '../../support/counting-files.js';
import { NOW, conversation, tempDirs, withDelivery, withMessage } from './history-fixtures.js';

const tempDir = tempDirs();

async function store(extra: Partial<FileHistoryOptions> = {}) {
  const dir = extra.dir ?? (await tempDir());
  const log = memoryLogger();
  return { dir, log, store: new FileHistoryStore({ dir, logger: log.logger, now: () => NOW, ...extra }) };
}

/** A new store on the same folder, as after a restart. */
function reopen(dir: string, extra: Partial<FileHistoryOptions> = {}) {
  const log = memoryLogger();
  return { log, store: new FileHistoryStore({ dir, logger: log.logger, now: () => NOW, ...extra }) };
}

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);

describe('FileHistoryStore', () => {
  it('writes one journal per interaction and reads it back after a restart', async () => {
    const { dir, store: s } = await store();
    await s.save(conversation('a-1', '2026-11-20T10:00:00Z'));
    await s.save(conversation('b-2', '2026-11-21T10:00:00Z', 'active'));
    expect((await readdir(dir)).sort()).toEqual(['a-1.jsonl', 'b-2.jsonl']);
    const { conversations, problems } = await reopen(dir).store.loadAll();
    expect(problems).toEqual([]);
    expect(conversations.map((c) => c.interactionId)).toEqual(['b-2', 'a-1']);
    expect(conversations[1]).toEqual(conversation('a-1', '2026-11-20T10:00:00Z'));
  });

  it('appends one line per change, and a restart gives back exactly the last state', async () => {
    const { dir, store: s } = await store();
    let c = conversation('c-3', '2026-11-20T10:00:00Z', 'active');
    await s.save(c);
    c = withMessage(c, { id: 'o1', direction: 'out', text: 'on it', at: c.startedAt, delivery: 'sending' });
    await s.save(c);
    c = withDelivery(c, 'o1', 'delivered');
    await s.save(c);
    c = { ...c, state: 'ended', endedBy: 'me', endedAt: '2026-11-20T10:05:00Z' };
    await s.save(c);
    c = { ...c, calls: [] };
    await s.save(c);
    await s.save(c); // no change: nothing written
    // start + first message, then one line for each of the four changes.
    expect(await lines(join(dir, 'c-3.jsonl'))).toHaveLength(6);
    const { conversations } = await reopen(dir).store.loadAll();
    expect(conversations).toEqual([c]);
  });

  it('keeps the last of rapid writes and leaves no temporary files', async () => {
    const { dir, store: s } = await store();
    const base = conversation('c-3', '2026-11-20T10:00:00Z', 'active');
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.save({ ...base, subject: `v${i}` })));
    expect(await readdir(dir)).toEqual(['c-3.jsonl']);
    const { conversations } = await reopen(dir).store.loadAll();
    expect(conversations[0]?.subject).toBe('v19');
  });

  it('writes bytes in proportion to the change: 2,000 messages cost less than 4 × what they hold', async () => {
    const files = countingFiles();
    const { dir, store: s } = await store({ files });
    let c = conversation('big-1', '2026-11-20T10:00:00Z', 'active');
    await s.save(c);
    for (let i = 0; i < 1000; i += 1) {
      const at = new Date(Date.parse(c.startedAt) + i * 1000).toISOString();
      c = withMessage(c, { id: `in-${i}`, direction: 'in', text: `question ${i}: ${'x'.repeat(80)}`, at });
      await s.save(c);
      c = withMessage(c, { id: `out-${i}`, direction: 'out', text: `answer ${i}`, at, delivery: 'sending' });
      await s.save(c);
      c = withDelivery(c, `out-${i}`, 'delivered');
      await s.save(c);
    }
    // One write per change, each about the size of the change.
    expect(files.writes).toBe(3001);
    expect(files.bytesWritten).toBeLessThan(4 * Buffer.byteLength(JSON.stringify(c)));
    expect((await reopen(dir).store.loadAll()).conversations).toEqual([c]);
  });

  it('rewrites a journal of mostly superseded lines as one snapshot', async () => {
    const files = countingFiles();
    const { dir, store: s } = await store({ files });
    let c: Conversation = conversation('busy-1', '2026-11-20T10:00:00Z', 'active');
    for (let i = 0; i < 400; i += 1) {
      c = { ...c, subject: `${'s'.repeat(400)} ${i}` };
      await s.save(c);
    }
    // Each header change supersedes the last: the journal never grows past twice its state plus 64 KiB.
    const size = (await readFile(join(dir, 'busy-1.jsonl'))).length;
    expect(size).toBeLessThan(2 * 600 + 64 * 1024 + 1024);
    expect(await readdir(dir)).toEqual(['busy-1.jsonl']);
    expect((await reopen(dir).store.loadAll()).conversations).toEqual([c]);
  });

  it('migrates a format-1 file to a journal on load', async () => {
    const dir = await tempDir();
    const old = conversation('old-1', '2026-11-20T10:00:00Z');
    await writeFile(join(dir, 'old-1.json'), JSON.stringify({ version: 1, conversation: old }, null, 1));
    const { conversations, problems } = await reopen(dir).store.loadAll();
    expect(problems).toEqual([]);
    expect(conversations).toEqual([old]);
    expect(await readdir(dir)).toEqual(['old-1.jsonl']);
    expect((await reopen(dir).store.loadAll()).conversations).toEqual([old]);
  });

  it('drops ended conversations beyond the age and count limits, never active ones', async () => {
    const { dir, store: s } = await store({ maxConversations: 2, maxAgeDays: 30 });
    await s.save(conversation('old-1', '2026-09-01T10:00:00Z'));
    await s.save(conversation('old-active', '2026-09-01T10:00:00Z', 'active'));
    await s.save(conversation('n-1', '2026-11-21T10:00:00Z'));
    await s.save(conversation('n-2', '2026-11-22T10:00:00Z'));
    await s.save(conversation('n-3', '2026-11-23T10:00:00Z'));
    const { conversations } = await s.loadAll();
    expect(conversations.map((c) => c.interactionId).sort()).toEqual(['n-2', 'n-3', 'old-active']);
    expect((await readdir(dir)).sort()).toEqual(['n-2.jsonl', 'n-3.jsonl', 'old-active.jsonl']);
  });

  it('removes temporary files a crash left behind, and keeps the file they were to replace', async () => {
    const { dir, store: s } = await store();
    const c = conversation('t-1', '2026-11-20T10:00:00Z');
    await s.save(c);
    await writeFile(join(dir, 't-1.jsonl.0f6c.tmp'), 'half a snapsh');
    expect((await reopen(dir).store.loadAll()).conversations).toEqual([c]);
    expect(await readdir(dir)).toEqual(['t-1.jsonl']);
  });

  it('refuses an interaction id that is not a safe file name', async () => {
    const { store: s } = await store();
    await expect(s.save(conversation('../../etc/passwd', '2026-11-20T10:00:00Z'))).rejects.toThrow(
      /safe file name/,
    );
  });
});

describe('FileHistoryStore: files that cannot be trusted', () => {
  it('sets an unreadable file aside with the reason, reports it, and loads the rest', async () => {
    const { dir, store: s } = await store();
    await s.save(conversation('good-1', '2026-11-20T10:00:00Z'));
    await writeFile(join(dir, 'bad-1.json'), '{"version":1,"conversation":{"trunc');
    await writeFile(
      join(dir, 'bad-2.json'),
      JSON.stringify({ version: 1, conversation: { interactionId: 5 } }),
    );
    await writeFile(join(dir, 'bad-3.jsonl'), 'not a journal\n');
    const again = reopen(dir);
    const { conversations, problems } = await again.store.loadAll();
    expect(conversations.map((c) => c.interactionId)).toEqual(['good-1']);
    expect(problems.map((p) => p.file.split('/').pop()).sort()).toEqual([
      'bad-1.json',
      'bad-2.json',
      'bad-3.jsonl',
    ]);
    expect(problems.every((p) => p.movedTo?.includes('/corrupt/'))).toBe(true);
    const aside = await readdir(join(dir, 'corrupt'));
    expect(aside.filter((n) => n.endsWith('.reason.txt'))).toHaveLength(3);
    const note = aside.find((n) => n.startsWith('bad-3.jsonl.') && n.endsWith('.reason.txt')) ?? '';
    expect(await readFile(join(dir, 'corrupt', note), 'utf8')).toMatch(/checksum/);
    expect((await readdir(dir)).sort()).toEqual(['corrupt', 'good-1.jsonl']);
    expect(again.log.records.filter((r) => r.level === 'warn' && r.msg.includes('set aside'))).toHaveLength(
      3,
    );
  });

  it('sets aside a file whose name does not match its interaction id', async () => {
    const dir = await tempDir();
    const real = conversation('real-1', '2026-11-20T10:00:00Z');
    const { store: writer } = reopen(dir);
    await writer.save(real);
    // Another conversation's content under real-1's name, and real-1's content under another name.
    const impostor = { ...conversation('other-9', '2026-11-23T10:00:00Z'), subject: 'impostor' };
    await writeFile(join(dir, 'evil.json'), JSON.stringify({ version: 1, conversation: real }));
    await writeFile(join(dir, 'real-2.json'), JSON.stringify({ version: 1, conversation: impostor }));
    const { conversations, problems } = await reopen(dir).store.loadAll();
    expect(conversations).toEqual([real]);
    expect(problems.map((p) => [p.file.split('/').pop(), p.error]).sort()).toEqual([
      ['evil.json', 'its interaction id real-1 does not match the file name'],
      ['real-2.json', 'its interaction id other-9 does not match the file name'],
    ]);
  });

  it('treats invalid UTF-8 as a corrupt file: it never replaces the real conversation', async () => {
    const dir = await tempDir();
    const real = conversation('dup-1', '2026-11-20T10:00:00Z');
    await reopen(dir).store.save(real);
    const text = JSON.stringify({
      version: 1,
      conversation: { ...real, subject: 'XX', startedAt: '2026-11-23T10:00:00Z' },
    });
    const bytes = Buffer.from(text, 'utf8');
    bytes.set([0xc3, 0x28], text.indexOf('XX')); // an invalid two-byte sequence
    await writeFile(join(dir, 'dup-1.json'), bytes);
    const { conversations, problems } = await reopen(dir).store.loadAll();
    expect(conversations).toEqual([real]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.error).toMatch(/unreadable: .*utf-8/i);
    expect(problems[0]?.movedTo).toContain('/corrupt/dup-1.json.');
  });

  it('keeps the newest of two valid files of one interaction and sets the other aside', async () => {
    const dir = await tempDir();
    const older = conversation('two-1', '2026-11-20T10:00:00Z', 'active');
    const newer = withMessage(older, {
      id: 'm2',
      direction: 'in',
      text: 'later',
      at: '2026-11-20T11:00:00Z',
    });
    await reopen(dir).store.save(newer);
    await writeFile(join(dir, 'two-1.json'), JSON.stringify({ version: 1, conversation: older }));
    const first = await reopen(dir).store.loadAll();
    expect(first.conversations).toEqual([newer]);
    expect(first.problems.map((p) => p.error)).toEqual([
      `a newer copy of interaction two-1 is in ${join(dir, 'two-1.jsonl')}`,
    ]);

    // The other way round: the format-1 file is newer, so it wins and becomes the journal.
    const dir2 = await tempDir();
    await reopen(dir2).store.save(older);
    await writeFile(join(dir2, 'two-1.json'), JSON.stringify({ version: 1, conversation: newer }));
    const second = await reopen(dir2).store.loadAll();
    expect(second.conversations).toEqual([newer]);
    expect(second.problems.map((p) => p.file)).toEqual([join(dir2, 'two-1.jsonl')]);
    expect((await reopen(dir2).store.loadAll()).conversations).toEqual([newer]);
  });
});
