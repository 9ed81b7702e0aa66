import { describe, expect, it } from 'vitest';
import {
  formatListTime,
  humanKey,
  initials,
  oneLine,
  remainingFraction,
  secondsLeft,
} from '../../../renderer/shared/format.js';

const T = Date.parse('2026-11-10T12:00:00.000Z');
const iso = (ms: number) => new Date(T + ms).toISOString();

describe('countdown math', () => {
  it('counts whole seconds up, never below zero', () => {
    expect(secondsLeft(iso(30_000), T)).toBe(30);
    expect(secondsLeft(iso(29_001), T)).toBe(30);
    expect(secondsLeft(iso(29_000), T)).toBe(29);
    expect(secondsLeft(iso(1), T)).toBe(1);
    expect(secondsLeft(iso(0), T)).toBe(0);
    expect(secondsLeft(iso(-5000), T)).toBe(0);
    expect(secondsLeft('not a date', T)).toBe(0);
  });

  it('gives the part of the time left for the bar, clamped to 0..1', () => {
    expect(remainingFraction(iso(0), iso(30_000), T)).toBe(1);
    expect(remainingFraction(iso(0), iso(30_000), T + 15_000)).toBe(0.5);
    expect(remainingFraction(iso(0), iso(30_000), T + 40_000)).toBe(0);
    expect(remainingFraction(iso(0), iso(30_000), T - 1000)).toBe(1);
    expect(remainingFraction(iso(0), iso(0), T - 1)).toBe(1);
    expect(remainingFraction('bad', iso(10_000), T)).toBe(1);
  });
});

describe('formatters', () => {
  it('shows a time today, "Yesterday", then a date', () => {
    const now = new Date(2026, 10, 10, 15, 0).getTime();
    expect(formatListTime(new Date(2026, 10, 10, 9, 5).toISOString(), now, 'en-GB')).toBe('09:05');
    expect(formatListTime(new Date(2026, 10, 9, 23, 59).toISOString(), now, 'en-GB')).toBe('Yesterday');
    expect(formatListTime(new Date(2026, 10, 2, 8, 0).toISOString(), now, 'en-GB')).toBe('2 Nov');
    expect(formatListTime('garbage', now)).toBe('');
  });

  it('makes initials, one-line snippets and readable keys', () => {
    expect(initials('Agent One')).toBe('AO');
    expect(initials('sip:jane.cooper@lab.local')).toBe('JL');
    expect(initials('Zoë')).toBe('Z');
    expect(initials('')).toBe('?');
    expect(oneLine('a\n  b\tc')).toBe('a b c');
    expect(oneLine('x'.repeat(10), 5)).toBe('xxxx…');
    expect(humanKey('CustomerName')).toBe('Customer Name');
    expect(humanKey('case_number')).toBe('Case number');
  });
});
