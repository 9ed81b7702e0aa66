/**
 * powerMonitor → the app: screen lock/unlock sets the automatic "locked"
 * presence input; the system idle time is the IdleSource of the idle watcher.
 */
import type { PowerMonitor } from 'electron';
import type { IdleSource } from '../core/presence/idle-watcher.js';
import type { Logger } from '../core/log.js';

export type ShellPowerMonitor = Pick<PowerMonitor, 'getSystemIdleTime'> & {
  on(event: 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
  removeListener(event: 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
};

/** The idle source (usable before the app exists). */
export function systemIdleSource(powerMonitor: Pick<PowerMonitor, 'getSystemIdleTime'>): IdleSource {
  return { idleSeconds: () => powerMonitor.getSystemIdleTime() };
}

/** Wires lock/unlock to `setLocked`; returns the undo. */
export function setupPower(
  powerMonitor: ShellPowerMonitor,
  app: { setLocked(locked: boolean): void },
  logger: Logger,
): () => void {
  const locked = (): void => {
    logger.info('screen locked');
    app.setLocked(true);
  };
  const unlocked = (): void => {
    logger.info('screen unlocked');
    app.setLocked(false);
  };
  powerMonitor.on('lock-screen', locked);
  powerMonitor.on('unlock-screen', unlocked);
  return () => {
    powerMonitor.removeListener('lock-screen', locked);
    powerMonitor.removeListener('unlock-screen', unlocked);
  };
}
