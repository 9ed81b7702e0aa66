/** The Node media host's audio: µ-law both ways, tone detection, silence. */
import { describe, expect, it } from 'vitest';
import {
  AudioMeter,
  FRAME_SAMPLES,
  ToneSource,
  linearToUlaw,
  toneShare,
  ulawToLinear,
} from '../../../lab/node-media/audio.js';

describe('node media audio', () => {
  it('µ-law encodes and decodes within G.711 precision', () => {
    for (const x of [0, 1, -1, 100, -100, 1000, -1000, 8000, -8000, 32000, -32000]) {
      const back = ulawToLinear(linearToUlaw(x));
      expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.max(8, Math.abs(x) * 0.07));
    }
    expect(linearToUlaw(0)).toBe(0xff);
  });

  it('a tone source is heard at its frequency only; silence is heard as nothing', () => {
    let now = 0;
    const meter = new AudioMeter(() => now);
    const tone = new ToneSource(440);
    for (let i = 0; i < 15; i++) {
      now += 20;
      meter.pushUlaw(tone.nextFrame());
    }
    const h = meter.hears([440, 1000], 300);
    expect(h[440]).toBe(true);
    expect(h[1000]).toBe(false);
    expect(h.rms).toBeGreaterThan(0.1);
    for (let i = 0; i < 15; i++) {
      now += 20;
      meter.pushUlaw(ToneSource.silentFrame());
    }
    const quiet = meter.hears([440, 1000], 300);
    expect([quiet[440], quiet[1000], quiet.rms]).toEqual([false, false, 0]);
    // Nothing arrived in the window at all.
    now += 5000;
    expect(meter.hears([440], 300)).toEqual({ 440: false, rms: 0 });
  });

  it('tone share is near 1 at the tone and near 0 elsewhere', () => {
    const samples = new Float32Array(FRAME_SAMPLES * 10).map((_, i) =>
      Math.sin((2 * Math.PI * 1000 * i) / 8000),
    );
    expect(toneShare(samples, 1000)).toBeGreaterThan(0.9);
    expect(toneShare(samples, 440)).toBeLessThan(0.05);
  });
});
