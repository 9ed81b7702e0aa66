/** Entry of the supervisor dashboard: the live feed, the clock and the colour scheme, then the app. */
import { render } from 'preact';
import { App } from './app.js';
import { LiveFeed } from './live/live-feed.js';
import { acceptSnapshot, auth, feedState, followColourScheme, signInNote, startClock } from './store.js';

const feed = new LiveFeed(() => new EventSource('events'), {
  state(state) {
    feedState.value = state;
    if (state === 'live') {
      auth.value = 'signed-in';
      signInNote.value = '';
    } else if (state === 'refused') {
      if (auth.value === 'signed-in') signInNote.value = 'Your session ended. Sign in again.';
      auth.value = 'signed-out';
    }
  },
  snapshot: acceptSnapshot,
  rejected(why) {
    console.warn(`dashboard: ignored ${why}`);
  },
});

const root = document.getElementById('app');
if (root) {
  followColourScheme();
  startClock();
  feed.start();
  render(<App onSignedIn={() => feed.start()} />, root);
}
