/**
 * LoginItems on `app.setLoginItemSettings` (macOS and Windows; Linux has no
 * such API in Electron). Only a packaged app registers itself: in development
 * it would register the bare Electron binary.
 */
import type { App } from 'electron';
import type { LoginItems } from '../app/ports.js';
import type { Logger } from '../core/log.js';

/** Argument a login start passes, so the app starts in the tray. */
export const START_HIDDEN_ARG = '--hidden';

export class ElectronLoginItems implements LoginItems {
  constructor(
    private readonly app: Pick<App, 'setLoginItemSettings' | 'isPackaged'>,
    private readonly platform: NodeJS.Platform,
    private readonly logger: Logger,
  ) {}

  setStartAtLogin(enabled: boolean): void {
    if (this.platform !== 'darwin' && this.platform !== 'win32') {
      this.logger.warn('start at login is not supported on this system by the app itself', {
        platform: this.platform,
      });
      return;
    }
    if (!this.app.isPackaged) {
      this.logger.info('start at login not applied: the app is not packaged', { enabled });
      return;
    }
    this.app.setLoginItemSettings({ openAtLogin: enabled, args: [START_HIDDEN_ARG] });
    this.logger.info('start at login', { enabled });
  }
}
