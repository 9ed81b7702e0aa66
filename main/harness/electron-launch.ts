/**
 * `npm start` with an Electron binary: runs the built app (dist/main/index.cjs,
 * built by scripts/build-electron.mjs before this runs) signed in as the lab
 * user on the lab's SIP server.
 *
 * The app takes its account from its settings file, so the launcher gives it
 * a userData directory of its own per lab user (`.lab-run/electron-<user>`,
 * through KW_USER_DATA; the history stays there between runs) and writes the
 * settings file there before each start. The file is in the app's settings
 * format version 5 (the first with `trustedRoutingPoints`: the lab's KW trusts
 * the lab's routing points, and older versions migrate to none): the harness
 * may not import the Electron shell's current schema version
 * (main/electron/settings-migrations.ts), and a published version is migrated
 * by every later app, so the app reads it as the current settings
 * (test/unit/harness/start-args.test.ts checks that).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface LabAccount {
  readonly uri: string;
  readonly displayName: string;
}

/** Settings format version 8, as published (main/electron/settings-migrations.ts). */
export interface SettingsFileV8 {
  readonly schemaVersion: 8;
  readonly settings: {
    readonly account: { readonly uri: string; readonly authUser: string; readonly displayName: string };
    readonly servers: readonly string[];
    readonly idleMinutes: number;
    readonly startAtLogin: boolean;
    readonly sounds: boolean;
    readonly lastPresence: 'available';
    readonly timedDnd: null;
    readonly audioInput: string;
    readonly audioOutput: string;
    readonly trustedRoutingPoints: readonly string[];
    readonly extraCaCertificates: readonly string[];
    readonly updates: Record<string, never>;
    readonly globalShortcuts: null;
  };
}

/**
 * The settings file that signs the app in as `account` on `server`, trusting
 * the lab's routing points.
 */
export function labSettingsFile(
  account: LabAccount,
  server: string,
  trustedRoutingPoints: readonly string[],
): SettingsFileV8 {
  return {
    schemaVersion: 8,
    settings: {
      account: { uri: account.uri, authUser: '', displayName: account.displayName },
      servers: [server],
      idleMinutes: 10,
      startAtLogin: false,
      sounds: true,
      lastPresence: 'available',
      timedDnd: null,
      audioInput: '',
      audioOutput: '',
      trustedRoutingPoints: [...trustedRoutingPoints],
      extraCaCertificates: [],
      updates: {},
      globalShortcuts: null,
    },
  };
}

export interface ElectronKw {
  readonly userData: string;
  /** Resolves with the exit code when the app has exited (by itself or after `stop`). */
  readonly exited: Promise<number>;
  /** SIGTERM (the app signs out and quits), SIGKILL after `killAfterMs`. */
  stop(killAfterMs?: number): Promise<void>;
}

export interface ElectronLaunchOptions {
  readonly binary: string;
  readonly account: LabAccount;
  readonly server: string;
  /** The lab router's routing points, which the app is to trust. */
  readonly trustedRoutingPoints: readonly string[];
  /** Directory name under `.lab-run/` (one per lab user). */
  readonly name: string;
  /** The repository root (default: the working directory). */
  readonly root?: string;
}

export function launchElectronKw(options: ElectronLaunchOptions): ElectronKw {
  const root = options.root ?? process.cwd();
  const userData = resolve(root, '.lab-run', options.name);
  mkdirSync(userData, { recursive: true });
  writeFileSync(
    join(userData, 'settings.json'),
    `${JSON.stringify(labSettingsFile(options.account, options.server, options.trustedRoutingPoints), null, 2)}\n`,
  );
  // Chromium refuses to run as root with its sandbox on.
  const asRoot = process.getuid?.() === 0;
  const child = spawn(
    options.binary,
    [...(asRoot ? ['--no-sandbox'] : []), join(root, 'dist', 'main', 'index.cjs')],
    { cwd: root, stdio: 'inherit', env: { ...process.env, KW_USER_DATA: userData } },
  );
  const exited = exitOf(child);
  return {
    userData,
    exited,
    stop: async (killAfterMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolvePromise) => {
    child.once('error', (error) => {
      process.stderr.write(`the Electron app could not start: ${error.message}\n`);
      resolvePromise(1);
    });
    child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}
