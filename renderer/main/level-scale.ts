/**
 * How a linear sound level (0..1, 1 = full scale) shows on a 5-segment meter:
 * on a decibel scale, as ears hear it, from −60 dBFS (empty: a dead
 * microphone reads 0) to 0 dBFS (full). Speech lands around the middle.
 */
export const METER_SEGMENTS = 5;
const FLOOR_DB = -60;

/** 0..1 along the meter. */
export function meterFraction(level: number): number {
  if (!(level > 0)) return 0;
  const db = 20 * Math.log10(Math.min(1, level));
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}

/** Segments lit: any sound above the floor lights the first one. */
export function litSegments(level: number): number {
  return Math.ceil(meterFraction(level) * METER_SEGMENTS);
}

/** The meter's value for assistive technology, 0..100. */
export function meterPercent(level: number): number {
  return Math.round(meterFraction(level) * 100);
}

/** The meter in a word, for assistive technology. */
export function meterWord(level: number): string {
  const lit = litSegments(level);
  if (lit === 0) return 'Silent';
  if (lit <= 2) return 'Low';
  if (lit <= 4) return 'Medium';
  return 'High';
}
