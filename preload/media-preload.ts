/**
 * The preload of the hidden media window (sandboxed: only `electron` can be
 * required; the build bundles the rest). Exposes `window.kwMedia`, the media
 * host's link to main over its two channels (ipc-channels.ts), and nothing
 * else: the media page has no `window.kw`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS } from './ipc-channels.js';
import type { KwMediaBridge } from './media-bridge.js';

const bridge: KwMediaBridge = {
  send(message) {
    ipcRenderer.send(IPC_CHANNELS.mediaFromHost, message);
  },
  onMessage(listener) {
    // The page never sees the IPC event (it carries the sender and ports).
    const handler = (_event: IpcRendererEvent, message: unknown): void => listener(message);
    ipcRenderer.on(IPC_CHANNELS.mediaToHost, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.mediaToHost, handler);
    };
  },
};

contextBridge.exposeInMainWorld('kwMedia', bridge);
