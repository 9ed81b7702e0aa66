/**
 * The audio of the Node media host, with no codec engine: a sine tone as
 * G.711 µ-law (PCMU) frames, µ-law decoding, and a meter that tells whether
 * given frequencies are heard (Goertzel) and how loud (RMS).
 */

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;

const BIAS = 0x84;
const CLIP = 32635;

/** ITU-T G.711 µ-law encoding of one 16-bit sample. */
export function linearToUlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** ITU-T G.711 µ-law decoding to a 16-bit sample. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return sign ? -magnitude : magnitude;
}

/** µ-law for digital silence. */
export const ULAW_SILENCE = linearToUlaw(0);

/** A continuous sine, one 20 ms PCMU frame at a time (the phase carries over). */
export class ToneSource {
  private phase = 0;
  constructor(
    public frequencyHz: number,
    private readonly amplitude = 0.3,
  ) {}

  nextFrame(): Buffer {
    const frame = Buffer.alloc(FRAME_SAMPLES);
    const step = (2 * Math.PI * this.frequencyHz) / SAMPLE_RATE;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      frame[i] = linearToUlaw(Math.sin(this.phase) * this.amplitude * 32767);
      this.phase += step;
    }
    this.phase %= 2 * Math.PI;
    return frame;
  }

  static silentFrame(): Buffer {
    return Buffer.alloc(FRAME_SAMPLES, ULAW_SILENCE);
  }
}

/** Signal power at one frequency over the total power: ≈1 for a pure tone at it, ≈0 away from it. */
export function toneShare(samples: Float32Array, frequencyHz: number, sampleRate = SAMPLE_RATE): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i] ?? 0;
    energy += x * x;
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  if (energy === 0) return 0;
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * power) / (n * energy);
}

export function rmsOf(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / samples.length);
}

export interface Hearing {
  /** Per asked frequency (Hz): heard in the window. */
  readonly [hz: number]: boolean;
  /** RMS of what arrived in the window, 0..1 (0 when nothing arrived). */
  readonly rms: number;
}

/** Received audio, by arrival time, for the last few seconds. */
export class AudioMeter {
  private chunks: Array<{ at: number; samples: Float32Array }> = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly keepMs = 5000,
  ) {}

  pushUlaw(payload: Uint8Array): void {
    const samples = new Float32Array(payload.length);
    for (let i = 0; i < payload.length; i++) samples[i] = ulawToLinear(payload[i] ?? ULAW_SILENCE) / 32768;
    const at = this.now();
    this.chunks.push({ at, samples });
    while (this.chunks.length > 0 && (this.chunks[0]?.at ?? at) < at - this.keepMs) this.chunks.shift();
  }

  window(windowMs: number): Float32Array {
    const since = this.now() - windowMs;
    const recent = this.chunks.filter((c) => c.at > since);
    const out = new Float32Array(recent.reduce((n, c) => n + c.samples.length, 0));
    let at = 0;
    for (const c of recent) {
      out.set(c.samples, at);
      at += c.samples.length;
    }
    return out;
  }

  /** Whether each frequency stands out in the last `windowMs` of audio, and its RMS. */
  hears(frequencies: readonly number[], windowMs: number): Hearing {
    const samples = this.window(windowMs);
    const rms = rmsOf(samples);
    // Under ~10 ms of audio or near-silence: nothing is heard.
    const audible = samples.length >= SAMPLE_RATE / 100 && rms > 0.01;
    const result: Record<number, boolean> = {};
    for (const f of frequencies) result[f] = audible && toneShare(samples, f) > 0.3;
    return Object.assign(result, { rms });
  }

  level(windowMs = 100): number {
    return Math.min(1, rmsOf(this.window(windowMs)));
  }
}
