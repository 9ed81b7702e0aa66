/** A short two-tone chime, generated with WebAudio (no audio files). */
const TONES: readonly (readonly [frequency: number, offset: number])[] = [
  [880, 0],
  [1175, 0.14],
];

/** How many chimes `data-chimes` keeps (a popup stays open for days). */
const MARKED_CHIMES = 20;

export class Chime {
  /** Made on the first chime (not before: an AudioContext is a real audio resource) and kept for the next ones. */
  private context: AudioContext | null = null;

  /**
   * `marker` gets `data-chimes`, the loudness of the last chimes played
   * ("1 2 3"): what an e2e test observes, since headless Chromium plays to no speaker.
   */
  constructor(private readonly marker: HTMLElement | undefined = globalThis.document?.documentElement) {}

  /** `loudness` 1 is the normal chime; a reminder for an unseen request plays louder (2, 3). */
  play(loudness = 1): void {
    try {
      this.context ??= new AudioContext();
      const ctx = this.context;
      if (ctx.state === 'suspended') void ctx.resume();
      const t0 = ctx.currentTime + 0.01;
      for (const [freq, offset] of TONES) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = freq;
        const start = t0 + offset;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(Math.min(0.18 * loudness, 0.6), start + 0.015);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start);
        osc.stop(start + 0.25);
      }
      this.mark(loudness);
    } catch {
      // No audio device or autoplay refused: the preview still shows.
    }
  }

  private mark(loudness: number): void {
    if (!this.marker) return;
    const played = (this.marker.dataset['chimes'] ?? '').split(' ').filter(Boolean);
    this.marker.dataset['chimes'] = [...played, String(loudness)].slice(-MARKED_CHIMES).join(' ');
  }
}
