/**
 * The request log: each outcome → its sentence, newest first, at most 100,
 * unseen until seen (a decline is seen at once), a late cancel that says
 * better what happened, and the list kept on disk in the history folder
 * without the history loader ever taking it for a conversation.
 */
import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { RequestLog, type RequestStore } from '../../../main/core/requests/request-log.js';
import { describeRequest } from '../../../main/core/requests/request-sentence.js';
import { FileRequestStore, REQUESTS_FILE } from '../../../main/core/requests/file-request-store.js';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import type {
  NewRequestRecord,
  RequestKind,
  RequestOutcome,
  RequestRecord,
} from '../../../main/core/requests/request-record.js';

const ID = '11111111-1111-4111-8111-111111111111';

function request(outcome: RequestOutcome, extra: Partial<NewRequestRecord> = {}): NewRequestRecord {
  return {
    kind: 'chat',
    interactionId: ID,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent' },
    subject: 'Invoice dispute',
    routingPoint: 'sip:billing@lab.local',
    outcome,
    offeredAt: '2026-11-24T09:00:00.000Z',
    endedAt: '2026-11-24T09:00:20.000Z',
    ...extra,
  };
}

describe('describeRequest: each outcome in a sentence', () => {
  const cases: Array<[RequestKind, RequestOutcome, string | undefined, string]> = [
    ['chat', 'expired', undefined, 'Missed: it expired before you answered.'],
    ['chat', 'declined', 'In a meeting', 'You declined it: “In a meeting”.'],
    ['chat', 'declined', undefined, 'You declined it.'],
    ['chat', 'declined', '   ', 'You declined it.'],
    ['chat', 'taken', undefined, 'Taken by another expert before you answered.'],
    ['chat', 'withdrawn', undefined, 'Withdrawn by the agent or the routing point before you answered.'],
    ['chat', 'failed', undefined, 'Your answer could not be delivered to the routing point.'],
    ['chat', 'closed', undefined, 'Still waiting when KW Desktop closed or signed in again.'],
    ['call-preview', 'expired', undefined, 'Missed call: the call request expired before you answered.'],
    ['call-preview', 'declined', 'On another call', 'You declined the call request: “On another call”.'],
    ['call-preview', 'declined', undefined, 'You declined the call request.'],
    ['call-preview', 'taken', undefined, 'Another expert took the call.'],
    [
      'call-preview',
      'withdrawn',
      undefined,
      'The call was withdrawn before you answered (the caller hung up, or the routing point took it back).',
    ],
    ['call', 'missed', 'The caller gave up', 'Missed call. The caller gave up.'],
    ['call', 'missed', 'Not answered in time.', 'Missed call. Not answered in time.'],
    ['call', 'missed', undefined, 'Missed call.'],
    ['call', 'declined', 'You declined', 'You declined the call.'],
  ];
  it.each(cases)('%s %s (%s) → %s', (kind, outcome, reason, sentence) => {
    expect(describeRequest({ kind, outcome, ...(reason !== undefined ? { reason } : {}) })).toBe(sentence);
  });

  it('every kind and outcome has a sentence ending with a full stop, never a SIP status', () => {
    const kinds: RequestKind[] = ['chat', 'call-preview', 'call'];
    const outcomes: RequestOutcome[] = [
      'expired',
      'declined',
      'taken',
      'withdrawn',
      'failed',
      'closed',
      'missed',
    ];
    for (const kind of kinds)
      for (const outcome of outcomes) {
        const sentence = describeRequest({ kind, outcome });
        expect(sentence, `${kind} ${outcome}`).toMatch(/^[A-Z].*\.$/);
        expect(sentence).not.toMatch(/\b[1-6]\d\d\b/);
      }
  });
});

