/**
 * Holds work until something is ready, then runs it in arrival order; once
 * open, work runs at once. The core connects and registers while history
 * loads, and an inbound MESSAGE that arrives meanwhile waits here (its SIP
 * answer with it) rather than meet a conversation list that is not there yet.
 */
export class ReadyGate {
  private isOpen = false;
  private release: () => void = () => undefined;
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  private waiting = 0;

  /** The work's result now when open, else a promise of it once `open()` is called. */
  run<T>(work: () => T): T | Promise<T> {
    if (this.isOpen) return work();
    this.waiting += 1;
    // Each waits on the same promise: they run in the order they came.
    return this.opened.then(() => {
      this.waiting -= 1;
      return work();
    });
  }

  /** How many are held (logs, tests). */
  get held(): number {
    return this.waiting;
  }

  open(): void {
    this.isOpen = true;
    this.release();
  }
}
