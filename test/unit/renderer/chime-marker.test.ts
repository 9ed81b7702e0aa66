/**
 * The chime marks what it played on an element (`data-chimes`), which the
 * alerts e2e test reads: headless Chromium plays to no speaker. A fake
 * AudioContext stands in for WebAudio (Node has none); without one the chime
 * fails quietly and marks nothing. Imported by a computed path: sound.ts uses
 * the DOM's types, which the test project compiles without.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

interface Marker {
  readonly dataset: Record<string, string | undefined>;
}
type ChimeClass = new (marker?: Marker) => { play(loudness?: number): void };

async function chimeClass(): Promise<ChimeClass> {
  const path = '../../../renderer/shared/sound.js';
  return ((await import(/* @vite-ignore */ path)) as { Chime: ChimeClass }).Chime;
}

/** The parts of WebAudio the chime uses, recording each gain peak it asks for. */
class FakeAudioContext {
  static readonly peaks: number[] = [];
  readonly state = 'running';
  readonly currentTime = 0;
  readonly destination = {};
  createOscillator() {
    return { type: '', frequency: { value: 0 }, connect: (n: unknown) => n, start() {}, stop() {} };
  }
  createGain() {
    const node = {
      gain: {
        setValueAtTime() {},
        exponentialRampToValueAtTime: (value: number) => {
          if (value > 0.001) FakeAudioContext.peaks.push(value);
        },
      },
      connect: (n: unknown) => n,
    };
    return node;
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeAudioContext.peaks.length = 0;
});

describe('chime marker', () => {
  it('marks the loudness of each chime played, louder ones louder', async () => {
    vi.stubGlobal('AudioContext', FakeAudioContext);
    const marker: Marker = { dataset: {} };
    const chime = new (await chimeClass())(marker);
    chime.play();
    chime.play(2);
    chime.play(3);
    expect(marker.dataset['chimes']).toBe('1 2 3');
    // Two tones a chime; each level's peak above the one before.
    expect(FakeAudioContext.peaks).toEqual(
      [0.18, 0.18, 0.36, 0.36, 0.54, 0.54].map((n) => expect.closeTo(n)),
    );
  });

  it('keeps the last 20 only', async () => {
    vi.stubGlobal('AudioContext', FakeAudioContext);
    const marker: Marker = { dataset: {} };
    const chime = new (await chimeClass())(marker);
    for (let i = 0; i < 25; i++) chime.play(i % 2 ? 2 : 1);
    expect(marker.dataset['chimes']?.split(' ')).toHaveLength(20);
  });

  it('marks nothing when no chime could play (no WebAudio)', async () => {
    vi.stubGlobal('AudioContext', undefined);
    const marker: Marker = { dataset: {} };
    new (await chimeClass())(marker).play();
    expect(marker.dataset['chimes']).toBeUndefined();
  });
});
