/**
 * The media window's preload against a FAKE `electron` module (vi.mock; no
 * Electron runs): it exposes `kwMedia` only, on the two channels main uses
 * (media-window.ts), and never hands the page the IPC event.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { KwMediaBridge } from '../../../preload/media-bridge.js';
import { IPC_CHANNELS } from '../../../preload/ipc-channels.js';

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const sent: Array<{ channel: string; args: unknown[] }> = [];
  const listeners = new Map<string, Set<(event: unknown, message: unknown) => void>>();
  return {
    exposed,
    sent,
    listeners,
    emit: (channel: string, message: unknown) => {
      for (const l of listeners.get(channel) ?? []) l({ sender: 'hidden', ports: [] }, message);
    },
    module: {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api),
      },
      ipcRenderer: {
        send: (channel: string, ...args: unknown[]) => void sent.push({ channel, args }),
        on: (channel: string, listener: (event: unknown, message: unknown) => void) => {
          const set = listeners.get(channel) ?? new Set();
          set.add(listener);
          listeners.set(channel, set);
        },
        removeListener: (channel: string, listener: (event: unknown, message: unknown) => void) => {
          listeners.get(channel)?.delete(listener);
        },
      },
    },
  };
});

vi.mock('electron', () => fake.module);

let kwMedia: KwMediaBridge;
beforeAll(async () => {
  await import('../../../preload/media-preload.js');
  kwMedia = fake.exposed.get('kwMedia') as KwMediaBridge;
});

describe('media preload', () => {
  it('exposes only kwMedia, with send and onMessage', () => {
    expect([...fake.exposed.keys()]).toEqual(['kwMedia']);
    expect(Object.keys(kwMedia).sort()).toEqual(['onMessage', 'send']);
  });

  it('sends on kw:media:from-host, hears kw:media:to-host without the IPC event, unsubscribes', () => {
    const hello = { kind: 'hello', protocol: 1, host: 'electron-media-window' } as const;
    kwMedia.send(hello);
    expect(fake.sent).toEqual([{ channel: IPC_CHANNELS.mediaFromHost, args: [hello] }]);
    const got: unknown[][] = [];
    const off = kwMedia.onMessage((...args: unknown[]) => got.push(args));
    fake.emit(IPC_CHANNELS.mediaToHost, { kind: 'request', id: 1 });
    expect(got).toEqual([[{ kind: 'request', id: 1 }]]);
    off();
    fake.emit(IPC_CHANNELS.mediaToHost, { kind: 'request', id: 2 });
    expect(got).toHaveLength(1);
    expect(fake.listeners.get(IPC_CHANNELS.mediaToHost)?.size).toBe(0);
  });
});
