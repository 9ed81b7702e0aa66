/**
 * The host's `levels` messages on main's side, against a scripted fake host:
 * valid ones reach the bridge's listeners with the call's peer connection;
 * malformed ones are refused, logged and change nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MediaBridge } from '../../../main/core/media/media-bridge.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { SoundLevels } from '../../../wire/media-host.js';
import { FakeHostLink } from './fake-host-link.js';

const bridges: MediaBridge[] = [];
afterEach(() => {
  for (const b of bridges.splice(0)) b.detach('test over');
});

async function attached() {
  const log = memoryLogger();
  const bridge = new MediaBridge({ logger: log.logger });
  bridges.push(bridge);
  const host = new FakeHostLink();
  const ready = bridge.attach(host);
  host.hello();
  await ready;
  const heard: { connection: object; levels: SoundLevels }[] = [];
  bridge.onLevels((connection, levels) => heard.push({ connection, levels }));
  const refused = () => log.records.filter((r) => r.msg.startsWith('media host message refused'));
  return { bridge, host, heard, refused };
}

describe('media bridge: sound levels from the host', () => {
  it('a peer connection’s levels reach the listeners with that peer connection', async () => {
    const { bridge, host, heard, refused } = await attached();
    const pc = bridge.createPeerConnection({});
    const other = bridge.createPeerConnection({});
    host.deliver({ kind: 'levels', pcId: pc.id, levels: { input: 0.25, output: 0 } });
    host.deliver({ kind: 'levels', pcId: other.id, levels: { input: 0, output: 1 } });
    expect(heard).toEqual([
      { connection: pc, levels: { input: 0.25, output: 0 } },
      { connection: other, levels: { input: 0, output: 1 } },
    ]);
    expect(refused()).toEqual([]);
  });

  it('levels of a closed or unknown peer connection are dropped quietly (a timer may cross a close)', async () => {
    const { bridge, host, heard, refused } = await attached();
    const pc = bridge.createPeerConnection({});
    pc.close();
    host.deliver({ kind: 'levels', pcId: pc.id, levels: { input: 0.5, output: 0.5 } });
    host.deliver({ kind: 'levels', pcId: 'never-made', levels: { input: 0.5, output: 0.5 } });
    expect(heard).toEqual([]);
    expect(refused()).toEqual([]);
  });

  it.each([
    ['a level above 1', { input: 1.5, output: 0 }],
    ['a negative level', { input: 0, output: -0.1 }],
    ['NaN', { input: Number.NaN, output: 0 }],
    ['Infinity', { input: Number.POSITIVE_INFINITY, output: 0 }],
    ['a level as text', { input: '0.5', output: 0 }],
    ['a missing level', { input: 0.5 }],
    ['an extra field', { input: 0.5, output: 0.5, peak: 1 }],
  ])('%s is refused, logged, and reaches nobody', async (_what, levels) => {
    const { bridge, host, heard, refused } = await attached();
    const pc = bridge.createPeerConnection({});
    host.deliver({ kind: 'levels', pcId: pc.id, levels });
    expect(heard).toEqual([]);
    expect(refused()).toHaveLength(1);
    expect(refused()[0]?.level).toBe('warn');
    // The session goes on: the next good message is taken.
    host.deliver({ kind: 'levels', pcId: pc.id, levels: { input: 0.1, output: 0.2 } });
    expect(heard).toHaveLength(1);
  });

  it('a bad peer connection id, or levels before hello, are refused', async () => {
    const { bridge, host, heard, refused } = await attached();
    bridge.createPeerConnection({});
    host.deliver({ kind: 'levels', pcId: '{not an id}', levels: { input: 0.1, output: 0.1 } });
    expect(refused()).toHaveLength(1);

    const log = memoryLogger();
    const early = new MediaBridge({ logger: log.logger });
    bridges.push(early);
    const link = new FakeHostLink();
    void early.attach(link);
    link.deliver({ kind: 'levels', pcId: 'pc1', levels: { input: 0.1, output: 0.1 } });
    expect(log.records.filter((r) => r.msg.includes('came before hello'))).toHaveLength(1);
    expect(heard).toEqual([]);
  });
});
