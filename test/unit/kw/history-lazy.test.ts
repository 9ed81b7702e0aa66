/**
 * History stays on disk: at start the store gives the active conversations
 * whole and the ended ones as summaries (what the list shows), and an ended
 * conversation's messages are read from its (encrypted) journal only when it
 * is opened; the last few opened stay whole, older ones go back to summaries.
 * Export of all still reads every conversation whole; a journal damaged on
 * disk after start is still handled (the lines before the damage kept, a copy
 * set aside).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import { SealedHistoryFiles } from '../../../main/core/history/sealed-history-files.js';
import type { HistoryFiles } from '../../../main/core/history/history-files.js';
import { ConversationService, KEEP_ENDED } from '../../../main/core/conversations/conversation-service.js';
import { isWhole } from '../../../main/core/conversations/conversation-summary.js';
import type { Conversation } from '../../../main/core/conversations/model.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';
import { kwCoreFactory } from '../../../main/core/core-factory.js';
import { KwApp } from '../../../main/app/kw-app.js';
import { MemorySecretStore, MemorySettingsStore } from '../../../main/app/ports.js';
import { memoryLogger } from '../../../main/core/log.js';
import { labSettings } from '../../support/lab-settings.js';
import { checkCommand } from '../../../preload/contract.js';
import { NOW, conversation, tempDirs, withMessage } from './history-fixtures.js';
import { FakeClock } from '../../support/fake-clock.js';
import { INDEX_FILE } from '../../../main/core/history/history-index-file.js';
import { appendFile as append, readFile, writeFile } from 'node:fs/promises';
import { PreviewInbox } from '../../../main/core/previews/preview-inbox.js';
import { recordCallPreviewOutcomes } from '../../../main/core/calls/call-preview-outcomes.js';
import { RequestLog } from '../../../main/core/requests/request-log.js';
import { recordRequests, type CallEnded } from '../../../main/core/requests/request-recorder.js';
import { TypedEmitter } from '../../../main/core/events.js';

const tempDir = tempDirs();
const AGENT = { uri: 'sip:agent1@lab.local', displayName: 'Agent' };

/** Sealed files that count the reads of each file: a read is the only way a message reaches memory. */
function countingReads(key: Uint8Array): { files: HistoryFiles; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const sealed = new SealedHistoryFiles({ state: 'ready', key });
  const files: HistoryFiles = Object.assign(Object.create(sealed) as HistoryFiles, {
    read: (path: string) => {
      reads.set(path, (reads.get(path) ?? 0) + 1);
      return sealed.read(path);
    },
  });
  return { files, reads };
}

function longChat(n: number, state: 'active' | 'ended' = 'ended'): Conversation {
  let c = conversation(`ix-${n}`, `2026-11-2${n % 10}T10:00:${String(n).padStart(2, '0')}Z`, state);
  for (let i = 0; i < 5; i += 1)
    c = withMessage(c, { id: `o${i}`, direction: 'out', text: `reply ${i} of chat ${n}`, at: c.startedAt });
  return c;
}

/** History written by a store; `index`: its index file written too (the app writes it 2 s after the last change). */
async function historyOf(chats: readonly Conversation[], key: Uint8Array, index = false): Promise<string> {
  const dir = await tempDir();
  const first = new FileHistoryStore({
    dir,
    logger: memoryLogger().logger,
    now: () => NOW,
    clock: new FakeClock(),
    files: new SealedHistoryFiles({ state: 'ready', key }),
  });
  await first.loadIndex();
  for (const c of chats) await first.save(c);
  await first.flushed();
  if (index) await first.writeIndex();
  return dir;
}

/** `clock`: a clock that never fires unless the test advances it (the index file is written only then). */
function reopen(dir: string, key: Uint8Array, clock = new FakeClock()) {
  const log = memoryLogger();
  const { files, reads } = countingReads(key);
  const store = new FileHistoryStore({
    dir,
    logger: log.logger,
    now: () => NOW,
    files,
    clock,
  });
  const service = new ConversationService({
    transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
    control: { send: () => Promise.resolve() },
    history: store,
    logger: log.logger,
    trustedRoutingPoints: new TrustedRoutingPoints(['sip:billing@lab.local']),
  });
  const readsOf = (id: string) => reads.get(join(dir, `${id}.jsonl`)) ?? 0;
  return { store, service, log, readsOf };
}

