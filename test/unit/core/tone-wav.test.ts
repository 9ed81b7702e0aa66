import { describe, expect, it } from 'vitest';
import { toneWav } from '../../support/tone-wav.js';

describe('toneWav (test support)', () => {
  it('is a mono 16-bit PCM WAV of whole periods of the tone', () => {
    const wav = toneWav(440, 1, 48_000);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(48_000);
    const samples = wav.readUInt32LE(40) / 2;
    expect(samples).toBe(48_000);
    // Zero crossings upward ≈ the frequency over one second.
    let ups = 0;
    for (let i = 1; i < samples; i++) {
      if (wav.readInt16LE(44 + (i - 1) * 2) < 0 && wav.readInt16LE(44 + i * 2) >= 0) ups++;
    }
    expect(Math.abs(ups - 440)).toBeLessThanOrEqual(1);
  });
});
