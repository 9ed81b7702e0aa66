/**
 * `npm start`'s command line as a person meets it, in a process of its own
 * (what `npm start` runs: tsx main/harness/start.ts): `--help` lists the
 * options, and a port another program holds is one line on stderr naming the
 * option that moves it, before anything is built. The held ports are
 * ephemeral ones on loopback, held by this test.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probePort } from '../../main/harness/port-check.js';
import { START_USAGE } from '../../main/harness/start-args.js';
import { cleanupAfterEach } from '../support/cleanup.js';

const later = cleanupAfterEach();

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm start -- <args>`; only the PID started here is ever killed (after 60 s, if it never exits). */
function npmStart(args: readonly string[]): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/harness/start.ts', ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** A TCP port on 127.0.0.1 held by this test until it ends. */
async function heldPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  later(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

describe('npm start on the command line', () => {
  it('--help lists the options on stdout and exits 0', async () => {
    const { code, stdout, stderr } = await npmStart(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(`${START_USAGE}\n`);
    for (const option of ['--port', '--web-port', '--ui-port', '--user', '--browser', '--help'])
      expect(stdout).toMatch(new RegExp(`^ +(-h, )?${option}\\b`, 'm'));
  }, 60_000);

  it.each([
    ['--port', 'the lab SIP server'],
    ['--web-port', 'the agent desk and customer pages'],
    ['--ui-port', 'the KW Desktop in the browser harness'],
  ])(
    'a port held by another program (%s): one line naming the option, no stack, exit 1, nothing built',
    async (option, what) => {
      const port = await heldPort();
      const ports = { '--port': '0', '--web-port': '0', '--ui-port': '0', [option]: String(port) };
      const { code, stdout, stderr } = await npmStart([...Object.entries(ports).flat(), '--browser']);
      expect(code).toBe(1);
      expect(stderr).toBe(
        `npm start: port ${port} (${what}) is already in use, perhaps by another npm start or npm run lab: stop it, or choose another with ${option} <n> (0 = any free port)\n`,
      );
      expect(stderr).not.toMatch(/^\s+at /m);
      // The check comes before the builds: none of them printed anything.
      expect(stdout).toBe('');
    },
    60_000,
  );
});

describe('probePort', () => {
  it('a held port is in use; once released it is free', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    expect(await probePort('127.0.0.1', port)).toBe('in-use');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await probePort('127.0.0.1', port)).toBeUndefined();
  });
});
