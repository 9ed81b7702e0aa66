import { describe, expect, it } from 'vitest';
import { nextTimeOfDay, untilText } from '../../../wire/presence/timed-dnd.js';

const now = new Date(2026, 11, 5, 14, 0); // Saturday 5 December, 14:00 local

describe('timed Do not disturb: end times in words', () => {
  it('HH:MM later today is today; earlier or now is tomorrow; anything else is no time', () => {
    expect(nextTimeOfDay('15:30', now)).toEqual(new Date(2026, 11, 5, 15, 30));
    expect(nextTimeOfDay('09:00', now)).toEqual(new Date(2026, 11, 6, 9, 0));
    expect(nextTimeOfDay('14:00', now)).toEqual(new Date(2026, 11, 6, 14, 0));
    for (const bad of ['24:00', '9:00', '12:60', 'noon', '']) expect(nextTimeOfDay(bad, now)).toBeUndefined();
  });

  it('reads as today, tomorrow or the weekday', () => {
    expect(untilText(new Date(2026, 11, 5, 15, 30), now)).toBe('until 15:30');
    expect(untilText(new Date(2026, 11, 6, 9, 5), now)).toBe('until tomorrow 09:05');
    expect(untilText(new Date(2026, 11, 8, 9, 0), now)).toBe('until Tue 09:00');
  });
});
