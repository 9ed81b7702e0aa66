/**
 * A new install in a real Electron (issue 13): with no settings file the main
 * window shows the sign-in screen and nothing connects; launched with
 * `--provision <the lab's document URL>` it fetches the document over https
 * (the lab's throw-away CA handed to the app through NODE_EXTRA_CA_CERTS, which
 * Node's own defaults honour) and shows the sign-in screen with the SIP
 * address filled in, still without a REGISTER until the KW signs in. Skips
 * (one line) where no Electron binary is installed.
 */
import { test, expect } from '@playwright/test';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger, type LogRecord } from '../../main/core/log.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import { startProvisioningServer } from '../../lab/provisioning/index.js';
import { electronBinary, SKIP_LINE } from './skip.js';
import { appLog, launchFreshKwDesktop, windowAt } from './launch.js';

const binary = electronBinary();
const SIGN_IN_HEADING = 'Sign in to KW Desktop';
const KW1 = { user: 'kw1', password: 'kw1-secret', displayName: 'Knowledge Worker 1' };
/** Long enough for a client that connects at start to have sent its first REGISTER. */
const QUIET_MS = 3000;

/** What reached the lab SIP server: WebSocket connections and REGISTER requests. */
function sipTraffic(records: readonly LogRecord[]): { connections: number; registers: number } {
  return {
    connections: records.filter((r) => /^connection \d+ from /.test(r.msg)).length,
    registers: records.filter((r) => r.msg.startsWith('REGISTER ')).length,
  };
}

test.describe('KW Desktop, first run, in Electron', () => {
  test.skip(!binary, SKIP_LINE);

  test('no settings file: the sign-in screen, and no SIP agent starts', async () => {
    if (!binary) return;
    const { app, userData } = await launchFreshKwDesktop(binary);
    try {
      const main = await windowAt(app, 'app://kw/main.html');
      await expect(main.getByRole('heading', { name: SIGN_IN_HEADING })).toBeVisible();
      await main.waitForTimeout(QUIET_MS);
      // The app's own log: it started, and never started a SIP agent (agent.ts logs each start).
      const log = await appLog(userData);
      expect(log).toContain('KW Desktop started');
      expect(log).not.toContain('starting SIP agent');
    } finally {
      await app.close();
    }
  });

  test('--provision URL: the sign-in screen with the SIP address from the document, no REGISTER yet', async () => {
    if (!binary) return;
    const sipLog = memoryLogger('debug');
    const provisioningLog = memoryLogger('debug');
    const stops: Array<() => Promise<unknown>> = [];
    try {
      const sip = await startSipServer({ port: 0, users: [KW1], logger: sipLog.logger });
      stops.push(() => sip.close());
      const provisioning = await startProvisioningServer({
        users: [KW1],
        servers: [sip.url],
        domain: sip.domain,
        trustedRoutingPoints: [],
        logger: provisioningLog.logger,
      });
      stops.push(() => provisioning.close());
      const caDir = await mkdtemp(join(tmpdir(), 'kw-electron-ca-'));
      const caFile = join(caDir, 'provisioning-ca.pem');
      await writeFile(caFile, provisioning.caPem);

      const documentUrl = provisioning.documentUrl(KW1.user);
      expect(documentUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/provision\/kw1\.json$/);
      const { app } = await launchFreshKwDesktop(binary, {
        appArgs: ['--provision', documentUrl],
        env: { NODE_EXTRA_CA_CERTS: caFile },
      });
      stops.push(() => app.close());

      const main = await windowAt(app, 'app://kw/main.html');
      await expect(main.getByRole('heading', { name: SIGN_IN_HEADING })).toBeVisible();
      await expect(main.getByLabel(/SIP address/i)).toHaveValue(`sip:kw1@${sip.domain}`);
      // The document was fetched from the lab (a request reached it)…
      expect(provisioningLog.records.some((r) => r.msg === 'provisioning request')).toBe(true);
      // …and nothing signs in before the KW types the password.
      await main.waitForTimeout(QUIET_MS);
      expect(sipTraffic(sipLog.records)).toEqual({ connections: 0, registers: 0 });
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    }
  });
});
