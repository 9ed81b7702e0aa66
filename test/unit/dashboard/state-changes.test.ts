/** A flapping KW as the page sees it in the live stream (dashboard/live/state-changes.ts). */
import { describe, expect, it } from 'vitest';
import { snapshotFor } from '../../../dashboard/dev/fixtures.js';
import { FLAP_WINDOW_MS, StateChanges } from '../../../dashboard/live/state-changes.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const POINT = 'sip:billing-experts@lab.local';
const CHIARA = 'sip:chiara.rossi@lab.local';
const ANNA = 'sip:anna.keller@lab.local';

describe('state changes', () => {
  it('marks a member who changed state three times within five minutes, and only them', () => {
    const changes = new StateChanges();
    for (let tick = 0; tick < 3; tick++) {
      changes.observe(snapshotFor('flapping', T0 + tick * 1000, tick), T0 + tick * 1000);
    }
    expect(changes.flapping(POINT, CHIARA, T0 + 2000)).toBe(0);
    changes.observe(snapshotFor('flapping', T0 + 3000, 3), T0 + 3000);
    expect(changes.flapping(POINT, CHIARA, T0 + 3000)).toBe(3);
    expect(changes.flapping(POINT, ANNA, T0 + 3000)).toBe(0);
  });

  it('forgets changes older than the window', () => {
    const changes = new StateChanges();
    for (let tick = 0; tick < 4; tick++) changes.observe(snapshotFor('flapping', T0, tick), T0 + tick);
    expect(changes.flapping(POINT, CHIARA, T0 + 3)).toBe(3);
    expect(changes.flapping(POINT, CHIARA, T0 + FLAP_WINDOW_MS + 2)).toBe(0);
  });

  it('does not count repeated snapshots of a steady member', () => {
    const changes = new StateChanges();
    for (let i = 0; i < 5; i++) changes.observe(snapshotFor('busy', T0 + i * 1000), T0 + i * 1000);
    expect(changes.flapping(POINT, CHIARA, T0 + 5000)).toBe(0);
  });
});
