import { describe, expect, it } from 'vitest';
import { parseToHost } from '../../../renderer/media/host-messages.js';
import { SerialQueues } from '../../../renderer/media/serial-queues.js';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('media host: serial queues', () => {
  it('runs the tasks of one key one after another, in order, and other keys beside them', async () => {
    const queues = new SerialQueues();
    const log: string[] = [];
    const gates: Record<string, () => void> = {};
    const task = (name: string) => () =>
      new Promise<void>((resolve) => {
        log.push(`start ${name}`);
        gates[name] = () => {
          log.push(`end ${name}`);
          resolve();
        };
      });
    queues.push('pc:a', task('a1'));
    queues.push('pc:a', task('a2'));
    queues.push('host', task('h1'));
    await tick();
    expect(log).toEqual(['start a1', 'start h1']);
    gates.a1?.();
    await tick();
    expect(log).toEqual(['start a1', 'start h1', 'end a1', 'start a2']);
    gates.a2?.();
    gates.h1?.();
    await tick();
    expect(queues.size).toBe(0);
  });
});

describe('media host: reading main messages', () => {
  it('passes a valid request', () => {
    const parsed = parseToHost({ kind: 'request', id: 3, request: { op: 'devices' } });
    expect(parsed).toEqual({ ok: true, message: { kind: 'request', id: 3, request: { op: 'devices' } } });
  });

  it('answers an invalid request that has an id with a BadRequest naming the path', () => {
    const parsed = parseToHost({ kind: 'request', id: 7, request: { op: 'close' } });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reply).toMatchObject({ kind: 'error', id: 7, name: 'BadRequest' });
    expect(parsed.problem).toMatch(/^invalid request at request\.pcId: /);
  });

  it('has nobody to answer when the id is missing or unusable', () => {
    for (const raw of [null, 'x', { kind: 'request' }, { id: 0 }, { id: 1.5 }, { id: '2' }]) {
      const parsed = parseToHost(raw);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reply, JSON.stringify(raw)).toBeUndefined();
    }
  });
});
