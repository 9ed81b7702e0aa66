/**
 * Launching the packaged-shape app for the electron suite: its own userData
 * with a settings file in the app's format (the current schema, signed in as
 * kw1 on the given SIP server, trusting the suite's routing point), or with
 * none (a new install); finding its windows by URL; reading its log.
 */
import { expect, _electron, type ElectronApplication, type Page } from '@playwright/test';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SETTINGS, type StoredSettings } from '../../main/app/ports.js';
import { SETTINGS_VERSION } from '../../main/electron/settings-migrations.js';
import { LOG_FILE_NAME } from '../../main/electron/logging.js';

const root = resolve(import.meta.dirname, '../..');

/** The routing point the electron suite's router runs (`uri: 'billing'` on lab.local). */
export const SUITE_ROUTING_POINT = 'sip:billing@lab.local';

export interface LaunchOptions {
  /** Electron/Chromium switches, before the app's entry. */
  readonly args?: readonly string[];
  /** The app's own arguments (`--provision URL`), after its entry: Electron takes the first bare argument before it as the app. */
  readonly appArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export async function launchKwDesktop(
  binary: string,
  sipUrl: string,
  options: LaunchOptions & { readonly trustedRoutingPoints?: readonly string[] } = {},
): Promise<ElectronApplication> {
  const userData = await mkdtemp(join(tmpdir(), 'kw-electron-'));
  const settings: StoredSettings = {
    ...DEFAULT_SETTINGS,
    account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim Expert' },
    servers: [sipUrl],
    idleMinutes: 0,
    sounds: false,
    trustedRoutingPoints: options.trustedRoutingPoints ?? [SUITE_ROUTING_POINT],
  };
  await writeFile(
    join(userData, 'settings.json'),
    JSON.stringify({ schemaVersion: SETTINGS_VERSION, settings }),
  );
  return launchIn(binary, userData, options);
}

/** A new install: a fresh userData with no settings file (the sign-in screen). */
export async function launchFreshKwDesktop(
  binary: string,
  options: LaunchOptions = {},
): Promise<{ app: ElectronApplication; userData: string }> {
  const userData = await mkdtemp(join(tmpdir(), 'kw-electron-fresh-'));
  return { app: await launchIn(binary, userData, options), userData };
}

function launchIn(binary: string, userData: string, options: LaunchOptions): Promise<ElectronApplication> {
  const asRoot = process.getuid?.() === 0;
  return _electron.launch({
    executablePath: binary,
    args: [
      ...(asRoot ? ['--no-sandbox'] : []),
      ...(options.args ?? []),
      'dist/main/index.cjs',
      ...(options.appArgs ?? []),
    ],
    cwd: root,
    env: { ...process.env, ...options.env, KW_USER_DATA: userData, KW_LOG_LEVEL: 'debug' },
  });
}

/** The app's own log (userData/logs), as written so far. */
export async function appLog(userData: string): Promise<string> {
  return readFile(join(userData, 'logs', LOG_FILE_NAME), 'utf8').catch(() => '');
}

export async function windowAt(app: ElectronApplication, url: string): Promise<Page> {
  await expect.poll(() => app.windows().map((w) => w.url()), { timeout: 30_000 }).toContain(url);
  const page = app.windows().find((w) => w.url() === url);
  if (!page) throw new Error(`no window at ${url}`);
  return page;
}
