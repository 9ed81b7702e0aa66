/**
 * e2e, issue 13 points 1 and 2: the first run and setup links, in Chromium on
 * the real harness KW, the lab SIP server (with passwords) and the lab's
 * provisioning server over https.
 *  - A new install shows the sign-in screen and connects nowhere; each field
 *    says what is wrong in a sentence; a complete form signs in.
 *  - A setup link pasted on that screen is fetched and shown before anything
 *    is applied; its one-time code signs in without a password.
 *  - A link whose server has an untrusted certificate says so, and the KW can
 *    go back to typing the account.
 * Screenshots in both themes at 1040×680 and 720×480; axe finds nothing serious.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startSipServer, type SipServer } from '../../lab/sip-server/index.js';
import { startProvisioningServer, type ProvisioningServer } from '../../lab/provisioning/index.js';
import { memoryLogger } from '../../main/core/log.js';
import { startHarnessKw, type HarnessKw } from '../../main/harness/compose.js';
import { parsePolicy } from '../../main/app/policy/policy-model.js';
import { seriousAxeViolations } from '../support/axe.js';
import { test, expect, screenshot } from './fixtures.js';

const USERS = [{ user: 'kw1', password: 'kw1-secret', displayName: 'Kim Expert' }];
const SIZES = [
  { width: 1040, height: 680 },
  { width: 720, height: 480 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

async function lookAtEverySize(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      const at = `${name} ${size.width}×${size.height} ${scheme}`;
      expect(await seriousAxeViolations(page), at).toEqual([]);
      await screenshot(page, `sign-in-${name}-${size.width}x${size.height}-${scheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
}

interface SignInWorld {
  readonly sip: SipServer;
  readonly provision: ProvisioningServer;
  readonly kw: HarnessKw;
  close(): Promise<void>;
}

/** A new install (no account, no server) that trusts the lab provisioning server's certificate. */
async function newInstall(): Promise<SignInWorld> {
  const { logger } = memoryLogger('warn');
  const sip = await startSipServer({ port: 0, users: USERS, logger });
  const provision = await startProvisioningServer({
    users: USERS,
    servers: [sip.url],
    domain: 'lab.local',
    trustedRoutingPoints: ['sip:billing@lab.local'],
    logger,
  });
  const kw = await startHarnessKw({
    servers: [],
    trustedRoutingPoints: [],
    historyDir: await mkdtemp(join(tmpdir(), 'kw-e2e-signin-')),
    logger,
    tls: { ca: [provision.caPem] },
  });
  return {
    sip,
    provision,
    kw,
    close: async () => {
      await kw.close();
      await provision.close();
      await sip.close();
    },
  };
}

