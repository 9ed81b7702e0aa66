/**
 * The preload against a FAKE `electron` module (vi.mock: the preload's only
 * import; no Electron runs): what it exposes, how invoke unwraps replies and
 * how subscribe filters events.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { KwApi } from '../../../preload/contract.js';
import { IPC_CHANNELS } from '../../../preload/ipc-channels.js';

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  const listeners = new Map<string, Array<(event: unknown, message: unknown) => void>>();
  let reply: unknown = { ok: true, value: null };
  return {
    exposed,
    invoked,
    setReply: (r: unknown) => {
      reply = r;
    },
    emit: (channel: string, message: unknown) => {
      for (const l of listeners.get(channel) ?? []) l({ sender: 'hidden' }, message);
    },
    listenerChannels: () => [...listeners.keys()],
    module: {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api),
      },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => {
          invoked.push({ channel, args });
          return Promise.resolve(reply);
        },
        on: (channel: string, listener: (event: unknown, message: unknown) => void) => {
          listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
        },
      },
    },
  };
});

vi.mock('electron', () => fake.module);

let kw: KwApi;
beforeAll(async () => {
  await import('../../../preload/electron-preload.js');
  kw = fake.exposed.get('kw') as KwApi;
});

describe('electron preload', () => {
  it('exposes only `kw`: tasks and on(), no channel, no ipcRenderer', () => {
    expect([...fake.exposed.keys()]).toEqual(['kw']);
    expect(Object.keys(kw).sort()).toEqual([
      'app',
      'calls',
      'chats',
      'connection',
      'devices',
      'history',
      'links',
      'on',
      'presence',
      'previews',
      'provisioning',
      'requests',
      'settings',
      'windows',
    ]);
    expect(JSON.stringify(Object.keys(kw))).not.toMatch(/ipc|invoke|send/);
    expect(fake.listenerChannels()).toEqual(['kw:event']);
  });

  it('invoke sends { name, input } on kw:invoke and resolves the value', async () => {
    fake.setReply({ ok: true, value: null });
    await expect(kw.presence.set({ state: 'busy' })).resolves.toBeNull();
    expect(fake.invoked.at(-1)).toEqual({
      channel: 'kw:invoke',
      args: [{ name: 'presence.set', input: { state: 'busy' } }],
    });
  });

  it('an { ok: false } reply rejects with that error', async () => {
    fake.setReply({ ok: false, error: 'invalid input for presence.set at state' });
    await expect(kw.presence.set({ state: 'busy' })).rejects.toThrow(
      'invalid input for presence.set at state',
    );
  });

  it('subscribe gets only its event, only the payload, until unsubscribed', () => {
    const got: unknown[] = [];
    const off = kw.on('focus', (p) => got.push(p));
    fake.emit('kw:event', { event: 'typing', payload: { interactionId: 'a', active: true } });
    fake.emit('kw:event', { event: 'focus', payload: { interactionId: 'a' } });
    off();
    fake.emit('kw:event', { event: 'focus', payload: { interactionId: 'b' } });
    expect(got).toEqual([{ interactionId: 'a' }]);
  });

  it('refuses to subscribe to an unknown event', () => {
    expect(() => kw.on('nope' as 'focus', () => undefined)).toThrow(/unknown event/);
  });

  it('a listener that throws is logged; the others still get the event', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const got: string[] = [];
    const offBad = kw.on('focus', () => {
      throw new Error('boom');
    });
    const offGood = kw.on('focus', (p) => got.push(p.interactionId));
    fake.emit('kw:event', { event: 'focus', payload: { interactionId: 'c' } });
    offBad();
    offGood();
    expect(got).toEqual(['c']);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toContain("kw.on('focus') listener failed");
    errors.mockRestore();
  });

  it('an event nobody listens to is dropped', () => {
    expect(() => fake.emit('kw:event', { event: 'calls', payload: [] })).not.toThrow();
  });

  it('uses the channel names of preload/ipc-channels.ts, which main uses too', () => {
    expect(IPC_CHANNELS.invoke).toBe('kw:invoke');
    expect(IPC_CHANNELS.event).toBe('kw:event');
  });
});
