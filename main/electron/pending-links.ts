/**
 * Links that arrive before the app can open them (a first start's argv, a
 * macOS `open-url` before `ready`) wait here, in order, and are handed over
 * once the app has started; later ones go straight through.
 */
export class PendingLinks {
  private readonly waiting: string[] = [];
  private open: ((link: string) => void) | undefined;

  /** Opens `link` now if the app is ready, else keeps it for `deliverTo`. */
  push(link: string): void {
    if (this.open) this.open(link);
    else this.waiting.push(link);
  }

  /** The app is ready: hands over what waited, then every later link. */
  deliverTo(open: (link: string) => void): void {
    this.open = open;
    for (const link of this.waiting.splice(0)) open(link);
  }
}
