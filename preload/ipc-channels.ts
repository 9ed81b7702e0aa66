/**
 * The names of the Electron IPC channels between main and its renderers, in
 * one place. Pure constants (no electron import): the sandboxed preloads
 * bundle this file, and main imports it.
 * - `invoke`, `event`: the contract (preload/contract.ts) between main and the
 *   windows with UI; main's end is main/electron/ipc-gateway.ts, the
 *   renderer's end preload/electron-preload.ts (`window.kw`);
 * - `mediaToHost`, `mediaFromHost`: the media host protocol
 *   (wire/media-host.ts) between main and the hidden media window; main's end
 *   is main/electron/media-window.ts, the renderer's end
 *   preload/media-preload.ts (`window.kwMedia`).
 * No page ever sees a channel name: the preloads expose tasks.
 */
export const IPC_CHANNELS = {
  /** renderer → main, `ipcRenderer.invoke`: `{ name, input }`, answered `{ ok, value | error }`. */
  invoke: 'kw:invoke',
  /** main → renderer, `webContents.send`: `{ event, payload }`. */
  event: 'kw:event',
  /** main → media window, `webContents.send`: a `ToHost` message. */
  mediaToHost: 'kw:media:to-host',
  /** media window → main, `ipcRenderer.send`: a `FromHost` message (validated by the media bridge). */
  mediaFromHost: 'kw:media:from-host',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];
