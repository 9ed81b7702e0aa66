import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../preload/contract.js';

describe('presence.set with an end time', () => {
  it('only Do not disturb takes one, and only a real ISO time', () => {
    const until = '2026-12-05T15:30:00.000Z';
    expect(checkCommand('presence.set', { state: 'dnd', until })).toEqual({
      ok: true,
      input: { state: 'dnd', until },
    });
    expect(checkCommand('presence.set', { state: 'busy', until })).toEqual({
      ok: false,
      error: 'invalid input for presence.set at until: only Do not disturb can have an end time',
    });
    expect(checkCommand('presence.set', { state: 'dnd', until: '2026-02-30T10:00:00Z' })).toMatchObject({
      ok: false,
      error: 'invalid input for presence.set at until: not an ISO time',
    });
  });
});
