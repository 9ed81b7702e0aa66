/**
 * LoginItems: `app.setLoginItemSettings` on macOS and Windows; on Linux, where
 * Electron has no such API, an XDG autostart entry
 * (`$XDG_CONFIG_HOME/autostart/kw-desktop.desktop`, read by GNOME, KDE, Xfce…).
 * Only a packaged app registers itself: in development it would register the
 * bare Electron binary.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'electron';
import type { LoginItems } from '../app/ports.js';
import type { Logger } from '../core/log.js';

/** Argument a login start passes, so the app starts in the tray. */
export const START_HIDDEN_ARG = '--hidden';

export const AUTOSTART_FILE = 'kw-desktop.desktop';

export interface XdgAutostartOptions {
  /** `$XDG_CONFIG_HOME`, or `~/.config`. */
  readonly configHome: string;
  /** What to start: the AppImage (`$APPIMAGE`) when run from one, else the executable. */
  readonly executable: string;
}

/**
 * A desktop-entry Exec argument (Desktop Entry Specification, "The Exec key"):
 * quoted when it holds a reserved character, with `"`, `` ` ``, `$` and `\`
 * escaped inside the quotes; `%` doubled; then the string escaping of values
 * doubles every backslash again.
 */
export function execArg(arg: string): string {
  const plain = arg.replace(/%/g, '%%');
  if (!/[\s"'\\><~|&;$*?#()`]/.test(plain)) return plain;
  const quoted = `"${plain.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  return quoted.replace(/\\/g, '\\\\');
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=KW Desktop',
    'Comment=Starts KW Desktop in the tray when you log in',
    `Exec=${execArg(executable)} ${START_HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the XDG autostart entry. */
export class XdgAutostart {
  constructor(private readonly options: XdgAutostartOptions) {}

  get path(): string {
    return join(this.options.configHome, 'autostart', AUTOSTART_FILE);
  }

  set(enabled: boolean): void {
    if (!enabled) {
      rmSync(this.path, { force: true });
      return;
    }
    mkdirSync(join(this.options.configHome, 'autostart'), { recursive: true });
    writeFileSync(this.path, autostartEntry(this.options.executable), { mode: 0o644 });
  }
}

export class ElectronLoginItems implements LoginItems {
  constructor(
    private readonly app: Pick<App, 'setLoginItemSettings' | 'isPackaged'>,
    private readonly platform: NodeJS.Platform,
    private readonly logger: Logger,
    /** Linux only: where the autostart entry goes. */
    private readonly autostart?: XdgAutostart,
  ) {}

  setStartAtLogin(enabled: boolean): void {
    const native = this.platform === 'darwin' || this.platform === 'win32';
    if (!native && !(this.platform === 'linux' && this.autostart)) {
      this.logger.warn('start at login is not supported on this system by the app itself', {
        platform: this.platform,
      });
      return;
    }
    if (!this.app.isPackaged) {
      this.logger.info('start at login not applied: the app is not packaged', { enabled });
      return;
    }
    try {
      if (native) this.app.setLoginItemSettings({ openAtLogin: enabled, args: [START_HIDDEN_ARG] });
      else this.autostart?.set(enabled);
      this.logger.info('start at login', { enabled });
    } catch (error) {
      // The setting is saved; only the OS entry is missing. Not fatal to the save.
      this.logger.warn('start at login could not be applied', {
        enabled,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
