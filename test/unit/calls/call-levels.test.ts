/**
 * One call's sound meter on a fake clock: measurements passed on at most once
 * per interval (the latest wins), silence when they stop, and the silent
 * microphone warning only after 5 s on a call where the KW should be heard.
 */
import { describe, expect, it } from 'vitest';
import {
  CallLevelMeter,
  MIC_SILENCE_MS,
  SILENT_LEVEL,
  STALE_AFTER_MS,
} from '../../../main/core/calls/call-levels.js';
import type { CallLevels } from '../../../main/core/calls/call-state.js';
import { LEVELS_INTERVAL_MS } from '../../../wire/media-host.js';
import { FakeClock } from '../../support/fake-clock.js';

function setup() {
  const clock = new FakeClock();
  const published: (CallLevels & { at: number })[] = [];
  const meter = new CallLevelMeter('call-1', clock, (l) => published.push({ ...l, at: clock.now() }));
  /** The host measures every `every` ms for `ms` ms. */
  const feed = (levels: { input: number; output: number }, ms: number, every = LEVELS_INTERVAL_MS) => {
    for (let t = 0; t < ms; t += every) {
      meter.measure(levels);
      clock.advance(every);
    }
  };
  return { clock, meter, published, feed };
}

const TALK = { input: 0.2, output: 0.1 };
const QUIET = { input: 0, output: 0.1 };

describe('call level meter', () => {
  it('passes the first measurement on at once, rounded, for its call', () => {
    const { meter, published } = setup();
    meter.measure({ input: 0.123456, output: 0.5 });
    expect(published).toEqual([
      { callId: 'call-1', input: 0.123, output: 0.5, inputSilent: false, at: expect.any(Number) },
    ]);
  });

  it('a host that measures too often is throttled to one per interval, the latest winning', () => {
    const { clock, meter, published } = setup();
    const start = clock.now();
    // 50 a second for 2 s: 100 measurements.
    for (let i = 0; i < 100; i++) {
      meter.measure({ input: i / 100, output: 0 });
      clock.advance(20);
    }
    expect(published.length).toBeLessThanOrEqual(2000 / LEVELS_INTERVAL_MS + 1);
    expect(published.length).toBeGreaterThanOrEqual(2000 / LEVELS_INTERVAL_MS - 1);
    for (let i = 1; i < published.length; i++) {
      expect((published[i]?.at ?? 0) - (published[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(
        LEVELS_INTERVAL_MS,
      );
    }
    // A delayed publish carries the newest value, not the one that started the wait.
    const second = published[1];
    expect(second?.input).toBeCloseTo(((second?.at ?? 0) - start - 20) / 20 / 100, 2);
  });

  it('no measurement for a second reads as silence, not as the last level frozen', () => {
    const { clock, meter, published } = setup();
    meter.measure(TALK);
    clock.advance(STALE_AFTER_MS - 1);
    expect(published).toHaveLength(1);
    clock.advance(1);
    expect(published.at(-1)).toMatchObject({ input: 0, output: 0 });
  });

  it('the microphone silent for 5 s on a call where the KW should be heard: inputSilent, until sound comes back', () => {
    const { meter, published, feed } = setup();
    meter.expectMic(true);
    feed(TALK, 1000);
    feed(QUIET, MIC_SILENCE_MS - LEVELS_INTERVAL_MS);
    expect(published.some((l) => l.inputSilent)).toBe(false);
    feed(QUIET, 2 * LEVELS_INTERVAL_MS);
    expect(published.at(-1)?.inputSilent).toBe(true);
    feed(TALK, LEVELS_INTERVAL_MS);
    expect(published.at(-1)).toMatchObject({ input: TALK.input, inputSilent: false });
  });

  it('a level just under the threshold counts as silence, just over it as sound', () => {
    const { meter, published, feed } = setup();
    meter.expectMic(true);
    feed({ input: SILENT_LEVEL * 0.9, output: 0 }, MIC_SILENCE_MS + 400);
    expect(published.at(-1)?.inputSilent).toBe(true);
    feed({ input: SILENT_LEVEL * 1.1, output: 0 }, MIC_SILENCE_MS + 400);
    expect(published.slice(-20).every((l) => !l.inputSilent)).toBe(true);
  });

  it('muted or held (the KW is not expected to be heard): never inputSilent; unmuting starts the count again', () => {
    const { meter, published, feed } = setup();
    meter.expectMic(false);
    feed(QUIET, 3 * MIC_SILENCE_MS);
    expect(published.some((l) => l.inputSilent)).toBe(false);
    meter.expectMic(true);
    feed(QUIET, MIC_SILENCE_MS - LEVELS_INTERVAL_MS);
    expect(published.at(-1)?.inputSilent).toBe(false);
    feed(QUIET, 2 * LEVELS_INTERVAL_MS);
    expect(published.at(-1)?.inputSilent).toBe(true);
  });

  it('muting clears the warning at once, without waiting for the next measurement', () => {
    const { clock, meter, published, feed } = setup();
    meter.expectMic(true);
    feed(QUIET, MIC_SILENCE_MS + 400);
    expect(published.at(-1)?.inputSilent).toBe(true);
    const before = published.length;
    clock.advance(LEVELS_INTERVAL_MS);
    meter.expectMic(false);
    expect(published.length).toBe(before + 1);
    expect(published.at(-1)?.inputSilent).toBe(false);
  });

  it('a host that stops measuring while the KW should be heard ends in the warning too (silence is read)', () => {
    const { clock, meter, published } = setup();
    meter.expectMic(true);
    meter.measure(TALK);
    clock.advance(STALE_AFTER_MS + MIC_SILENCE_MS + STALE_AFTER_MS);
    expect(published.at(-1)).toMatchObject({ input: 0, output: 0, inputSilent: true });
  });

  it('nothing is published before the first measurement, nor after stop', () => {
    const { clock, meter, published } = setup();
    meter.expectMic(true);
    meter.expectMic(false);
    clock.advance(10_000);
    expect(published).toEqual([]);
    meter.measure(TALK);
    clock.advance(50);
    meter.measure(TALK); // waits for the interval
    meter.stop();
    meter.measure(TALK);
    clock.advance(10_000);
    expect(published).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });
});
