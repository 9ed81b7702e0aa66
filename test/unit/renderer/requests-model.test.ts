/** The Requests section's pure parts: labels, tones, the time shown, and which entries stay "New" during a visit. */
import { describe, expect, it } from 'vitest';
import type { RequestEntryView } from '../../../preload/contract.js';
import {
  missedText,
  newDuringVisit,
  requestKindLabel,
  requestTime,
  requestTone,
} from '../../../renderer/main/requests-model.js';
import { formatTime } from '../../../renderer/shared/format.js';

function entry(id: string, seen: boolean): RequestEntryView {
  return {
    id,
    kind: 'chat',
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent' },
    subject: 'Invoice dispute',
    outcome: 'expired',
    text: 'Missed: it expired before you answered.',
    offeredAt: '2026-11-24T09:00:00.000Z',
    endedAt: '2026-11-24T09:00:20.000Z',
    seen,
  };
}

describe('requests model', () => {
  it('labels each kind; missed, elsewhere and declined tones', () => {
    expect(
      ['chat', 'call-preview', 'call'].map((k) => requestKindLabel(k as RequestEntryView['kind'])),
    ).toEqual(['Chat request', 'Call request', 'Call']);
    expect(requestTone('expired')).toBe('missed');
    expect(requestTone('missed')).toBe('missed');
    expect(requestTone('closed')).toBe('missed');
    expect(requestTone('taken')).toBe('elsewhere');
    expect(requestTone('withdrawn')).toBe('elsewhere');
    expect(requestTone('declined')).toBe('declined');
    expect([missedText(1), missedText(3)]).toEqual(['1 missed request', '3 missed requests']);
  });

  it('the time today; the day before it otherwise', () => {
    const at = new Date(2026, 10, 24, 14, 5).toISOString();
    expect(requestTime(at, new Date(2026, 10, 24, 18, 0).getTime(), 'en-GB')).toBe(formatTime(at, 'en-GB'));
    expect(requestTime(at, new Date(2026, 10, 25, 9, 0).getTime(), 'en-GB')).toBe(
      `Yesterday ${formatTime(at, 'en-GB')}`,
    );
    expect(requestTime(at, new Date(2026, 10, 30, 9, 0).getTime(), 'en-GB')).toBe(
      `24 Nov ${formatTime(at, 'en-GB')}`,
    );
    expect(requestTime('not a time', Date.now())).toBe('');
  });

  it('entries unseen when they appear stay "New" for the visit, after main marks them seen', () => {
    const first = newDuringVisit(new Set(), [entry('a', false), entry('b', true)]);
    expect([...first]).toEqual(['a']);
    // Main marked them seen: still new here.
    const afterSeen = newDuringVisit(first, [entry('a', true), entry('b', true)]);
    expect(afterSeen).toBe(first);
    // One more arrives while the section is open.
    expect([...newDuringVisit(afterSeen, [entry('c', false), entry('a', true)])]).toEqual(['a', 'c']);
  });
});
