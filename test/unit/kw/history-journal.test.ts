/**
 * The journal survives a crash in the middle of a write: cut the file at every
 * byte of its last record and load it, and you get the state before that
 * record, never an error, never an earlier message lost.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import { decodeJournal, encodeEntry } from '../../../main/core/history/journal-format.js';
import { changesBetween, snapshotEntries } from '../../../main/core/history/journal-diff.js';
import { replayJournal } from '../../../main/core/history/journal-replay.js';
import type { Conversation } from '../../../main/core/conversations/model.js';
import type { JournalEntry } from '../../../main/core/history/conversation-schema.js';
import { memoryLogger } from '../../../main/core/log.js';
import { NOW, conversation, tempDirs, withDelivery, withMessage } from './history-fixtures.js';

const tempDir = tempDirs();

function open(dir: string) {
  const log = memoryLogger();
  return { log, store: new FileHistoryStore({ dir, logger: log.logger, now: () => NOW }) };
}

/** A chat of a few changes; the last one adds a message with multi-byte characters. */
function history(): Conversation[] {
  const states: Conversation[] = [conversation('ix-1', '2026-11-20T10:00:00Z', 'active')];
  const last = () => states[states.length - 1] as Conversation;
  const at = '2026-11-20T10:01:00Z';
  states.push(withMessage(last(), { id: 'o1', direction: 'out', text: 'looking', at, delivery: 'sending' }));
  states.push(withDelivery(last(), 'o1', 'delivered'));
  states.push(withMessage(last(), { id: 'i2', direction: 'in', text: 'Grüße aus Köln — 👋🏽 ✓', at }));
  return states;
}

describe('history journal: a crash while writing', () => {
  it('loads the state before the last record for a cut at every byte of it', async () => {
    const dir = await tempDir();
    const states = history();
    const { store } = open(dir);
    for (const s of states) await store.save(s);
    const whole = await readFile(join(dir, 'ix-1.jsonl'));
    const lastStart = whole.subarray(0, whole.length - 1).lastIndexOf(0x0a) + 1;
    const before = states[states.length - 2];
    for (let cut = lastStart; cut <= whole.length; cut += 1) {
      const crashed = await tempDir();
      await writeFile(join(crashed, 'ix-1.jsonl'), whole.subarray(0, cut));
      const { conversations, problems } = await open(crashed).store.loadAll();
      expect(problems, `cut at ${cut}`).toEqual([]);
      expect(conversations, `cut at ${cut}`).toEqual([cut === whole.length ? states.at(-1) : before]);
      // The torn line is gone from disk too: later appends never follow half a line.
      const again = await open(crashed).store.loadAll();
      expect(again.conversations, `cut at ${cut}, reloaded`).toEqual(conversations);
      expect(await readdir(crashed)).toEqual(['ix-1.jsonl']);
    }
    // A few hundred file rewrites: slow on a loaded 2-core machine, and no time is what it tests.
  }, 30_000);

  it('keeps appending after a torn record was dropped', async () => {
    const dir = await tempDir();
    const states = history();
    const { store } = open(dir);
    for (const s of states) await store.save(s);
    const whole = await readFile(join(dir, 'ix-1.jsonl'));
    await writeFile(join(dir, 'ix-1.jsonl'), whole.subarray(0, whole.length - 7));
    const restarted = open(dir);
    const [loaded] = (await restarted.store.loadAll()).conversations;
    expect(loaded).toEqual(states[states.length - 2]);
    expect(restarted.log.records.some((r) => r.level === 'warn' && r.msg.includes('cut short'))).toBe(true);
    const next = withMessage(loaded as Conversation, {
      id: 'i3',
      direction: 'in',
      text: 'again',
      at: new Date(NOW).toISOString(),
    });
    await restarted.store.save(next);
    expect((await open(dir).store.loadAll()).conversations).toEqual([next]);
  });
});

describe('history journal: damage', () => {
  it('keeps the lines before a damaged one, sets the file aside as it was, and says so', async () => {
    const dir = await tempDir();
    const states = history();
    const { store } = open(dir);
    for (const s of states) await store.save(s);
    const original = await readFile(join(dir, 'ix-1.jsonl'), 'utf8');
    const lines = original.split('\n');
    // Line 3 (the outgoing message) flipped on disk: its checksum no longer matches.
    lines[2] = (lines[2] ?? '').replace('looking', 'lookinG');
    await writeFile(join(dir, 'ix-1.jsonl'), lines.join('\n'));
    const { conversations, problems } = await open(dir).store.loadAll();
    expect(conversations).toEqual([states[0]]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.error).toBe('line 3: its checksum does not match; the 2 lines before it were kept');
    const aside = problems[0]?.movedTo ?? '';
    expect(await readFile(aside, 'utf8')).toBe(lines.join('\n'));
    expect((await open(dir).store.loadAll()).problems).toEqual([]);
  });

  it('refuses lines that do not fit the journal they are in', () => {
    const c = conversation('ix-1', '2026-11-20T10:00:00Z');
    const [message] = c.messages;
    if (!message) throw new Error('the fixture has a message');
    const text = (entries: JournalEntry[]) => Buffer.from(entries.map(encodeEntry).join(''));
    const gap = decodeJournal(text([...snapshotEntries(c), { k: 'msg', i: 5, m: message }]));
    expect(replayJournal(gap.lines, 'ix-1').damaged).toEqual({
      line: 3,
      reason: 'message 5 comes with no message 4 before it',
    });
    const noStart = decodeJournal(text([{ k: 'msg', i: 0, m: message }]));
    expect(replayJournal(noStart.lines, 'ix-1').conversation).toBeUndefined();
    const other = decodeJournal(text(snapshotEntries(c)));
    expect(replayJournal(other.lines, 'ix-2').damaged?.reason).toBe(
      'its interaction id ix-1 does not match the file name',
    );
  });

  it('writes the smallest change: one line for a new message, one for a delivery', () => {
    const [first, sent, delivered] = history();
    if (!first || !sent || !delivered) throw new Error('the fixture has three states');
    expect(changesBetween(first, sent)).toEqual([{ k: 'msg', i: 1, m: sent.messages[1] }]);
    expect(changesBetween(sent, delivered)).toEqual([{ k: 'msg', i: 1, m: delivered.messages[1] }]);
    const ended = { ...delivered, state: 'ended' as const, endedAt: '2026-11-20T10:09:00Z' };
    expect(changesBetween(delivered, ended).map((e) => e.k)).toEqual(['header']);
    // Something the service never does (a message removed) starts the journal over rather than guess.
    const shorter = { ...ended, messages: ended.messages.slice(1) };
    expect(changesBetween(ended, shorter)[0]?.k).toBe('start');
  });
});
