/**
 * The IPC between main and the hidden media window (docs/design.md §3), shared
 * by the media preload, the media runtime and main. Pure: no electron import,
 * so the renderer may import its types. The channel names are in
 * ipc-channels.ts:
 * - host → main: `ipcRenderer.send(IPC_CHANNELS.mediaFromHost, message)`;
 *   main listens with `ipcMain.on(IPC_CHANNELS.mediaFromHost, …)`, checks the
 *   sender is the media window, and the media bridge validates the message
 *   with `FromHostSchema`;
 * - main → host: `webContents.send(IPC_CHANNELS.mediaToHost, toHost)`.
 */
import type { FromHost } from '../wire/media-host.js';

/** What the media preload exposes as `window.kwMedia`: a task pair, never ipcRenderer. */
export interface KwMediaBridge {
  send(message: FromHost): void;
  /** Every message main sends the host, unvalidated (the host validates); returns the unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
}
