/**
 * The application menu and the DevTools rule (main/electron/app-menu.ts),
 * with a FAKE `Menu` (no Electron here): no default menu with Toggle
 * Developer Tools in a packaged build; Edit roles kept on macOS.
 */
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { memoryLogger } from '../../../main/core/log.js';
import {
  applicationMenuTemplate,
  DEVTOOLS_ENV,
  devToolsAllowed,
  installApplicationMenu,
} from '../../../main/electron/app-menu.js';
import { FakeApp, FakeMenuApi } from './fake-electron.js';

/** Every role anywhere in a template (submenus included). */
function roles(template: readonly MenuItemConstructorOptions[] | null): string[] {
  return (template ?? []).flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu as MenuItemConstructorOptions[]) : []),
  ]);
}

function installed(platform: NodeJS.Platform, devTools: boolean): FakeMenuApi {
  const menu = new FakeMenuApi();
  installApplicationMenu(menu, platform, devTools, memoryLogger().logger);
  return menu;
}

describe('DevTools are allowed', () => {
  it('only when the app is not packaged, or KW_DEVTOOLS=1 is set', () => {
    const app = new FakeApp();
    app.isPackaged = true;
    expect(devToolsAllowed(app, {})).toBe(false);
    expect(devToolsAllowed(app, { [DEVTOOLS_ENV]: '0' })).toBe(false);
    expect(devToolsAllowed(app, { [DEVTOOLS_ENV]: 'yes' })).toBe(false);
    expect(devToolsAllowed(app, { [DEVTOOLS_ENV]: '1' })).toBe(true);
    app.isPackaged = false;
    expect(devToolsAllowed(app, {})).toBe(true);
  });
});

describe('the application menu', () => {
  it('Windows and Linux, production: no menu at all (set explicitly, so Electron adds no default one)', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const menu = installed(platform, false);
      expect(menu.applicationMenu).toBeNull();
    }
  });

  it('macOS, production: the app and Edit menus (copy and paste work), nothing to reach DevTools', () => {
    const menu = installed('darwin', false);
    const template = menu.applicationMenu?.template ?? null;
    expect(template?.map((item) => item.role)).toEqual(['appMenu', 'editMenu']);
    expect(roles(template)).not.toContain('toggleDevTools');
    expect(roles(template)).not.toContain('viewMenu');
    expect(roles(template)).not.toContain('reload');
  });

  it('with DevTools allowed: a Developer menu with Reload and Toggle Developer Tools, on every platform', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const template = installed(platform, true).applicationMenu?.template ?? null;
      expect(roles(template)).toContain('toggleDevTools');
      expect(roles(template)).toContain('reload');
      expect(template?.at(-1)?.label).toBe('Developer');
    }
    expect(roles(applicationMenuTemplate('darwin', true))).toContain('editMenu');
  });
});
