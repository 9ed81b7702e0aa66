/**
 * test/support/cleanup.ts: teardowns run in reverse order; a run of peers stops
 * together, and a barrier waits for everything registered after it. The first
 * test registers, its afterEach runs them, the second reads what happened.
 */
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../support/cleanup.js';

describe('cleanupAfterEach', () => {
  const later = cleanupAfterEach();
  const events: string[] = [];

  /** A teardown that logs its start, waits a turn of the event loop, and logs its end. */
  const step = (name: string) => async () => {
    events.push(`${name} start`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    events.push(`${name} end`);
  };

  it('registers a server, a folder, then three clients of which two are peers', () => {
    later(step('server'));
    later(step('folder'));
    later.peer(step('kw'));
    later.peer(step('agent'));
    later(step('tap'));
    later.peer(async () => {
      events.push('bot start');
      throw new Error('a failing teardown does not stop the others');
    });
  });

  it('ran them newest first: peers together, each barrier alone after what came later', () => {
    expect(events).toEqual([
      'bot start',
      'tap start',
      'tap end',
      'agent start',
      'kw start',
      'agent end',
      'kw end',
      'folder start',
      'folder end',
      'server start',
      'server end',
    ]);
  });
});
