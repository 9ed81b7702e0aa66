import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import {
  AUTOSTART_FILE,
  autostartEntry,
  ElectronLoginItems,
  execArg,
  START_HIDDEN_ARG,
  XdgAutostart,
} from '../../../main/electron/login-items.js';
import { FakeApp } from './fake-electron.js';

const APPIMAGE = '/home/kim/Applications/KW-Desktop-1.0.0.AppImage';

function linux(options: { packaged?: boolean; executable?: string } = {}): {
  items: ElectronLoginItems;
  file: string;
  configHome: string;
  records: ReturnType<typeof memoryLogger>['records'];
} {
  const configHome = mkdtempSync(join(tmpdir(), 'kw-xdg-'));
  const app = new FakeApp();
  app.isPackaged = options.packaged ?? true;
  const { logger, records } = memoryLogger();
  const autostart = new XdgAutostart({ configHome, executable: options.executable ?? APPIMAGE });
  const items = new ElectronLoginItems(app, 'linux', logger, autostart);
  return { items, file: join(configHome, 'autostart', AUTOSTART_FILE), configHome, records };
}

describe('start at login on Linux (XDG autostart)', () => {
  it('on: writes ~/.config/autostart/kw-desktop.desktop starting the AppImage hidden', () => {
    const { items, file } = linux();
    items.setStartAtLogin(true);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')).toEqual([
      '[Desktop Entry]',
      'Type=Application',
      'Name=KW Desktop',
      'Comment=Starts KW Desktop in the tray when you log in',
      `Exec=${APPIMAGE} ${START_HIDDEN_ARG}`,
      'Terminal=false',
      'X-GNOME-Autostart-enabled=true',
      '',
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('off: removes the entry; off again (no entry) is fine', () => {
    const { items, file } = linux();
    items.setStartAtLogin(true);
    items.setStartAtLogin(false);
    expect(existsSync(file)).toBe(false);
    items.setStartAtLogin(false);
    expect(existsSync(file)).toBe(false);
  });

  it('not packaged: writes nothing (it would start the bare Electron binary)', () => {
    const { items, file, records } = linux({ packaged: false });
    items.setStartAtLogin(true);
    expect(existsSync(file)).toBe(false);
    expect(records.map((r) => r.msg)).toEqual(['start at login not applied: the app is not packaged']);
  });

  it('an unwritable autostart folder is a warning, never thrown (the setting itself is saved)', () => {
    const { items, configHome, records } = linux();
    writeFileSync(join(configHome, 'autostart'), 'a file where the folder should be');
    expect(() => items.setStartAtLogin(true)).not.toThrow();
    expect(records.map((r) => [r.level, r.msg])).toEqual([['warn', 'start at login could not be applied']]);
  });

  it('an existing autostart folder with other entries is kept', () => {
    const { items, configHome } = linux();
    mkdirSync(join(configHome, 'autostart'));
    writeFileSync(join(configHome, 'autostart', 'other.desktop'), '[Desktop Entry]\n');
    items.setStartAtLogin(true);
    items.setStartAtLogin(false);
    expect(existsSync(join(configHome, 'autostart', 'other.desktop'))).toBe(true);
  });
});

describe('desktop entry Exec quoting', () => {
  it('a plain path stays as it is', () => {
    expect(execArg('/opt/KW-Desktop/kw-desktop')).toBe('/opt/KW-Desktop/kw-desktop');
  });

  it('a path with spaces is quoted; ", `, $ and \\ are escaped, then backslashes doubled; % doubled', () => {
    expect(execArg('/home/kim/My Apps/KW Desktop.AppImage')).toBe('"/home/kim/My Apps/KW Desktop.AppImage"');
    expect(execArg('/a b/$HOME"`')).toBe('"/a b/\\\\$HOME\\\\"\\\\`"');
    expect(execArg('/a\\b')).toBe('"/a\\\\\\\\b"');
    expect(execArg('/100%/kw')).toBe('/100%%/kw');
    expect(autostartEntry('/my apps/kw')).toContain('Exec="/my apps/kw" --hidden\n');
  });
});
