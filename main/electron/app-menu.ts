/**
 * The application menu and who may open DevTools. Electron's default menu
 * (set when an app sets none) has View › Toggle Developer Tools and Reload,
 * so the app always sets its own:
 * - Windows and Linux: no menu at all (a tray app; its windows need none,
 *   and text fields copy and paste without one);
 * - macOS: the app menu (About, Hide, Quit) and the Edit menu, whose roles
 *   are what make ⌘C / ⌘V / ⌘A work in text fields there.
 * DevTools (and a Developer menu with Reload and Toggle Developer Tools) only
 * when the app is not packaged or `KW_DEVTOOLS=1` is set; otherwise every
 * window is created with `devTools: false` and security.ts closes any that
 * open anyway.
 */
import type { App, MenuItemConstructorOptions } from 'electron';
import type { Logger } from '../core/log.js';

/** Environment variable that allows DevTools in a packaged build (support sessions). */
export const DEVTOOLS_ENV = 'KW_DEVTOOLS';

export function devToolsAllowed(app: Pick<App, 'isPackaged'>, env: NodeJS.ProcessEnv): boolean {
  return !app.isPackaged || env[DEVTOOLS_ENV] === '1';
}

const DEVELOPER_MENU: MenuItemConstructorOptions = {
  label: 'Developer',
  submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }],
};

/** The menu for this platform, or null for none. */
export function applicationMenuTemplate(
  platform: NodeJS.Platform,
  devTools: boolean,
): MenuItemConstructorOptions[] | null {
  const developer = devTools ? [DEVELOPER_MENU] : [];
  if (platform === 'darwin') return [{ role: 'appMenu' }, { role: 'editMenu' }, ...developer];
  return developer.length > 0 ? developer : null;
}

/** What is used of Electron's `Menu`. */
export interface ShellMenu<M> {
  buildFromTemplate(template: MenuItemConstructorOptions[]): M;
  setApplicationMenu(menu: M | null): void;
}

/** Sets the application menu (call once `app` is ready, before any window). */
export function installApplicationMenu<M>(
  menu: ShellMenu<M>,
  platform: NodeJS.Platform,
  devTools: boolean,
  logger: Logger,
): void {
  const template = applicationMenuTemplate(platform, devTools);
  menu.setApplicationMenu(template ? menu.buildFromTemplate(template) : null);
  logger.info('application menu set', { menus: template?.length ?? 0, devTools });
}
