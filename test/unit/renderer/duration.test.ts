import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../renderer/shared/model.js';

describe('formatDuration', () => {
  it('shows minutes and seconds, hours only when needed', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7_900)).toBe('0:07');
    expect(formatDuration(252_000)).toBe('4:12');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });
  it('never shows a negative time', () => {
    expect(formatDuration(-5000)).toBe('0:00');
  });
});