test.describe('first run and setup links', () => {
  test.setTimeout(120_000);

  test('a new install: the sign-in screen, errors in sentences, then signed in', async ({ page }) => {
    const w = await newInstall();
    try {
      await page.setViewportSize(SIZES[0]);
      await page.goto(w.kw.harness.mainUrl);
      await expect(page.getByRole('heading', { name: 'Sign in to KW Desktop' })).toBeVisible();
      expect(w.kw.app.snapshot().status).toMatchObject({ signIn: true, connection: { phase: 'stopped' } });
      await lookAtEverySize(page, 'empty');

      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('error-servers.0')).toHaveText(
        'Enter the address of your SIP server, like wss://sip.example.com',
      );
      await expect(page.getByTestId('error-uri')).toHaveText(
        'Enter your SIP address, like jane.doe@example.com',
      );
      await expect(page.getByTestId('error-password')).toHaveText('Enter your password');
      await expect(page.locator('#f-servers\\.0')).toBeFocused();
      await page.getByLabel('SIP server').fill('sip.example.com');
      await page.getByLabel('SIP address').fill('kim');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('error-servers.0')).toContainText('A server address starts with wss://');
      await expect(page.getByTestId('error-uri')).toHaveText('A SIP address looks like jane.doe@example.com');
      await lookAtEverySize(page, 'errors');

      await page.getByLabel('SIP server').fill(w.sip.url);
      await page.getByLabel('SIP address').fill('kw1@lab.local');
      await page.getByLabel('Password').fill('kw1-secret');
      await page.getByText('More options').click();
      await page.getByLabel('Display name').fill('Kim Expert');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('connection-status')).toContainText(/registered/i, { timeout: 15_000 });
      await expect(page.getByRole('heading', { name: 'Sign in to KW Desktop' })).toHaveCount(0);
      expect(w.kw.app.snapshot().status).toMatchObject({
        signIn: false,
        account: { uri: 'sip:kw1@lab.local', displayName: 'Kim Expert' },
      });
    } finally {
      await w.close();
    }
  });

  test('a setup link with a one-time code: shown first, then signed in without a password', async ({
    page,
  }) => {
    const w = await newInstall();
    try {
      await page.setViewportSize(SIZES[0]);
      await page.goto(w.kw.harness.mainUrl);
      await page.getByText('Use a setup link from your organization').click();
      const link = `kwdesk://provision?url=${encodeURIComponent(w.provision.documentUrl('kw1', { token: true }))}`;
      await page.getByLabel('Setup link').fill(link);
      await page.getByRole('button', { name: 'Use link' }).click();
      const ready = page.getByTestId('setup-ready');
      await expect(ready).toContainText('Kim Expert (sip:kw1@lab.local)');
      await expect(ready).toContainText(w.sip.url);
      await expect(ready).toContainText('sip:billing@lab.local');
      await expect(ready.getByLabel('Password')).toHaveCount(0);
      // Shown, not applied.
      expect(w.kw.app.snapshot().status.signIn).toBe(true);
      await lookAtEverySize(page, 'link-ready');

      await ready.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('connection-status')).toContainText(/registered/i, { timeout: 15_000 });
      expect(w.kw.app.snapshot().status.account.uri).toBe('sip:kw1@lab.local');
    } finally {
      await w.close();
    }
  });

  test('a setup link on a server with an untrusted certificate: the reason, and back to the form', async ({
    page,
  }) => {
    const w = await newInstall();
    const { logger } = memoryLogger('warn');
    // Its own fresh certificate, which the KW does not trust.
    const stranger = await startProvisioningServer({
      users: USERS,
      servers: [w.sip.url],
      domain: 'lab.local',
      trustedRoutingPoints: [],
      logger,
    });
    try {
      await page.setViewportSize(SIZES[0]);
      await page.goto(w.kw.harness.mainUrl);
      await page.getByText('Use a setup link from your organization').click();
      await page.getByLabel('Setup link').fill(stranger.documentUrl('kw1'));
      await page.getByRole('button', { name: 'Use link' }).click();
      await expect(page.getByTestId('setup-error')).toHaveText(
        /has a certificate that is not trusted, so KW Desktop did not use it\. Ask your administrator\./,
      );
      await lookAtEverySize(page, 'link-untrusted');
      await page.getByRole('button', { name: 'Enter the account myself' }).click();
      await expect(page.getByLabel('SIP address')).toBeVisible();
      expect(w.kw.app.snapshot().status.signIn).toBe(true);
    } finally {
      await stranger.close();
      await w.close();
    }
  });

  test('servers enforced by the organization: filled in and locked, on the sign-in screen and in Settings', async ({
    page,
  }) => {
    const { logger } = memoryLogger('warn');
    const sip = await startSipServer({ port: 0, users: USERS, logger });
    const { policy } = parsePolicy({ Default: {}, Enforced: { servers: [sip.url] }, problems: [] });
    const kw = await startHarnessKw({
      servers: [],
      trustedRoutingPoints: [],
      historyDir: await mkdtemp(join(tmpdir(), 'kw-e2e-signin-policy-')),
      logger,
      policy,
    });
    try {
      await page.setViewportSize(SIZES[0]);
      await page.goto(kw.harness.mainUrl);
      const server = page.getByLabel('SIP server');
      await expect(server).toHaveValue(sip.url);
      await expect(server).toBeDisabled();
      await expect(page.getByTestId('servers-locked')).toHaveText('Set by your organization.');
      await expect(page.getByRole('button', { name: 'Add a backup server' })).toHaveCount(0);
      await lookAtEverySize(page, 'policy');

      await page.getByLabel('SIP address').fill('kw1@lab.local');
      await page.getByLabel('Password').fill('kw1-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('connection-status')).toContainText(/registered/i, { timeout: 15_000 });
      await page.getByRole('button', { name: 'Settings' }).click();
      const settings = page.getByTestId('settings');
      await expect(settings.getByTestId('servers-locked')).toHaveText('Set by your organization.');
      await expect(settings.getByLabel('Server 1', { exact: true })).toBeDisabled();
      await expect(settings.getByLabel('SIP address')).toBeEnabled();
      await screenshot(page, 'sign-in-policy-settings-1040x680-light');
    } finally {
      await kw.close();
      await sip.close();
    }
  });
});
