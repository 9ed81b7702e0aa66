/**
 * History at rest is encrypted (AES-256-GCM per record, the file name as
 * associated data): no file under history/ holds the conversation in plain
 * text, a new store with the same key reads it back, a wrong key sets the
 * files aside (never deleted) and starts empty, a torn last record is dropped,
 * and history from before encryption is read and written again encrypted.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import { SealedHistoryFiles } from '../../../main/core/history/sealed-history-files.js';
import type { HistoryKeyLoad } from '../../../main/core/history/history-key.js';
import { encodeEntry } from '../../../main/core/history/journal-format.js';
import { snapshotEntries } from '../../../main/core/history/journal-diff.js';
import { FileRequestStore } from '../../../main/core/requests/file-request-store.js';
import type { RequestRecord } from '../../../main/core/requests/request-record.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { Conversation } from '../../../main/core/conversations/model.js';
import { NOW, conversation, tempDirs, withMessage } from './history-fixtures.js';

const tempDir = tempDirs();
const PHRASE = 'the-blue-heron-flies-at-midnight';
const AGENT = 'sip:agent1@lab.local';

function ready(key = randomBytes(32)): HistoryKeyLoad {
  return { state: 'ready', key };
}

function open(dir: string, key: HistoryKeyLoad) {
  const log = memoryLogger();
  const files = new SealedHistoryFiles(key);
  return { log, files, store: new FileHistoryStore({ dir, logger: log.logger, now: () => NOW, files }) };
}

function secretChat(id = 'ix-secret'): Conversation {
  const c: Conversation = {
    ...conversation(id, '2026-11-20T10:00:00Z', 'active'),
    userData: { CustomerName: 'Marguerite Yourcenar', Account: 'ACC-778899' },
  };
  return withMessage(c, { id: 'o1', direction: 'out', text: `say ${PHRASE}`, at: '2026-11-20T10:01:00Z' });
}

/** Every file under `dir`, recursively, with its raw bytes. */
async function allFiles(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await allFiles(path)));
    else out.push({ path, text: (await readFile(path)).toString('latin1') });
  }
  return out;
}

function request(): RequestRecord {
  return {
    id: 'r1',
    kind: 'chat',
    interactionId: 'ix-req',
    agent: { uri: AGENT, displayName: 'Agent' },
    routingPoint: 'sip:billing@lab.local',
    subject: `about ${PHRASE}`,
    outcome: 'taken',
    offeredAt: '2026-11-20T10:00:00Z',
    endedAt: '2026-11-20T10:00:20Z',
    seen: false,
  };
}