describe('history on disk, read when opened', () => {
  it('starts on an index: active chats whole, ended ones as summaries whose messages are not in memory', async () => {
    const key = randomBytes(32);
    const chats = [longChat(1), longChat(2), longChat(3, 'active')];
    const dir = await historyOf(chats, key);
    const { store, service, readsOf } = reopen(dir, key);

    const index = await store.loadIndex();
    expect(index.active).toEqual([chats[2]]);
    expect(index.ended.map((s) => s.interactionId).sort()).toEqual(['ix-1', 'ix-2']);
    const summary = index.ended.find((s) => s.interactionId === 'ix-1');
    expect(summary).toMatchObject({ messageCount: 6, callCount: 0, subject: chats[0]?.subject });
    expect(summary?.lastMessage?.text).toBe('reply 4 of chat 1');
    expect(summary).not.toHaveProperty('messages');
    expect(readsOf('ix-1')).toBe(1);

    // Reading it again goes to the disk: nothing of it was kept.
    expect(await store.read('ix-1')).toEqual(chats[0]);
    expect(readsOf('ix-1')).toBe(2);
    expect(await store.read('ix-3')).toEqual(chats[2]);
    expect(readsOf('ix-3')).toBe(1);
    expect(await store.read('ix-unknown')).toBeUndefined();
    expect(await store.read('../etc/passwd')).toBeUndefined();

    await service.restore();
    const listed = service.list();
    expect(listed.map((c) => [c.interactionId, isWhole(c)])).toEqual([
      ['ix-3', true],
      ['ix-2', false],
      ['ix-1', false],
    ]);
    expect(service.get('ix-1')).toBeUndefined();
    expect(service.has('ix-1')).toBe(true);
  });

  it('the store lets an ended chat go once its journal holds it, keeping only the last few written', async () => {
    const key = randomBytes(32);
    const dir = await tempDir();
    const { files, reads } = countingReads(key);
    const store = new FileHistoryStore({
      dir,
      logger: memoryLogger().logger,
      now: () => NOW,
      files,
      keepEnded: 1,
    });
    await store.loadIndex();
    const active = longChat(1, 'active');
    await store.save(active);
    await store.save(longChat(2));
    await store.save(longChat(3));
    await store.flushed();
    expect(await store.read('ix-1')).toBe(active);
    expect(await store.read('ix-3')).toEqual(longChat(3));
    const journalReads = () => [...reads.keys()].filter((f) => f.endsWith('.jsonl'));
    expect(journalReads()).toEqual([]);
    expect(await store.read('ix-2')).toEqual(longChat(2));
    expect(journalReads()).toEqual([join(dir, 'ix-2.jsonl')]);
  });

  it('opens an ended chat from disk, keeps the last few opened whole and lets older ones go', async () => {
    const key = randomBytes(32);
    const chats = Array.from({ length: KEEP_ENDED + 2 }, (_, i) => longChat(i + 1));
    const dir = await historyOf(chats, key);
    const { service, readsOf } = reopen(dir, key);
    await service.restore();

    expect(await service.read('ix-1')).toEqual(chats[0]);
    expect(service.get('ix-1')).toEqual(chats[0]);
    expect(readsOf('ix-1')).toBe(2);
    await service.read('ix-1'); // kept: no read
    expect(readsOf('ix-1')).toBe(2);

    for (const c of chats.slice(1)) await service.read(c.interactionId);
    expect(service.get('ix-1')).toBeUndefined();
    expect(service.list().find((c) => c.interactionId === 'ix-1')).toMatchObject({ messageCount: 6 });
    expect(service.get(`ix-${KEEP_ENDED + 2}`)).toEqual(chats.at(-1));
    await expect(service.read('ix-none')).rejects.toThrow('no such conversation');
  });

  it('answers for an ended chat on disk as for one in memory: 481 to its agent, 403 to others, sends refused', async () => {
    const key = randomBytes(32);
    const dir = await historyOf([longChat(1)], key);
    const { service, readsOf } = reopen(dir, key);
    await service.restore();
    expect(service.receiveText(AGENT, 'ix-1', 'hello?')).toEqual({
      status: 481,
      reason: 'Conversation Ended',
    });
    expect(service.receiveText({ uri: 'sip:other@lab.local', displayName: undefined }, 'ix-1', 'x')).toEqual({
      status: 403,
      reason: 'Not A Participant',
    });
    expect(service.receiveEnd(AGENT.uri, 'ix-1')).toEqual({ status: 200 });
    await expect(service.send('ix-1', 'hi')).rejects.toThrow('this conversation has ended');
    expect(readsOf('ix-1')).toBe(1);
  });

  it('a call recorded on an ended chat on disk is added to all of it, and a restart reads it back', async () => {
    const key = randomBytes(32);
    const dir = await historyOf([longChat(1)], key);
    const first = reopen(dir, key);
    await first.service.restore();
    const record = {
      callId: 'preview-1',
      remote: { uri: AGENT.uri, displayName: 'Agent' },
      outcome: 'missed' as const,
      offeredAt: '2026-11-21T10:00:00Z',
      endedAt: '2026-11-21T10:00:30Z',
      durationMs: 0,
      endReason: 'Withdrawn before you answered',
    };
    expect(first.service.recordCall('ix-1', record)).toBe(true);
    await expect.poll(() => first.service.get('ix-1')?.calls).toEqual([record]);
    await first.store.flushed();

    const again = reopen(dir, key);
    await again.service.restore();
    expect(await again.service.read('ix-1')).toEqual({ ...longChat(1), calls: [record] });
  });

  it('a call request for an ended chat on disk: a call preview, its end recorded in the chat, the chat heading the call', async () => {
    const key = randomBytes(32);
    const chat = longChat(1);
    const dir = await historyOf([chat], key);
    const { service } = reopen(dir, key);
    await service.restore();
    expect(service.get('ix-1')).toBeUndefined(); // only its summary is in memory
    expect(service.find('ix-1')).toMatchObject({
      subject: chat.subject,
      agent: chat.agent,
      userData: chat.userData,
    });
    const clock = new FakeClock();
    const logger = memoryLogger().logger;
    const previews = new PreviewInbox({ sender: { send: () => Promise.resolve() }, logger, clock });
    recordCallPreviewOutcomes(previews, service);
    const log = new RequestLog({ logger });
    recordRequests(
      { previews, calls: new TypedEmitter<{ ended: CallEnded }>(), conversations: service },
      log,
    );
    previews.receive({
      v: 1,
      type: 'preview',
      interactionId: 'ix-1',
      agent: AGENT,
      routingPoint: 'sip:billing@lab.local',
      subject: chat.subject,
      text: 'Incoming transfer',
      userData: {},
      expiresAt: new Date(clock.now() + 20_000).toISOString(),
    });
    await previews.decline('ix-1', 'On another call');
    expect(log.list()).toEqual([expect.objectContaining({ kind: 'call-preview', outcome: 'declined' })]);
    await expect
      .poll(() => service.get('ix-1')?.calls?.map((c) => c.endReason))
      .toEqual(['You declined the call request: “On another call”']);
    expect(service.get('ix-1')?.messages).toHaveLength(chat.messages.length);
  });

  it('a journal damaged after start: the lines before the damage are read, a copy is set aside, the journal repaired', async () => {
    const key = randomBytes(32);
    const dir = await historyOf([longChat(1)], key);
    const { store, log } = reopen(dir, key);
    await store.loadIndex();
    await appendFile(join(dir, 'ix-1.jsonl'), 'enc1:bm90IGEgcmVjb3Jk\n');
    expect(await store.read('ix-1')).toEqual(longChat(1));
    await store.flushed();
    expect(await readdir(join(dir, 'corrupt'))).toHaveLength(2); // the copy and its note
    expect(log.records.some((r) => r.msg === 'history entry set aside')).toBe(true);

    const fresh = reopen(dir, key);
    const index = await fresh.store.loadIndex();
    expect(index.problems).toEqual([]);
    expect(await fresh.store.read('ix-1')).toEqual(longChat(1));
  });

  it('exports all conversations whole, each read from disk', async () => {
    const key = randomBytes(32);
    const chats = [longChat(1), longChat(2), longChat(3, 'active')];
    const dir = await historyOf(chats, key);
    const { store, readsOf } = reopen(dir, key);
    const app = await startApp(store);
    try {
      const listed = app.snapshot().conversations;
      expect(listed.find((c) => c.interactionId === 'ix-1')).toMatchObject({
        summary: { messageCount: 6, callCount: 0 },
        messages: [{ text: 'reply 4 of chat 1' }],
      });
      const opened = await app.handlers['chats.open']({ interactionId: 'ix-2' });
      expect(opened.summary).toBeUndefined();
      expect(opened.messages.map((m) => m.text)).toEqual(chats[1]?.messages.map((m) => m.text));
      expect(checkCommand('chats.open', { interactionId: '../ix-2' })).toMatchObject({ ok: false });
      expect(checkCommand('chats.open', { interactionId: 'ix-2', extra: 1 })).toMatchObject({ ok: false });
      await expect(app.handlers['chats.open']({ interactionId: 'ix-none' })).rejects.toThrow(
        'no such conversation',
      );

      const before = readsOf('ix-1');
      const all = await app.handlers['history.export']({ format: 'json' });
      if (all.kind !== 'download') throw new Error('expected a download');
      const exported = (JSON.parse(all.content) as { conversations: Conversation[] }).conversations;
      expect(exported.map((c) => [c.interactionId, c.messages.length])).toEqual([
        ['ix-3', 6],
        ['ix-2', 6],
        ['ix-1', 6],
      ]);
      expect(readsOf('ix-1')).toBe(before + 1);
    } finally {
      await app.stop();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 9;
}

async function startApp(history: FileHistoryStore): Promise<KwApp> {
  const app = new KwApp({
    settings: new MemorySettingsStore(labSettings([`ws://127.0.0.1:${await closedPort()}`])),
    secrets: new MemorySecretStore(),
    createCore: kwCoreFactory({ history, logger: memoryLogger().logger }),
    links: { open: () => Promise.resolve() },
    windows: { showMain: () => undefined, setCallPopup: () => undefined },
    logger: memoryLogger().logger,
  });
  await app.start();
  return app;
}

describe('the index file: a start without reading every journal', () => {
  it('quitting (close) finishes the writes under way and writes the index owed, without waiting its 2 s', async () => {
    const key = randomBytes(32);
    const dir = await historyOf([], key);
    const quitting = reopen(dir, key); // its clock never fires: the index would never be written
    await quitting.store.loadIndex();
    const chats = [longChat(1), longChat(2)];
    const saving = chats.map((c) => quitting.store.save(c)); // not awaited, as at quit
    await quitting.store.close();
    await Promise.all(saving);

    const next = reopen(dir, key);
    const index = await next.store.loadIndex();
    expect(index.ended.map((e) => e.interactionId).sort()).toEqual(['ix-1', 'ix-2']);
    // From the index: no journal read, and each whole when opened.
    expect(next.readsOf('ix-1') + next.readsOf('ix-2')).toBe(0);
    expect(await next.store.read('ix-2')).toEqual(chats[1]);
  });

  it('takes ended conversations from the index without reading their journals; active ones are read', async () => {
    const key = randomBytes(32);
    const chats = [longChat(1), longChat(2), longChat(3, 'active')];
    const dir = await historyOf(chats, key, true);
    // Encrypted like the journals: no subject or message in plain text.
    const raw = await readFile(join(dir, INDEX_FILE), 'utf8');
    expect(raw).not.toContain('reply 4');
    // Format 2: one sealed record for the whole index, not one per conversation.
    expect(raw.split('\n').filter(Boolean)).toHaveLength(1);

    const { store, readsOf } = reopen(dir, key);
    const index = await store.loadIndex();
    expect(readsOf('ix-1')).toBe(0);
    expect(readsOf('ix-2')).toBe(0);
    expect(readsOf('ix-3')).toBe(1);
    expect(index.active).toEqual([chats[2]]);
    expect(index.ended.find((e) => e.interactionId === 'ix-1')).toMatchObject({
      messageCount: 6,
      lastMessage: { text: 'reply 4 of chat 1' },
    });
    expect(await store.read('ix-1')).toEqual(chats[0]);
    expect(readsOf('ix-1')).toBe(1);
  });

  it('reads a journal whole when it changed after the index was written, and refreshes the index', async () => {
    const key = randomBytes(32);
    const dir = await historyOf([longChat(1), longChat(2)], key, true);
    const later = reopen(dir, key);
    await later.store.loadIndex();
    const changed = withMessage(longChat(1), {
      id: 'late',
      direction: 'in',
      text: 'one more thing',
      at: NOW_ISO,
    });
    await later.store.save(changed);
    await later.store.flushed(); // no index written: as after a crash

    const next = reopen(dir, key);
    const index = await next.store.loadIndex();
    expect(next.readsOf('ix-1')).toBe(1);
    expect(next.readsOf('ix-2')).toBe(0);
    expect(index.ended.find((e) => e.interactionId === 'ix-1')).toMatchObject({
      messageCount: 7,
      lastMessage: { text: 'one more thing' },
    });
    expect(await next.store.read('ix-1')).toEqual(changed);
    await next.store.writeIndex();
    const third = reopen(dir, key);
    await third.store.loadIndex();
    expect(third.readsOf('ix-1')).toBe(0);
  });

  it('ignores an index it cannot read, or whose lines do not parse, and reads every journal', async () => {
    const key = randomBytes(32);
    const chats = [longChat(1), longChat(2)];
    const dir = await historyOf(chats, key, true);
    await append(join(dir, INDEX_FILE), 'not a sealed record\n');
    const damaged = reopen(dir, key);
    const one = await damaged.store.loadIndex();
    expect(one.ended).toHaveLength(2);

    await writeFile(join(dir, INDEX_FILE), 'garbage');
    const garbage = reopen(dir, key);
    const two = await garbage.store.loadIndex();
    expect(garbage.readsOf('ix-1')).toBe(1);
    expect(two.ended.map((e) => e.interactionId).sort()).toEqual(['ix-1', 'ix-2']);
    expect(await garbage.store.read('ix-2')).toEqual(chats[1]);
  });

  it('reads an index in format 1 (a sealed line per conversation) without the journals, then writes it in format 2', async () => {
    const key = randomBytes(32);
    const chats = [longChat(1), longChat(2), longChat(3)];
    const dir = await historyOf(chats, key, true);
    const sealed = new SealedHistoryFiles({ state: 'ready', key });
    const path = join(dir, INDEX_FILE);
    await sealed.replace(path, format1Of(await sealed.read(path)));
    expect((await readFile(path, 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);

    const clock = new FakeClock();
    const old = reopen(dir, key, clock);
    const index = await old.store.loadIndex();
    expect(['ix-1', 'ix-2', 'ix-3'].map(old.readsOf)).toEqual([0, 0, 0]);
    expect(index.ended.map((e) => e.interactionId)).toEqual(['ix-3', 'ix-2', 'ix-1']);
    expect(index.ended.find((e) => e.interactionId === 'ix-2')).toMatchObject({
      messageCount: 6,
      lastMessage: { text: 'reply 4 of chat 2' },
    });
    // Brought to format 2 a moment later, with nothing else changed.
    clock.advance(2_000);
    await waitFor(async () => (await readFile(path, 'utf8')).split('\n').filter(Boolean).length === 1);
    expect(new TextDecoder().decode(await sealed.read(path))).toMatch(/^\{"v":2,"e":\[/);

    const next = reopen(dir, key);
    const again = await next.store.loadIndex();
    expect(['ix-1', 'ix-2', 'ix-3'].map(next.readsOf)).toEqual([0, 0, 0]);
    expect(again.ended).toEqual(index.ended);
    expect(await next.store.read('ix-3')).toEqual(chats[2]);
  });

  it('keeps the good entries of a format-2 index and reads the journal of an entry that does not validate', async () => {
    const key = randomBytes(32);
    const chats = [longChat(1), longChat(2)];
    const dir = await historyOf(chats, key, true);
    const sealed = new SealedHistoryFiles({ state: 'ready', key });
    const path = join(dir, INDEX_FILE);
    const index = JSON.parse(new TextDecoder().decode(await sealed.read(path))) as {
      e: Array<{ s: { interactionId: string; messageCount: unknown } }>;
    };
    const broken = index.e.find((e) => e.s.interactionId === 'ix-1');
    if (broken) broken.s.messageCount = 'many';
    await sealed.replace(path, `${JSON.stringify(index)}\n`);

    const next = reopen(dir, key);
    const loaded = await next.store.loadIndex();
    expect(next.readsOf('ix-1')).toBe(1);
    expect(next.readsOf('ix-2')).toBe(0);
    expect(loaded.ended.find((e) => e.interactionId === 'ix-1')).toMatchObject({ messageCount: 6 });
    expect(next.log.records.some((r) => r.msg.includes('entries that do not parse'))).toBe(true);
  });
});

/** The same entries as format 1 wrote them: one `{"v":1,"b":…,"s":…}` line each. */
function format1Of(plain: Uint8Array): string {
  const index = JSON.parse(new TextDecoder().decode(plain)) as { e: Array<{ b: number; s: unknown }> };
  return index.e.map((e) => `${JSON.stringify({ v: 1, b: e.b, s: e.s })}\n`).join('');
}

async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('not done after 1 s');
}

const NOW_ISO = new Date(NOW).toISOString();
