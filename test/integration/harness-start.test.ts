/**
 * `npm start` after its builds (main/harness/start.ts `run`), for real: the
 * lab on a free port and the KW Desktop signed in as `--user` on it — once
 * as the Electron app (a FAKE binary, a shell script that records what it was
 * given and exits; no Electron runs), once in the browser harness, stopped
 * as Ctrl-C would.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../main/harness/start.js';
import { cleanupAfterEach } from '../support/cleanup.js';

const later = cleanupAfterEach();

// The harness serves the built renderer; a fresh clone has none until something builds it.
beforeAll(() => {
  if (existsSync('dist/renderer/main.html')) return;
  const build = spawnSync('node', ['scripts/build-renderer.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building the renderer failed');
}, 120_000);

function captureStdout(): () => string {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  later(async () => spy.mockRestore());
  return () => text;
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  later(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('npm start', () => {
  it('with an Electron binary: the app gets --user on the lab at --port; its exit stops the lab', async () => {
    const dir = await tempDir('kw-start-');
    const binary = join(dir, 'fake-electron');
    const record = join(dir, 'record.json');
    writeFileSync(binary, `#!/bin/sh\ncp "$KW_USER_DATA/settings.json" '${record}'\nsleep 0.3\nexit 0\n`);
    chmodSync(binary, 0o755);
    const user = 'kw-start-test-electron';
    later(() => rm(resolve('.lab-run', `electron-${user}`), { recursive: true, force: true }));
    const stdout = captureStdout();

    const code = await run({ port: 0, webPort: 0, uiPort: 0, user, browser: false }, binary, [
      '--web-port',
      '0',
      '--router-events',
      join(dir, 'events.jsonl'),
    ]);

    expect(code).toBe(0);
    const sipUrl = /Lab: SIP server (ws:\/\/127\.0\.0\.1:\d+)/.exec(stdout())?.[1];
    expect(sipUrl).toBeDefined();
    expect(sipUrl).not.toBe('ws://127.0.0.1:0');
    expect(stdout()).toContain(`KW Desktop (Electron) signing in as sip:${user}@lab.local on ${sipUrl}`);
    expect(stdout()).toContain('the KW Desktop exited (code 0)');
    expect(JSON.parse(await readFile(record, 'utf8'))).toMatchObject({
      schemaVersion: 8,
      settings: {
        account: { uri: `sip:${user}@lab.local` },
        servers: [sipUrl],
        trustedRoutingPoints: ['sip:billing-experts@lab.local', 'sip:claims-experts@lab.local'],
      },
    });
  });

  it('without one: the browser harness signs in as --user and serves its pages until stopped', async () => {
    const dir = await tempDir('kw-start-');
    const user = 'kw-start-test-browser';
    later(() => rm(resolve('.lab-run', `history-${user}`), { recursive: true, force: true }));
    const stdout = captureStdout();

    const running = run({ port: 0, webPort: 0, uiPort: 0, user, browser: true }, undefined, [
      '--web-port',
      '0',
      '--router-events',
      join(dir, 'events.jsonl'),
    ]);
    await vi.waitFor(() => expect(stdout()).toContain('Ctrl-C stops everything.'), { timeout: 20_000 });
    expect(stdout()).toContain(`KW Desktop signed in as sip:${user}@lab.local`);
    const mainUrl = /main window: +(http:\/\/127\.0\.0\.1:\d+\/main\.html)/.exec(stdout())?.[1];
    expect(mainUrl).toBeDefined();
    expect((await fetch(mainUrl ?? '')).status).toBe(200);

    process.emit('SIGTERM');
    expect(await running).toBe(0);
    await expect(fetch(mainUrl ?? '')).rejects.toThrow();
  });
});
