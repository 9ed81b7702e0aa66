/**
 * One call's sound meter: the media host's measurements passed on at most
 * once per LEVELS_INTERVAL_MS (the latest wins), read as silence when they stop
 * coming, and whether the microphone has been silent for MIC_SILENCE_MS while
 * the KW should be heard (the call is active, neither muted nor held), so the
 * KW learns about a dead or wrong microphone before the caller complains.
 */
import { LEVELS_INTERVAL_MS, type SoundLevels } from '../../../wire/media-host.js';
import type { Clock } from '../clock.js';
import type { CallLevels } from './call-state.js';

export const MIC_SILENCE_MS = 5000;
/** −60 dBFS: a dead microphone, or one muted on the headset, reads 0; speech reads 0.01 and more. */
export const SILENT_LEVEL = 0.001;
/** No measurement for this long (ICE lost, host stalled): the meter reads silence rather than freeze. */
export const STALE_AFTER_MS = 1000;

const SILENCE: SoundLevels = { input: 0, output: 0 };

/** Three decimals are more than a meter can show, and keep each event small. */
function rounded(level: number): number {
  return Math.round(level * 1000) / 1000;
}

export class CallLevelMeter {
  private latest: SoundLevels = SILENCE;
  private measured = false;
  private micExpected = false;
  private silentSince: number | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private sendTimer: unknown;
  private staleTimer: unknown;
  private stopped = false;

  constructor(
    private readonly callId: string,
    private readonly clock: Clock,
    private readonly publish: (levels: CallLevels) => void,
  ) {}

  /** A measurement from the media host. */
  measure(levels: SoundLevels): void {
    if (this.stopped) return;
    this.measured = true;
    this.latest = levels;
    if (!this.micExpected || levels.input >= SILENT_LEVEL) this.silentSince = undefined;
    else this.silentSince ??= this.clock.now();
    this.armStale();
    this.schedule();
  }

  /** Whether the KW should be heard now; any change starts the silence count again. */
  expectMic(expected: boolean): void {
    if (this.stopped || expected === this.micExpected) return;
    this.micExpected = expected;
    this.silentSince = undefined;
    // Muting must clear the warning at once, not at the next measurement.
    if (this.measured) this.schedule();
  }

  /** The call ended: nothing more is published. */
  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.sendTimer);
    this.clock.clearTimeout(this.staleTimer);
  }

  private armStale(): void {
    this.clock.clearTimeout(this.staleTimer);
    this.staleTimer = this.clock.setTimeout(() => this.measure(SILENCE), STALE_AFTER_MS);
  }

  /** Publishes now, or once the interval since the last one is over (a pending publish takes the latest). */
  private schedule(): void {
    if (this.sendTimer !== undefined) return;
    const wait = this.lastSentAt + LEVELS_INTERVAL_MS - this.clock.now();
    if (wait <= 0) {
      this.send();
      return;
    }
    this.sendTimer = this.clock.setTimeout(() => {
      this.sendTimer = undefined;
      this.send();
    }, wait);
  }

  private send(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    this.lastSentAt = now;
    this.publish({
      callId: this.callId,
      input: rounded(this.latest.input),
      output: rounded(this.latest.output),
      inputSilent: this.silentSince !== undefined && now - this.silentSince >= MIC_SILENCE_MS,
    });
  }
}