describe('history encrypted at rest', () => {
  it('holds no plain text on disk, and a new store with the same key reads it back', async () => {
    const dir = await tempDir();
    const key = ready();
    const { store } = open(dir, key);
    await store.loadAll();
    const chat = secretChat();
    await store.save(chat);
    await store.save(
      withMessage(chat, { id: 'i2', direction: 'in', text: 'ok', at: '2026-11-20T10:02:00Z' }),
    );
    await store.flushed();

    const files = await allFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const { path, text } of files) {
      for (const secret of [PHRASE, AGENT, 'Marguerite', 'ACC-778899', 'interactionId'])
        expect(text, `${path} holds ${secret}`).not.toContain(secret);
      expect(
        text
          .split('\n')
          .filter(Boolean)
          .every((l) => l.startsWith('enc1:')),
        path,
      ).toBe(true);
    }

    const again = await open(dir, key).store.loadAll();
    expect(again.problems).toEqual([]);
    expect(again.conversations).toHaveLength(1);
    expect(again.conversations[0]?.messages.map((m) => m.text)).toEqual(['héllo 👋', `say ${PHRASE}`, 'ok']);
    expect(again.conversations[0]?.userData).toEqual(chat.userData);
  });

  it('gives every record a fresh IV: the same change twice is two different lines', async () => {
    const dir = await tempDir();
    const key = ready();
    const files = new SealedHistoryFiles(key);
    await files.replace(join(dir, 'a.jsonl'), 'same\nsame\n');
    const lines = (await readFile(join(dir, 'a.jsonl'), 'utf8')).split('\n');
    expect(lines[0]).not.toBe(lines[1]);
    expect(Buffer.from(await files.read(join(dir, 'a.jsonl'))).toString()).toBe('same\nsame\n');
  });

  it('binds a record to its file: a journal copied under another name does not decrypt', async () => {
    const dir = await tempDir();
    const key = ready();
    const { store } = open(dir, key);
    await store.loadAll();
    await store.save(secretChat('ix-a'));
    await store.flushed();
    await rename(join(dir, 'ix-a.jsonl'), join(dir, 'ix-b.jsonl'));

    const { store: next } = open(dir, key);
    const { conversations } = await next.loadAll();
    expect(conversations).toEqual([]);
    expect(next.status().unreadable?.files).toBe(1);
  });

  it('with another key: the files are set aside (not deleted), history starts empty, the status says so', async () => {
    const dir = await tempDir();
    const { store } = open(dir, ready());
    await store.loadAll();
    await store.save(secretChat());
    await store.flushed();
    const before = await readFile(join(dir, 'ix-secret.jsonl'));

    const { store: other, log } = open(dir, {
      state: 'replaced',
      key: randomBytes(32),
      reason: 'the key that protects it is missing',
    });
    const loaded = await other.loadAll();
    expect(loaded.conversations).toEqual([]);
    const unreadable = other.status().unreadable;
    expect(unreadable).toMatchObject({ reason: 'the key that protects it is missing', files: 1 });
    expect(unreadable?.folder).toMatch(/unreadable-2026-11-24-000000$/);
    expect(await readFile(join(unreadable?.folder ?? '', 'ix-secret.jsonl'))).toEqual(before);
    expect(await readFile(join(unreadable?.folder ?? '', 'why.reason.txt'), 'utf8')).toContain(
      'kept, not deleted',
    );
    expect(await readdir(dir)).not.toContain('ix-secret.jsonl');
    expect(log.records.some((r) => r.level === 'warn' && /cannot be decrypted/.test(r.msg))).toBe(true);

    // The new key writes new history: it is saved, and read back by that key.
    await other.save(secretChat('ix-new'));
    await other.flushed();
    expect(other.status().saving).toBe(true);
  });

  it('with no key at all: nothing is written, the status says why, encrypted files are set aside', async () => {
    const dir = await tempDir();
    const { store } = open(dir, ready());
    await store.loadAll();
    await store.save(secretChat());
    await store.flushed();

    const { store: none } = open(dir, {
      state: 'unavailable',
      reason: 'the system keystore is not available',
    });
    expect((await none.loadAll()).conversations).toEqual([]);
    await none.save(secretChat('ix-2'));
    const status = none.status();
    expect(status.saving).toBe(false);
    expect(status.problem).toMatch(/History can't be saved: this computer offers no safe place for the key/);
    expect(status.unreadable?.reason).toBe('the system keystore is not available');
    expect(await readdir(dir)).not.toContain('ix-2.jsonl');
  });

  it('drops a torn last encrypted record and keeps every one before it', async () => {
    const dir = await tempDir();
    const key = ready();
    const { store } = open(dir, key);
    await store.loadAll();
    const chat = secretChat();
    await store.save(chat);
    await store.flushed();
    const file = join(dir, 'ix-secret.jsonl');
    const whole = await readFile(file, 'utf8');
    // A record cut short by a crash: half of a sealed line, no newline.
    const sealed = whole.split('\n')[0] ?? '';
    await appendFile(file, sealed.slice(0, 40));

    const { store: reopened, log } = open(dir, key);
    const { conversations, problems } = await reopened.loadAll();
    expect(problems).toEqual([]);
    expect(conversations[0]?.messages).toEqual(chat.messages);
    expect(log.records.some((r) => /cut short/.test(r.msg))).toBe(true);
    await reopened.flushed();
    // Rewritten whole without the torn record.
    expect((await readFile(file, 'utf8')).endsWith('\n')).toBe(true);
    expect(whole.length).toBeGreaterThan(0);
  });

  it('treats a damaged record after good ones as damage: the lines before it are kept, a copy goes to corrupt/', async () => {
    const dir = await tempDir();
    const key = ready();
    const { store } = open(dir, key);
    await store.loadAll();
    const chat = secretChat();
    await store.save(chat);
    await store.save(
      withMessage(chat, { id: 'i2', direction: 'in', text: 'later', at: '2026-11-20T10:02:00Z' }),
    );
    await store.flushed();
    const file = join(dir, 'ix-secret.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const last = lines.length - 2;
    lines[last] = `${lines[last]?.slice(0, -6) ?? ''}AAAAA=`;
    await writeFile(file, lines.join('\n'));

    const { store: reopened } = open(dir, key);
    const { conversations, problems } = await reopened.loadAll();
    expect(conversations[0]?.messages.map((m) => m.id)).toEqual(['m1', 'o1']);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.movedTo).toContain('corrupt');
    expect(reopened.status().unreadable).toBeUndefined();
  });

  it('migrates history from before: plain journals and format-1 files are read, then written encrypted', async () => {
    const dir = await tempDir();
    const journal = secretChat('ix-plain');
    await writeFile(join(dir, 'ix-plain.jsonl'), snapshotEntries(journal).map(encodeEntry).join(''));
    const old = secretChat('ix-v1');
    await writeFile(join(dir, 'ix-v1.json'), JSON.stringify({ version: 1, conversation: old }, null, 2));
    await mkdir(join(dir, 'requests'));
    await writeFile(
      join(dir, 'requests', 'requests.json'),
      `${JSON.stringify({ v: 1, requests: [request()] })}\n`,
    );

    const key = ready();
    const { store, files } = open(dir, key);
    const { conversations } = await store.loadAll();
    expect(conversations.map((c) => c.interactionId).sort()).toEqual(['ix-plain', 'ix-v1']);
    const requests = new FileRequestStore({
      dir: join(dir, 'requests'),
      logger: memoryLogger().logger,
      files,
    });
    const records = await requests.load();
    expect(records).toHaveLength(1);
    await store.flushed();

    for (const { path, text } of await allFiles(dir)) {
      expect(text, path).not.toContain(PHRASE);
      expect(text, path).not.toContain(AGENT);
    }
    expect(await readdir(dir)).not.toContain('ix-v1.json');
    const again = await open(dir, key).store.loadAll();
    expect(again.conversations.map((c) => c.messages.at(-1)?.text)).toEqual([
      `say ${PHRASE}`,
      `say ${PHRASE}`,
    ]);
    const reread = await new FileRequestStore({
      dir: join(dir, 'requests'),
      logger: memoryLogger().logger,
      files: new SealedHistoryFiles(key),
    }).load();
    expect(reread).toEqual(records);
  });

  it('sets aside a requests file encrypted with another key, and starts an empty list', async () => {
    const dir = await tempDir();
    const mine = new FileRequestStore({
      dir,
      logger: memoryLogger().logger,
      files: new SealedHistoryFiles(ready()),
    });
    await mine.save([request()]);
    const other = new FileRequestStore({
      dir,
      logger: memoryLogger().logger,
      files: new SealedHistoryFiles(ready()),
      now: () => NOW,
    });
    expect(await other.load()).toEqual([]);
    expect((await readdir(dir)).some((n) => n.endsWith('.unreadable'))).toBe(true);
  });
});
