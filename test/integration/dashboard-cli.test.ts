/**
 * `npm run router` with the dashboard, as an operator starts it: the token
 * from a file named in the config (or none: the dashboard is off, said in one
 * line), and a non-loopback --http address without TLS refusing the dashboard.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSipServer } from '../../lab/sip-server/index.js';
import { memoryLogger } from '../../main/core/log.js';
import { eventually } from '../support/agents.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { spawnRouter, type RouterProcess } from '../support/router-process.js';

const later = cleanupAfterEach();
const log = memoryLogger('warn');
const TOKEN = 'a-token-from-a-file-0123456789';

/** A config (with `dashboard` made from the temp dir, when given) and a lab SIP server. */
async function setup(dashboard?: (dir: string) => unknown) {
  const dir = await mkdtemp(join(tmpdir(), 'dashboard-cli-'));
  later(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'token'), `${TOKEN}\n`);
  const config = join(dir, 'router.json');
  await writeFile(
    config,
    JSON.stringify({
      domain: 'lab.local',
      routingPoints: [{ uri: 'sip:dash-cli@lab.local', strategy: 'longest-idle', members: ['kw1'] }],
      ...(dashboard === undefined ? {} : { dashboard: dashboard(dir) }),
    }),
  );
  const sip = await startSipServer({ port: 0, logger: log.logger });
  later(() => sip.close());
  return { dir, config, sip };
}

/** The http URL once the router says where it listens. */
async function listening(router: RouterProcess): Promise<string> {
  let url = '';
  await eventually(
    () => {
      if (router.child.exitCode !== null) throw new Error(`router exited early:\n${router.output()}`);
      url = /http listening \{"url":"(http:\/\/[^"]+)"/.exec(router.output())?.[1] ?? '';
      return url !== '' && router.output().includes('router running');
    },
    20_000,
    () => `no "http listening" line:\n${router.output()}`,
  );
  return url;
}

describe('npm run router with the dashboard', () => {
  it('reads the token from the file the config names and serves the dashboard behind it', async () => {
    const { config, sip } = await setup((dir) => ({ tokenFile: join(dir, 'token') }));
    const router = spawnRouter(['--config', config, '--server', sip.url, '--http', '127.0.0.1:0'], later);
    const url = await listening(router);
    expect(router.output()).toContain(`"dashboard":"${url}/dashboard/"`);
    const login = (token: string) =>
      fetch(`${url}/dashboard/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token }),
      });
    expect((await login('not it')).status).toBe(401);
    expect((await login(TOKEN)).status).toBe(200);
    const page = await fetch(`${url}/dashboard/`);
    expect(page.status).toBe(existsSync('dist/dashboard/index.html') ? 200 : 503);
  });

  it('keeps the dashboard off without a token (404), saying so in one line', async () => {
    const { config, sip } = await setup();
    const router = spawnRouter(['--config', config, '--server', sip.url, '--http', '127.0.0.1:0'], later);
    const url = await listening(router);
    expect(router.output()).toContain(
      'dashboard off: no token (config dashboard.tokenFile or --dashboard-token-file)',
    );
    expect((await fetch(`${url}/dashboard/`)).status).toBe(404);
  });

  it('refuses the dashboard on a non-loopback address without TLS', async () => {
    const { dir, config, sip } = await setup();
    const router = spawnRouter(
      [
        '--config',
        config,
        '--server',
        sip.url,
        '--http',
        '0.0.0.0:0',
        '--dashboard-token-file',
        join(dir, 'token'),
      ],
      later,
    );
    const url = await listening(router);
    expect(router.output()).toContain('dashboard off: a non-loopback --http address needs TLS');
    expect((await fetch(`${url.replace('0.0.0.0', '127.0.0.1')}/dashboard/`)).status).toBe(404);
  });
});
