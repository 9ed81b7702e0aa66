import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/log.js';
import { EventLog, type RouterEvent } from '../../../router/event-log.js';

describe('router event log', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes one JSON object per line to the file and hands each to the sink', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'router-events-'));
    const file = path.join(dir, 'sub', 'events.jsonl');
    const seen: RouterEvent[] = [];
    const log = new EventLog({
      file,
      sink: (e) => seen.push(e),
      logger: silentLogger,
      now: () => Date.parse('2026-11-24T09:00:00Z'),
    });
    log.write({
      event: 'requested',
      interactionId: 'i1',
      routingPoint: 'sip:rp@lab.local',
      agent: 'sip:a@lab.local',
    });
    log.write({
      event: 'offered',
      interactionId: 'i1',
      routingPoint: 'sip:rp@lab.local',
      kw: 'sip:kw1@lab.local',
      reason: undefined,
    });
    await log.close();
    const lines = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      {
        ts: '2026-11-24T09:00:00.000Z',
        event: 'requested',
        interactionId: 'i1',
        routingPoint: 'sip:rp@lab.local',
        agent: 'sip:a@lab.local',
      },
      {
        ts: '2026-11-24T09:00:00.000Z',
        event: 'offered',
        interactionId: 'i1',
        routingPoint: 'sip:rp@lab.local',
        kw: 'sip:kw1@lab.local',
      },
    ]);
    expect(seen).toEqual(lines);
  });

  it('a throwing sink does not stop the log', () => {
    const log = new EventLog({
      sink: () => {
        throw new Error('boom');
      },
      logger: silentLogger,
    });
    expect(() => log.write({ event: 'ended', interactionId: 'i', routingPoint: 'r' })).not.toThrow();
  });
});
