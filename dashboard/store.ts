/** The page's state as signals: who is signed in, the live feed and its latest snapshot, the clock, the view. */
import { signal } from '@preact/signals';
import type { DashboardSnapshot } from '../wire/dashboard.js';
import type { FeedState } from './live/live-feed.js';
import { StateChanges } from './live/state-changes.js';

export type Auth = 'checking' | 'signed-out' | 'signed-in';

export const auth = signal<Auth>('checking');
/** Why the login form is shown again ('' on first visit). */
export const signInNote = signal('');
export const feedState = signal<FeedState>('connecting');
export const snapshot = signal<DashboardSnapshot | null>(null);
/** Router time minus page time, from the last snapshot: relative times use the router's clock. */
export const clockOffsetMs = signal(0);
/** Now on the router's clock, ticking each second (for "for 3 min" and waits). */
export const now = signal(Date.now());
export const view = signal<'live' | 'dry-run'>('live');
export const scheme = signal<'light' | 'dark'>('light');
/** Members' state changes as this page saw them (to point out a flapping KW). */
export const stateChanges = new StateChanges();

export function acceptSnapshot(next: DashboardSnapshot): void {
  const at = Date.parse(next.at);
  if (!Number.isNaN(at)) clockOffsetMs.value = at - Date.now();
  now.value = Date.now() + clockOffsetMs.value;
  stateChanges.observe(next, now.value);
  snapshot.value = next;
}

export function startClock(): void {
  setInterval(() => {
    now.value = Date.now() + clockOffsetMs.value;
  }, 1000);
}

/** Follows the OS colour scheme (the charts are redrawn in the other colours). */
export function followColourScheme(): void {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  scheme.value = query.matches ? 'dark' : 'light';
  query.addEventListener('change', (e) => {
    scheme.value = e.matches ? 'dark' : 'light';
  });
}
