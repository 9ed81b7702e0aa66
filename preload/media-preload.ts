/**
 * The preload of the hidden media window (sandboxed: only `electron` can be
 * required; the build bundles the rest). Exposes `window.kwMedia`, the media
 * host's link to main over two fixed channels, and nothing else: the media
 * page has no `window.kw`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { MEDIA_FROM_HOST_CHANNEL, MEDIA_TO_HOST_CHANNEL, type KwMediaBridge } from './media-bridge.js';

const bridge: KwMediaBridge = {
  send(message) {
    ipcRenderer.send(MEDIA_FROM_HOST_CHANNEL, message);
  },
  onMessage(listener) {
    // The page never sees the IPC event (it carries the sender and ports).
    const handler = (_event: IpcRendererEvent, message: unknown): void => listener(message);
    ipcRenderer.on(MEDIA_TO_HOST_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(MEDIA_TO_HOST_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('kwMedia', bridge);
