/**
 * Entry of the media host page: the hidden Electron media window
 * (`media.html`, with `window.kwMedia` from preload/media-preload.ts), the
 * same page served by a test, or — bundled as a classic script — the browser
 * harness's main page (the WebSocket `/media` of the page's own origin).
 *
 * `?processing=off` turns echo cancellation, noise suppression and automatic
 * gain off (tests measure a tone). What the host holds is published on
 * `<html data-pcs data-streams data-live-local-tracks data-live-remote-tracks
 * data-audio-elements>` for tests and for a look in DevTools.
 */
import { startMediaHost, type MediaHostInventory } from './host.js';
import { electronTransport, webSocketTransport } from './transports.js';

const params = new URLSearchParams(location.search);
const off = params.get('processing') === 'off';
const bridge = window.kwMedia;

const publish = (inventory: MediaHostInventory): void => {
  const data = document.documentElement.dataset;
  data.pcs = String(inventory.pcs);
  data.streams = String(inventory.streams);
  data.liveLocalTracks = String(inventory.liveLocalTracks);
  data.liveRemoteTracks = String(inventory.liveRemoteTracks);
  data.audioElements = String(inventory.audioElements);
};

startMediaHost(bridge ? electronTransport(bridge) : webSocketTransport(), {
  host: bridge
    ? 'electron-media-window'
    : location.pathname.endsWith('/media.html')
      ? 'media-page'
      : 'harness-page',
  ...(off
    ? { audioProcessing: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } }
    : {}),
  onInventory: publish,
});
