/** Entry of the main window. `window.kw` is provided by the Electron preload or the browser harness. */
import { render } from 'preact';
import { kwApi } from '../shared/kw.js';
import { startClock } from '../shared/clock.js';
import { fatal, start } from '../shared/store.js';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) {
  const kw = kwApi();
  if (kw) void start(kw, 'main');
  else fatal.value = 'The bridge to the KW Desktop core (window.kw) is missing.';
  startClock(); // call timers and the pending requests' countdowns
  render(<App />, root);
}
