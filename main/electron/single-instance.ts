/**
 * One KW Desktop per user: the second start hands over to the first (which
 * shows its main window) and exits. The links a start carries (argv-links.ts:
 * `kwdesk://provision?url=…`, `sip:`/`tel:` addresses, `--provision URL`),
 * whether in the first start's argv, a second start's argv, or macOS
 * `open-url`, all go to one `onLink`.
 */
import type { Logger } from '../core/log.js';
import { linkForLog, readArgv } from './argv-links.js';

export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
}

export interface SingleInstanceHandlers {
  /** A second start: show the main window. */
  onSecondInstance(): void;
  /** A link to open, already validated (argv-links.ts). */
  onLink(link: string): void;
}

/** false: another instance runs (it was told); this one must quit now. */
export function claimSingleInstance(
  app: SingleInstanceApp,
  argv: readonly string[],
  handlers: SingleInstanceHandlers,
  logger: Logger,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    logger.info('another KW Desktop is running: handing over to it');
    return false;
  }
  const handOver = (args: readonly string[], from: string): void => {
    const { links, ignored } = readArgv(args);
    for (const arg of ignored)
      logger.debug('link ignored: not one KW Desktop opens', { from, arg: linkForLog(arg) });
    for (const link of links) {
      logger.info('link received', { from, link: linkForLog(link) });
      handlers.onLink(link);
    }
  };
  handOver(argv, 'command line');
  app.on('second-instance', (_event, secondArgv) => {
    logger.info('second start: showing the main window');
    handlers.onSecondInstance();
    handOver(secondArgv, 'second start');
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    handOver([url], 'open-url');
  });
  return true;
}
