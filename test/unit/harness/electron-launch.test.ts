/**
 * How `npm start` launches the Electron app (main/harness/electron-launch.ts),
 * against a FAKE binary (a shell script that records what it was given; no
 * Electron runs): the built entry, its own userData with the settings file of
 * the lab user, and stop().
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labSettingsFile, launchElectronKw } from '../../../main/harness/electron-launch.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function fakeElectron(script: string): Promise<{ root: string; binary: string; record: string }> {
  const root = await mkdtemp(join(tmpdir(), 'kw-start-'));
  dirs.push(root);
  const binary = join(root, 'fake-electron');
  const record = join(root, 'record.txt');
  writeFileSync(binary, `#!/bin/sh\nprintf '%s\\n' "$KW_USER_DATA" "$@" > '${record}'\n${script}\n`);
  chmodSync(binary, 0o755);
  return { root, binary, record };
}

const account = { uri: 'sip:kw2@lab.local', displayName: 'Expert kw2' };
const trustedRoutingPoints = ['sip:billing-experts@lab.local', 'sip:claims-experts@lab.local'];

describe('launching the Electron app for npm start', () => {
  it("runs the built dist/main/index.cjs with its own userData holding the user's settings", async () => {
    const { root, binary, record } = await fakeElectron('exit 0');
    const app = launchElectronKw({
      binary,
      account,
      trustedRoutingPoints,
      server: 'ws://127.0.0.1:6080',
      name: 'electron-kw2',
      root,
    });
    expect(await app.exited).toBe(0);
    expect(app.userData).toBe(join(root, '.lab-run', 'electron-kw2'));
    const lines = (await readFile(record, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe(app.userData);
    expect(lines.at(-1)).toBe(join(root, 'dist', 'main', 'index.cjs'));
    const asRoot = process.getuid?.() === 0;
    expect(lines.slice(1, -1)).toEqual(asRoot ? ['--no-sandbox'] : []);
    const settings: unknown = JSON.parse(await readFile(join(app.userData, 'settings.json'), 'utf8'));
    expect(settings).toEqual(labSettingsFile(account, 'ws://127.0.0.1:6080', trustedRoutingPoints));
  });

  it('stop() ends a running app; exited reports how it ended', async () => {
    const { root, binary } = await fakeElectron('exec sleep 30');
    const app = launchElectronKw({
      binary,
      account,
      trustedRoutingPoints,
      server: 'ws://127.0.0.1:5080',
      name: 'electron-kw2',
      root,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.stop(2000);
    expect(await app.exited).toBe(1);
  });

  it('the app exiting on its own resolves exited with its code', async () => {
    const { root, binary } = await fakeElectron('exit 3');
    const app = launchElectronKw({
      binary,
      account,
      trustedRoutingPoints,
      server: 'ws://127.0.0.1:5080',
      name: 'electron-kw2',
      root,
    });
    expect(await app.exited).toBe(3);
    await app.stop();
  });
});
