/** Entry of the preview popup. `window.kw` is provided by the Electron preload or the browser harness. */
import { render } from 'preact';
import { kwApi } from '../shared/kw.js';
import { Chime } from '../shared/sound.js';
import { startClock } from '../shared/clock.js';
import { fatal, start } from '../shared/store.js';
import { PreviewApp } from './app.js';

const root = document.getElementById('app');
if (root) {
  const kw = kwApi();
  if (kw) void start(kw, 'preview');
  else fatal.value = 'The bridge to the KW Desktop core (window.kw) is missing.';
  startClock(); // the countdowns
  // One window per preview names it in the URL; without it the window shows every pending preview.
  const only = new URLSearchParams(location.search).get('interactionId');
  render(<PreviewApp only={only} chime={new Chime()} />, root);
}
