/** Entry of the call popup. `window.kw` is provided by the Electron preload or the browser harness. */
import { render } from 'preact';
import { kwApi } from '../shared/kw.js';
import { fatal, start } from '../shared/store.js';
import { CallApp } from './app.js';
import { Ringtone } from './ringtone.js';

const root = document.getElementById('app');
if (root) {
  const kw = kwApi();
  if (kw) void start(kw, 'call');
  else fatal.value = 'The bridge to the KW Desktop core (window.kw) is missing.';
  // No clock here: the popup shows no countdown or timer.
  render(<CallApp ringtone={new Ringtone()} />, root);
}
