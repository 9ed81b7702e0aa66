/** The dashboard's words for durations, times and reasons (dashboard/format.ts). */
import { describe, expect, it } from 'vitest';
import {
  boundWords,
  clockTime,
  durationWords,
  forDuration,
  measuredTime,
  ordinal,
  reasonWords,
  stateLabel,
  waitWords,
} from '../../../dashboard/format.js';

describe('dashboard format', () => {
  it('says durations in seconds, minutes, then hours and minutes', () => {
    expect(durationWords(0)).toBe('0 s');
    expect(durationWords(59_999)).toBe('59 s');
    expect(durationWords(3 * 60_000 + 59_000)).toBe('3 min');
    expect(durationWords(3_600_000)).toBe('1 h');
    expect(durationWords(3_900_000)).toBe('1 h 5 min');
    expect(durationWords(-5)).toBe('0 s');
  });

  it('keeps the seconds of a wait under two minutes', () => {
    expect(waitWords(45_000)).toBe('45 s');
    expect(waitWords(60_000)).toBe('1 min');
    expect(waitWords(80_500)).toBe('1 min 20 s');
    expect(waitWords(7 * 60_000)).toBe('7 min');
  });

  it('says since when relative to now, and nothing for a time it cannot read', () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    expect(forDuration('2026-03-02T09:57:00Z', now)).toBe('for 3 min');
    expect(forDuration('2026-03-02T10:00:05Z', now)).toBe('for 0 s');
    expect(forDuration('yesterday', now)).toBe('');
  });

  it('formats measured times and a missing one', () => {
    expect(measuredTime(null)).toBe('–');
    expect(measuredTime(850.4)).toBe('850 ms');
    expect(measuredTime(4210)).toBe('4.2 s');
    expect(measuredTime(21 * 60_000)).toBe('21 min');
    expect(boundWords(500)).toBe('500 ms');
    expect(boundWords(2000)).toBe('2 s');
    expect(boundWords(2500)).toBe('2.5 s');
  });

  it('shows local 24-hour clock times', () => {
    const local = new Date(2026, 2, 2, 9, 5, 30);
    expect(clockTime(local.toISOString())).toBe('09:05');
    expect(clockTime('not a time')).toBe('');
  });

  it('names states, reasons and positions in words', () => {
    expect(stateLabel('NotReady')).toBe('Not ready');
    expect(stateLabel('LoggedOut')).toBe('Logged out');
    expect(stateLabel('Ready')).toBe('Ready');
    expect(reasonWords('  ')).toBe('no reason given');
    expect(reasonWords('in a meeting')).toBe('in a meeting');
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
    ]);
  });
});