describe('RequestLog', () => {
  it('newest first; a decline is seen at once, the others are unseen until markSeen', () => {
    const log = new RequestLog({ logger: memoryLogger().logger });
    const changes: number[] = [];
    log.on('changed', (list) => changes.push(list.length));
    log.record(request('expired', { subject: 'first' }));
    log.record(request('declined', { subject: 'second', reason: 'busy' }));
    log.record(request('taken', { subject: 'third' }));
    expect(log.list().map((r) => r.subject)).toEqual(['third', 'second', 'first']);
    expect(log.list().map((r) => r.seen)).toEqual([false, true, false]);
    expect(log.unseen()).toBe(2);
    expect(changes).toEqual([1, 2, 3]);

    log.markSeen();
    expect(log.unseen()).toBe(0);
    expect(log.list().every((r) => r.seen)).toBe(true);
    expect(changes).toEqual([1, 2, 3, 3]);
    // Nothing unseen: no change, no event.
    log.markSeen();
    expect(changes).toHaveLength(4);
    log.record(request('withdrawn'));
    expect(log.unseen()).toBe(1);
  });

  it('keeps the last 100 by default (the oldest go), or its own bound', () => {
    const log = new RequestLog({ logger: memoryLogger().logger });
    for (let i = 0; i < 105; i++) log.record(request('expired', { subject: `n${i}` }));
    expect(log.list()).toHaveLength(100);
    expect(log.list()[0]?.subject).toBe('n104');
    expect(log.list()[99]?.subject).toBe('n5');
    expect(log.unseen()).toBe(100);

    const small = new RequestLog({ logger: memoryLogger().logger, max: 2 });
    for (const s of ['a', 'b', 'c']) small.record(request('taken', { subject: s }));
    expect(small.list().map((r) => r.subject)).toEqual(['c', 'b']);
  });

  it('a late cancel turns "expired" into what the router says happened; a timeout changes nothing', () => {
    const log = new RequestLog({ logger: memoryLogger().logger });
    log.record(request('expired'));
    log.refine(ID, 'timeout');
    expect(log.list()[0]?.outcome).toBe('expired');
    log.refine(ID, 'taken');
    expect(log.list()[0]?.outcome).toBe('taken');
    expect(describeRequest(log.list()[0] as RequestRecord)).toBe(
      'Taken by another expert before you answered.',
    );
    // Another interaction: untouched.
    log.refine('22222222-2222-4222-8222-222222222222', 'withdrawn');
    expect(log.list()[0]?.outcome).toBe('taken');
  });

  it('a store that fails keeps the list in memory, says so in the log, and is tried again on the next change', async () => {
    const { logger, records } = memoryLogger();
    let fail = true;
    const saved: number[] = [];
    const store: RequestStore = {
      load: () => Promise.reject(new Error('disk on fire')),
      save: (list) => {
        if (fail) return Promise.reject(new Error('read-only folder'));
        saved.push(list.length);
        return Promise.resolve();
      },
    };
    const log = new RequestLog({ logger, store });
    await log.load();
    log.record(request('expired'));
    await log.flush();
    expect(log.list()).toHaveLength(1);
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining([
        'missed requests could not be read: starting with an empty list',
        'missed requests could not be saved: kept in memory',
      ]),
    );
    fail = false;
    log.record(request('taken'));
    await log.flush();
    expect(saved).toEqual([2]);
  });
});

describe('FileRequestStore: kept across a restart, in the history folder', () => {
  async function historyDir(): Promise<string> {
    return mkdtemp(join(tmpdir(), 'kw-requests-'));
  }

  it('a new log on the same folder has the same entries, seen flags included', async () => {
    const dir = await historyDir();
    const logger = memoryLogger().logger;
    const first = new RequestLog({
      logger,
      store: new FileRequestStore({ dir: join(dir, 'requests'), logger }),
    });
    await first.load();
    first.record(request('expired', { subject: 'old' }));
    first.markSeen();
    first.record(request('declined', { subject: 'mine', reason: 'lunch' }));
    first.record(request('taken', { subject: 'new' }));
    await first.flush();

    const second = new RequestLog({
      logger,
      store: new FileRequestStore({ dir: join(dir, 'requests'), logger }),
    });
    await second.load();
    expect(second.list()).toEqual(first.list());
    expect(second.unseen()).toBe(1);
  });

  it('the history loader never takes the requests folder for a conversation', async () => {
    const dir = await historyDir();
    const logger = memoryLogger().logger;
    const log = new RequestLog({
      logger,
      store: new FileRequestStore({ dir: join(dir, 'requests'), logger }),
    });
    log.record(request('expired'));
    await log.flush();
    const loaded = await new FileHistoryStore({ dir, logger }).loadAll();
    expect(loaded).toEqual({ conversations: [], problems: [] });
    expect(await readdir(join(dir, 'requests'))).toEqual([REQUESTS_FILE]);
  });

  it('no file yet: an empty list', async () => {
    const dir = await historyDir();
    const store = new FileRequestStore({ dir: join(dir, 'requests'), logger: memoryLogger().logger });
    expect(await store.load()).toEqual([]);
  });

  it('a file that is not JSON is set aside (not deleted) and the list starts empty', async () => {
    const dir = join(await historyDir(), 'requests');
    await mkdir(dir);
    await writeFile(join(dir, REQUESTS_FILE), '{"v":1,"requests":[{"id":');
    const { logger, records } = memoryLogger();
    const store = new FileRequestStore({ dir, logger, now: () => 42 });
    expect(await store.load()).toEqual([]);
    expect(await readdir(dir)).toEqual([`${REQUESTS_FILE}.42.unreadable`]);
    expect(await readFile(join(dir, `${REQUESTS_FILE}.42.unreadable`), 'utf8')).toBe(
      '{"v":1,"requests":[{"id":',
    );
    expect(records.map((r) => r.msg)).toContain('missed requests file unreadable: set aside');
  });

  it('records that do not validate are dropped with a warning; the valid ones stay', async () => {
    const dir = join(await historyDir(), 'requests');
    const logger = memoryLogger();
    const store = new FileRequestStore({ dir, logger: logger.logger });
    const good: RequestRecord = { ...request('taken'), id: 'r1', seen: false };
    await store.save([good]);
    const raw = JSON.parse(await readFile(join(dir, REQUESTS_FILE), 'utf8')) as { requests: unknown[] };
    raw.requests.push({ ...good, id: 'r2', outcome: 'exploded' }, { id: 'r3' });
    await writeFile(join(dir, REQUESTS_FILE), JSON.stringify(raw));
    expect(await store.load()).toEqual([good]);
    expect(logger.records).toContainEqual(
      expect.objectContaining({
        msg: 'missed requests: invalid records dropped',
        fields: expect.objectContaining({ dropped: 2 }) as unknown,
      }),
    );
  });
});
