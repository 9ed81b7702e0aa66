/**
 * WebAudio for the lab pages: a test tone sent as the "microphone", and an ear
 * that measures which frequencies the remote side sends. The ear analyses the
 * MediaStreams themselves (not an <audio> element, which reports silence when
 * muted), so tests can assert who hears whom.
 */
import { h } from './dom.js';

let shared: AudioContext | undefined;

/** One AudioContext per page. Browsers start it suspended until a user gesture (unless autoplay is allowed). */
export function audioContext(): AudioContext {
  if (!shared) {
    shared = new AudioContext();
    const resume = (): void => void shared?.resume();
    document.addEventListener('pointerdown', resume);
    document.addEventListener('keydown', resume);
  }
  return shared;
}

/** A sine tone as a MediaStream: what the lab sends instead of a person's voice. */
export class Tone {
  readonly stream: MediaStream;
  private readonly osc: OscillatorNode;
  private readonly gain: GainNode;

  constructor(hz: number, level = 0.25) {
    const ctx = audioContext();
    this.osc = ctx.createOscillator();
    this.osc.frequency.value = hz;
    this.gain = ctx.createGain();
    this.gain.gain.value = level;
    const out = ctx.createMediaStreamDestination();
    this.osc.connect(this.gain).connect(out);
    this.osc.start();
    this.stream = out.stream;
  }

  get frequency(): number {
    return this.osc.frequency.value;
  }

  set frequency(hz: number) {
    this.osc.frequency.value = hz;
  }
}

/** A microphone as it is, without echo cancellation, noise suppression or gain control (a tone stays a tone). */
export const RAW_MICROPHONE: MediaTrackConstraints = {
  echoCancellation: false,
  noiseSuppression: false,
  autoGainControl: false,
};

/** The local voice: a test tone when `toneHz` is given, else the microphone. */
export async function localVoice(
  toneHz: number | undefined,
): Promise<{ stream: MediaStream; label: string }> {
  if (toneHz !== undefined) return { stream: new Tone(toneHz).stream, label: `test tone ${toneHz} Hz` };
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  return { stream, label: stream.getAudioTracks()[0]?.label || 'microphone' };
}

/**
 * The microphone, or a test tone at `fallbackHz` when there is none or it is
 * refused (a lab machine often has no microphone): a call still carries sound
 * both ways. `missing` says why, in words, when the tone stands in.
 */
export async function voiceOrTone(
  toneHz: number | undefined,
  fallbackHz: number,
): Promise<{ stream: MediaStream; label: string; missing?: string }> {
  try {
    return await localVoice(toneHz);
  } catch (error) {
    const missing = microphoneProblem(error);
    return { stream: new Tone(fallbackHz).stream, label: `test tone ${fallbackHz} Hz`, missing };
  }
}

function microphoneProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError') return 'the browser did not allow the microphone';
  if (name === 'NotFoundError') return 'this computer has no microphone';
  if (name === 'NotReadableError') return 'the microphone is in use by another program';
  // No navigator.mediaDevices: the page was not opened from localhost or https.
  if (error instanceof TypeError) return 'a microphone needs the page opened from 127.0.0.1 or https';
  return 'the microphone could not be opened';
}

export interface Level {
  readonly hz: number;
  /** Peak level around hz in dBFS (−Infinity when nothing is connected). */
  readonly db: number;
  readonly heard: boolean;
}

/** Measures the energy at given frequencies in the sum of the streams added to it. */
export class Ear {
  private readonly analyser: AnalyserNode;
  private readonly mix: GainNode;
  private readonly sources = new Map<MediaStream, MediaStreamAudioSourceNode>();
  private readonly bins: Float32Array<ArrayBuffer>;

  constructor(private readonly thresholdDb = -50) {
    const ctx = audioContext();
    this.mix = ctx.createGain();
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 8192;
    this.analyser.smoothingTimeConstant = 0.6;
    this.mix.connect(this.analyser);
    this.bins = new Float32Array(this.analyser.frequencyBinCount);
  }

  add(stream: MediaStream): void {
    if (this.sources.has(stream) || stream.getAudioTracks().length === 0) return;
    const source = audioContext().createMediaStreamSource(stream);
    source.connect(this.mix);
    this.sources.set(stream, source);
  }

  remove(stream: MediaStream): void {
    this.sources.get(stream)?.disconnect();
    this.sources.delete(stream);
  }

  clear(): void {
    for (const stream of [...this.sources.keys()]) this.remove(stream);
  }

  levels(frequencies: readonly number[]): Level[] {
    if (this.sources.size === 0) return frequencies.map((hz) => ({ hz, db: -Infinity, heard: false }));
    this.analyser.getFloatFrequencyData(this.bins);
    const binHz = audioContext().sampleRate / this.analyser.fftSize;
    return frequencies.map((hz) => {
      const centre = Math.round(hz / binHz);
      let db = -Infinity;
      // ±3 bins (±18 Hz at 48 kHz): codecs and resampling smear a tone a little.
      for (let i = Math.max(0, centre - 3); i <= Math.min(this.bins.length - 1, centre + 3); i++) {
        db = Math.max(db, this.bins[i] ?? -Infinity);
      }
      return { hz, db, heard: db > this.thresholdDb };
    });
  }
}

/**
 * "Hearing 660 Hz ✓ (−18 dB)" rows, refreshed four times a second. Each row is
 * `[data-testid="hearing-<hz>"]` with `data-heard="yes|no"` and `data-db`.
 */
export function showHearing(
  container: HTMLElement,
  ear: Ear,
  frequencies: readonly number[],
  prefix = 'hearing',
): void {
  const rows = new Map<number, HTMLElement>();
  container.replaceChildren();
  for (const hz of frequencies) {
    const row = h('li', { testId: `${prefix}-${hz}`, className: 'level', attrs: { 'data-heard': 'no' } });
    rows.set(hz, row);
    container.append(row);
  }
  const tick = (): void => {
    for (const level of ear.levels(frequencies)) {
      const row = rows.get(level.hz);
      if (!row) continue;
      const db = Number.isFinite(level.db) ? Math.round(level.db) : undefined;
      row.dataset.heard = level.heard ? 'yes' : 'no';
      row.dataset.db = db === undefined ? '' : String(db);
      const dbText = db === undefined ? '' : `${db.toString().replace('-', '−')} dB`;
      row.textContent = level.heard ? `${level.hz} Hz ✓ ${dbText}` : `${level.hz} Hz —`;
      row.title = `${level.hz} Hz ${level.heard ? 'heard' : 'not heard'}${dbText ? ` (${dbText})` : ''}`;
    }
  };
  tick();
  setInterval(tick, 250);
}

/** Plays a remote stream through an <audio> element (a person hears it; Chromium also needs it to pull remote audio). */
export function play(audio: HTMLAudioElement, stream: MediaStream | null): void {
  audio.srcObject = stream;
  if (stream) void audio.play().catch(() => undefined);
}
