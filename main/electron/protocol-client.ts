/**
 * Registers KW Desktop for its links on Windows, where the installers do not
 * (electron-builder's NSIS and MSI write no protocol keys): per user, under
 * HKCU\Software\Classes, at every start so a moved install stays right.
 * macOS (Info.plist) and Linux (the desktop entry) register at install time.
 * In development the Electron binary needs the app's path as an argument, and
 * only `kwdesk:` is registered: a developer's own softphone keeps sip:/tel:.
 */
import { resolve } from 'node:path';
import type { App } from 'electron';
import type { Logger } from '../core/log.js';

export const PROTOCOL_SCHEMES = ['kwdesk', 'sip', 'tel'] as const;

export interface ProtocolClientEnv {
  readonly platform: NodeJS.Platform;
  readonly execPath: string;
  /** process.argv: in development argv[1] is the app's entry. */
  readonly argv: readonly string[];
}

export function registerProtocolClients(
  app: Pick<App, 'setAsDefaultProtocolClient' | 'isPackaged'>,
  env: ProtocolClientEnv,
  logger: Logger,
): void {
  if (env.platform !== 'win32') return;
  if (app.isPackaged) {
    for (const scheme of PROTOCOL_SCHEMES) report(scheme, app.setAsDefaultProtocolClient(scheme), logger);
    return;
  }
  const entry = env.argv[1];
  if (entry === undefined) {
    logger.info('kwdesk: links not registered: no app path on the command line (development)');
    return;
  }
  report('kwdesk', app.setAsDefaultProtocolClient('kwdesk', env.execPath, [resolve(entry)]), logger);
}

function report(scheme: string, ok: boolean, logger: Logger): void {
  if (ok) logger.info('registered as the handler of links', { scheme });
  else logger.warn('could not register as the handler of links', { scheme });
}
