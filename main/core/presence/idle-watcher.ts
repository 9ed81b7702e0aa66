/**
 * Turns "seconds since the last input" (Electron's powerMonitor in the app, a
 * fake in tests) into idle on/off after N minutes, checked on an interval.
 */
export interface IdleSource {
  idleSeconds(): number;
}

export interface IntervalTimer {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export class IdleWatcher {
  private handle: unknown;
  private idle = false;

  constructor(
    private readonly source: IdleSource,
    private readonly thresholdMinutes: () => number,
    private readonly onChange: (idle: boolean) => void,
    private readonly timer: IntervalTimer,
    private readonly checkEveryMs = 15_000,
  ) {}

  start(): void {
    this.stop();
    this.handle = this.timer.setInterval(() => this.check(), this.checkEveryMs);
  }

  stop(): void {
    if (this.handle !== undefined) this.timer.clearInterval(this.handle);
    this.handle = undefined;
  }

  check(): void {
    const minutes = this.thresholdMinutes();
    const idle = minutes > 0 && this.source.idleSeconds() >= minutes * 60;
    if (idle !== this.idle) {
      this.idle = idle;
      this.onChange(idle);
    }
  }
}
