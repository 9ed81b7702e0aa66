// scripts/dist.mjs, run for real in a scratch project: a package.json whose `build` leaves a
// mark, and (in the second test) a stand-in electron binary and electron-builder CLI that
// record how they were called. Nothing here packs a real app.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let project: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'kw-dist-'));
  mkdirSync(join(project, 'scripts'));
  copyFileSync('scripts/dist.mjs', join(project, 'scripts', 'dist.mjs'));
  const build = `node -e "require('fs').writeFileSync('built', '')"`;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', scripts: { build } }));
});

afterEach(() => {
  rmSync(project, { recursive: true, force: true });
});

function runDist(env: NodeJS.ProcessEnv, args: string[] = []): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['scripts/dist.mjs', ...args], {
    cwd: project,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

function fakeElectronAndBuilder(): void {
  const electron = join(project, 'node_modules', 'electron');
  mkdirSync(join(electron, 'dist'), { recursive: true });
  writeFileSync(join(electron, 'path.txt'), 'electron');
  writeFileSync(join(electron, 'dist', 'electron'), '');
  const builder = join(project, 'node_modules', 'electron-builder');
  mkdirSync(builder, { recursive: true });
  const record = `const fs = require('fs');
fs.writeFileSync('builder-call.json', JSON.stringify({ built: fs.existsSync('built'), args: process.argv.slice(2) }));`;
  writeFileSync(join(builder, 'cli.js'), record);
}

// Each test starts node (and npm): seconds on a busy machine.
describe('npm run dist (scripts/dist.mjs)', { timeout: 60_000 }, () => {
  it('without an Electron binary, says so in one line, exits non-zero and builds nothing', () => {
    const { status, output } = runDist({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(status).not.toBe(0);
    expect(output.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^npm run dist: no Electron binary in .*ELECTRON_SKIP_BINARY_DOWNLOAD is set/),
    ]);
    expect(existsSync(join(project, 'built'))).toBe(false);
  });

  it('with the binary, builds first, then packs for this platform with it and the options given, publishing nothing', () => {
    fakeElectronAndBuilder();
    const feed = '-c.publish.url=https://updates.example.com/kw';
    const { status, output } = runDist({ ELECTRON_SKIP_BINARY_DOWNLOAD: '' }, [feed]);
    expect(status, output).toBe(0);
    const call = JSON.parse(readFileSync(join(project, 'builder-call.json'), 'utf8')) as {
      built: boolean;
      args: string[];
    };
    expect(call.built).toBe(true);
    const platform = { win32: '--win', darwin: '--mac', linux: '--linux' }[process.platform as string];
    expect(call.args).toEqual([
      platform,
      '--publish',
      'never',
      `--config.electronDist=${join(project, 'node_modules', 'electron', 'dist')}`,
      feed,
    ]);
  });
});
