/**
 * The call meters' two pure parts: the media host reading levels from
 * getStats entries (as Chromium words them), and the meter's scale.
 */
import { describe, expect, it } from 'vitest';
import { readLevels } from '../../../renderer/media/levels.js';
import { litSegments, meterFraction, meterPercent, meterWord } from '../../../renderer/main/level-scale.js';

/** A media-source (microphone) and an inbound-rtp (far end) entry with running totals. */
function report(mic: { energy: number; seconds: number }, far: { energy: number; seconds: number }) {
  return [
    {
      type: 'media-source',
      kind: 'audio',
      audioLevel: 0.9,
      totalAudioEnergy: mic.energy,
      totalSamplesDuration: mic.seconds,
    },
    {
      type: 'inbound-rtp',
      kind: 'audio',
      audioLevel: 0.9,
      totalAudioEnergy: far.energy,
      totalSamplesDuration: far.seconds,
    },
    { type: 'outbound-rtp', kind: 'audio', packetsSent: 500 },
    { type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.01 },
  ];
}

describe('media host: levels from getStats', () => {
  it('is the mean level of the audio since the last reading (energy over seconds), not the last instant', () => {
    const first = readLevels(report({ energy: 1, seconds: 10 }, { energy: 2, seconds: 10 }));
    // 0.2 s more: a microphone at 0.5 (0.25 × 0.2 s of energy), a far end at 0.1.
    const next = readLevels(
      report({ energy: 1 + 0.25 * 0.2, seconds: 10.2 }, { energy: 2 + 0.01 * 0.2, seconds: 10.2 }),
      first.totals,
    );
    expect(next.levels.input).toBeCloseTo(0.5, 6);
    expect(next.levels.output).toBeCloseTo(0.1, 6);
  });

  it('no new audio since the last reading is silence, whatever audioLevel still says', () => {
    const first = readLevels(report({ energy: 1, seconds: 10 }, { energy: 2, seconds: 10 }));
    const same = readLevels(report({ energy: 1, seconds: 10 }, { energy: 2, seconds: 10 }), first.totals);
    expect(same.levels).toEqual({ input: 0, output: 0 });
  });

  it('the first reading, totals that went back (a new sender) or none at all fall back to audioLevel', () => {
    expect(readLevels(report({ energy: 1, seconds: 10 }, { energy: 1, seconds: 10 })).levels).toEqual({
      input: 0.9,
      output: 0.9,
    });
    const before = readLevels(report({ energy: 5, seconds: 50 }, { energy: 5, seconds: 50 })).totals;
    expect(
      readLevels(report({ energy: 1, seconds: 1 }, { energy: 1, seconds: 1 }), before).levels.input,
    ).toBe(0.9);
    const bare = [
      { type: 'media-source', kind: 'audio', audioLevel: 0.3 },
      { type: 'inbound-rtp', kind: 'audio', audioLevel: 0.02 },
    ];
    expect(readLevels(bare, before).levels).toEqual({ input: 0.3, output: 0.02 });
  });

  it('sums every audio stream, skips video and nonsense, and stays within 0..1', () => {
    const entries = [
      { type: 'inbound-rtp', kind: 'audio', totalAudioEnergy: 1, totalSamplesDuration: 1 },
      { type: 'inbound-rtp', kind: 'audio', totalAudioEnergy: 1, totalSamplesDuration: 1 },
      { type: 'inbound-rtp', kind: 'video', totalAudioEnergy: 900, totalSamplesDuration: 1 },
      { type: 'media-source', kind: 'audio', audioLevel: 7 },
      { type: 'media-source', kind: 'audio', audioLevel: Number.NaN, totalAudioEnergy: -1 },
      null,
      'garbage',
    ];
    const before = { input: undefined, output: { energy: 0, seconds: 0 } };
    const { levels } = readLevels(entries, before);
    expect(levels.output).toBe(1);
    expect(levels.input).toBe(1);
    expect(readLevels([]).levels).toEqual({ input: 0, output: 0 });
  });
});

describe('call meter scale', () => {
  it('is in decibels from −60 dBFS (empty) to full scale', () => {
    expect(meterFraction(0)).toBe(0);
    expect(meterFraction(0.001)).toBeCloseTo(0, 6);
    expect(meterFraction(0.01)).toBeCloseTo(1 / 3, 6);
    expect(meterFraction(0.1)).toBeCloseTo(2 / 3, 6);
    expect(meterFraction(1)).toBe(1);
    expect(meterFraction(Number.NaN)).toBe(0);
    expect(meterFraction(5)).toBe(1);
  });

  it('lights the first segment for any sound above the floor, all five near full scale', () => {
    expect([0, 0.0009, 0.0011, 0.01, 0.05, 0.2, 0.9].map(litSegments)).toEqual([0, 0, 1, 2, 3, 4, 5]);
    expect(meterPercent(0.1)).toBe(67);
    expect([0, 0.002, 0.05, 0.9].map(meterWord)).toEqual(['Silent', 'Low', 'Medium', 'High']);
  });
});
