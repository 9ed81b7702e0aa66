/**
 * History that cannot be written: the KW starts anyway, chats go on in memory,
 * the status says why in a sentence, and when the folder takes writes again
 * everything owed is written and the warning clears. The folders really fail:
 * tests run as root, where a read-only mode stops nothing, so the history
 * folder's path goes through a regular file (ENOTDIR), or is one (EEXIST).
 * A read-only folder as a non-root user is in history-readonly-user.test.ts.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import type { HistoryStatus } from '../../../main/core/history/history-store.js';
import { historyErrorText } from '../../../main/core/history/history-error-text.js';
import { ConversationService } from '../../../main/core/conversations/conversation-service.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { Preview } from '../../../wire/control.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDirs } from './history-fixtures.js';

const tempDir = tempDirs();
const RETRY_MS = 30_000;
const ID = '22222222-2222-4222-8222-222222222222';
const AGENT = { uri: 'sip:agent1@lab.local', displayName: 'Agent One' };

function preview(): Preview {
  return {
    v: 1,
    type: 'preview',
    interactionId: ID,
    agent: AGENT,
    routingPoint: 'sip:billing@lab.local',
    subject: 'Refund',
    text: 'Customer wants a refund',
    userData: {},
    expiresAt: '2030-01-01T00:00:00Z',
  };
}

/** A history folder whose parent is a regular file: nothing can be created there, not even by root. */
async function blockedDir(): Promise<{ dir: string; unblock: () => Promise<void> }> {
  const root = await tempDir();
  const blocker = join(root, 'data');
  await writeFile(blocker, 'a file where a folder should be');
  return {
    dir: join(blocker, 'history'),
    unblock: async () => {
      await rm(blocker);
      await mkdir(blocker);
    },
  };
}

function kw(dir: string) {
  const clock = new FakeClock();
  const log = memoryLogger();
  const history = new FileHistoryStore({ dir, logger: log.logger, clock, retryMs: RETRY_MS });
  const statuses: HistoryStatus[] = [];
  history.onStatus((s) => statuses.push(s));
  const service = new ConversationService({
    transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
    control: { send: () => Promise.resolve() },
    history,
    logger: log.logger,
    clock,
    trustedRoutingPoints: new TrustedRoutingPoints(['sip:billing@lab.local']),
  });
  return { clock, log, history, service, statuses };
}

describe('history that cannot be written', () => {
  it('starts, keeps chatting in memory and says why in a sentence', async () => {
    const { dir } = await blockedDir();
    const { service, history, log } = kw(dir);
    await service.restore();
    expect(history.status()).toEqual({
      saving: false,
      problem: `History can't be saved: the folder ${dir} cannot be created because a file is in its way. Chats are kept until you quit.`,
    });
    service.open(preview());
    expect(service.receiveText(AGENT, ID, 'still there?').status).toBe(200);
    await service.send(ID, 'yes');
    expect(service.get(ID)?.messages.map((m) => m.text)).toEqual([
      'Customer wants a refund',
      'still there?',
      'yes',
    ]);
    expect(history.status().saving).toBe(false);
    // Logged once for the problem, not once per failed write.
    expect(log.records.filter((r) => r.msg.startsWith('history cannot be saved'))).toHaveLength(1);
  });

  it('writes everything owed and clears the warning when a retry succeeds', async () => {
    const { dir, unblock } = await blockedDir();
    const { service, history, clock, statuses } = kw(dir);
    await service.restore();
    service.open(preview());
    await service.send(ID, 'written later');
    await history.flushed();
    await unblock();
    clock.advance(RETRY_MS);
    await history.flushed();
    expect(history.status()).toEqual({ saving: true });
    expect(statuses.map((s) => s.saving)).toEqual([false, true]);
    const again = new FileHistoryStore({ dir, logger: memoryLogger().logger });
    const { conversations } = await again.loadAll();
    expect(conversations).toEqual([service.get(ID)]);
  });

  it('retries on the next change too, without waiting for the timer', async () => {
    const { dir, unblock } = await blockedDir();
    const { service, history, clock } = kw(dir);
    await service.restore();
    service.open(preview());
    await history.flushed();
    await unblock();
    expect(service.receiveText(AGENT, ID, 'are you there?').status).toBe(200);
    await history.flushed();
    expect(history.status()).toEqual({ saving: true });
    expect(clock.pending).toBe(0);
    expect(await readdir(dir)).toEqual([`${ID}.jsonl`]);
    const { conversations } = await new FileHistoryStore({ dir, logger: memoryLogger().logger }).loadAll();
    expect(conversations[0]?.messages.map((m) => m.text)).toEqual([
      'Customer wants a refund',
      'are you there?',
    ]);
  });

  it('keeps retrying while the folder stays unwritable', async () => {
    const { dir } = await blockedDir();
    const { service, history, clock } = kw(dir);
    await service.restore();
    service.open(preview());
    await history.flushed();
    for (let i = 0; i < 3; i += 1) {
      clock.advance(RETRY_MS);
      await history.flushed();
      expect(history.status().saving).toBe(false);
      expect(clock.pending).toBe(1);
    }
  });

  it('a history path that is itself a file is reported the same way', async () => {
    const root = await tempDir();
    const dir = join(root, 'history');
    await writeFile(dir, 'not a folder');
    const { service, history } = kw(dir);
    await service.restore();
    expect(history.status().problem).toBe(
      `History can't be saved: the folder ${dir} cannot be created because a file is in its way. Chats are kept until you quit.`,
    );
  });
});

describe('historyErrorText', () => {
  const error = (code: string) => Object.assign(new Error(code), { code });
  it('says what is wrong in a sentence, for the usual causes and the rest', () => {
    expect(historyErrorText(error('EACCES'), '/h')).toBe(
      "History can't be saved: the folder /h is read-only. Chats are kept until you quit.",
    );
    expect(historyErrorText(error('ENOSPC'), '/h')).toBe(
      "History can't be saved: the disk that holds /h is full. Chats are kept until you quit.",
    );
    expect(historyErrorText(error('EIO'), '/h')).toBe(
      "History can't be saved: the folder /h cannot be written to (error EIO). Chats are kept until you quit.",
    );
    expect(historyErrorText(new Error('odd'), '/h')).toMatch(
      /\(error unknown\)\. Chats are kept until you quit\.$/,
    );
  });
});
