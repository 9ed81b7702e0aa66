/**
 * One KW Desktop per user: the second start hands over to the first (which
 * shows its main window) and exits. `sip:`/`tel:` URLs on the command line
 * (protocol handlers registered by the installer) are logged for now.
 */
import type { Logger } from '../core/log.js';

/** The sip:/sips:/tel: URLs in a command line. */
export function dialUrls(argv: readonly string[]): string[] {
  return argv.filter((arg) => /^(sips?|tel):[^\s]+$/i.test(arg)).map((arg) => arg.slice(0, 200));
}

export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
}

/** false: another instance runs (it was told); this one must quit now. */
export function claimSingleInstance(
  app: SingleInstanceApp,
  argv: readonly string[],
  onSecondInstance: () => void,
  logger: Logger,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    logger.info('another KW Desktop is running: handing over to it');
    return false;
  }
  const logUrls = (urls: string[]): void => {
    for (const url of urls) logger.info('dial URL received (not handled yet)', { url });
  };
  logUrls(dialUrls(argv));
  app.on('second-instance', (_event, secondArgv) => {
    logger.info('second start: showing the main window');
    logUrls(dialUrls(secondArgv));
    onSecondInstance();
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    logUrls(dialUrls([url]));
  });
  return true;
}
