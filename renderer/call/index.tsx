/** Entry of the call popup. `window.kw` is provided by the Electron preload or the browser harness. */
import { render } from 'preact';
import { bridge } from '../shared/kw.js';
import { fatal, start } from '../shared/store.js';
import { CallApp } from './app.js';

const root = document.getElementById('app');
if (root) {
  const kw = bridge();
  if (kw) void start(kw, 'call');
  else fatal.value = 'The bridge to the KW Desktop core (window.kw) is missing.';
  render(<CallApp />, root);
}
