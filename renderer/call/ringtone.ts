/**
 * The ringtone, generated with WebAudio (no audio files): two soft dual-tone
 * bursts every 3 s for a call; a short double beep every 5 s for a call
 * waiting (the KW is already talking, a full ring would drown the call).
 */
export type RingKind = 'ring' | 'waiting';

/** What the call popup needs of a ringtone (tests and previews may pass a silent one). */
export interface Ringer {
  start(kind: RingKind): void;
  stop(): void;
}

function burst(
  ctx: AudioContext,
  start: number,
  freqs: readonly number[],
  length: number,
  volume: number,
): void {
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(volume, start + 0.02);
  gain.gain.setValueAtTime(volume, start + length - 0.05);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
  gain.connect(ctx.destination);
  for (const f of freqs) {
    const osc = ctx.createOscillator();
    osc.type = 'sine';
    osc.frequency.value = f;
    osc.connect(gain);
    osc.start(start);
    osc.stop(start + length + 0.02);
  }
}

function pattern(ctx: AudioContext, kind: RingKind): void {
  const t = ctx.currentTime + 0.02;
  if (kind === 'ring') {
    burst(ctx, t, [660, 880], 0.4, 0.12);
    burst(ctx, t + 0.6, [660, 880], 0.4, 0.12);
  } else {
    burst(ctx, t, [520], 0.14, 0.08);
    burst(ctx, t + 0.25, [520], 0.14, 0.08);
  }
}

export class Ringtone implements Ringer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private kind: RingKind | null = null;
  private context: AudioContext | null = null;

  /** Starts (or switches to) a pattern; the same one again does nothing. */
  start(kind: RingKind): void {
    if (this.kind === kind) return;
    this.stop();
    try {
      this.context ??= new AudioContext();
      const ctx = this.context;
      if (ctx.state === 'suspended') void ctx.resume();
      this.kind = kind;
      pattern(ctx, kind);
      this.timer = setInterval(() => pattern(ctx, kind), kind === 'ring' ? 3000 : 5000);
    } catch {
      // No audio device or autoplay refused: the popup still shows the call.
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.kind = null;
    // Cut what is already scheduled; a new context starts clean next time.
    if (this.context) {
      void this.context.close().catch(() => undefined);
      this.context = null;
    }
  }
}
