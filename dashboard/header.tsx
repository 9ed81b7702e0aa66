/** The bar on top: title, the feed's state in words, who served the last snapshot, and the two views. */
import type { JSX } from 'preact';
import type { FeedState } from './live/live-feed.js';
import { clockTime } from './format.js';
import { feedState, snapshot, view } from './store.js';

const FEED_TEXT: Readonly<Record<FeedState, string>> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  refused: 'Signed out',
  outdated: 'This page is out of date: reload it.',
};

function Tab({ name, label }: { readonly name: 'live' | 'dry-run'; readonly label: string }): JSX.Element {
  return (
    <button
      type="button"
      class={`tab${view.value === name ? ' is-active' : ''}`}
      aria-pressed={view.value === name}
      onClick={() => {
        view.value = name;
      }}
    >
      {label}
    </button>
  );
}

export function Header(): JSX.Element {
  const state = feedState.value;
  const last = snapshot.value;
  return (
    <header class="top">
      <h1>Routing dashboard</h1>
      <nav class="tabs" aria-label="Views">
        <Tab name="live" label="Live view" />
        <Tab name="dry-run" label="Dry run" />
      </nav>
      <div class="feed">
        {/* Only the state is announced; the update time changes with every snapshot. */}
        <span class={`feed-state feed-${state}`} role="status">
          <span class="dot" aria-hidden="true" />
          {FEED_TEXT[state]}
        </span>
        {last && (
          <span class="muted">
            {' '}
            · updated {clockTime(last.at)} by {last.instance}
          </span>
        )}
      </div>
    </header>
  );
}
