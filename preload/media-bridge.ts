/**
 * The IPC between main and the hidden media window (DESIGN.md §3), shared by
 * the media preload, the media runtime and main. Pure: no electron import, so
 * the renderer may import its types.
 * - host → main: `ipcRenderer.send(MEDIA_FROM_HOST_CHANNEL, message)`; main
 *   listens with `ipcMain.on(MEDIA_FROM_HOST_CHANNEL, …)`, checks the sender is
 *   the media window, validates with `FromHostSchema`;
 * - main → host: `webContents.send(MEDIA_TO_HOST_CHANNEL, toHost)`.
 */
import type { FromHost } from '../wire/media-host.js';

export const MEDIA_TO_HOST_CHANNEL = 'kw:media:to-host';
export const MEDIA_FROM_HOST_CHANNEL = 'kw:media:from-host';

/** What the media preload exposes as `window.kwMedia`: a task pair, never ipcRenderer. */
export interface KwMediaBridge {
  send(message: FromHost): void;
  /** Every message main sends the host, unvalidated (the host validates); returns the unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
}
