/**
 * e2e, issue 12 points 1 and 2: a connection state a KW can trust, in words.
 * Real lab SIP server, real harness KW, real renderer in Chromium:
 *  - the server goes away: a banner says so in a sentence, presence shows the
 *    KW cannot be reached, the empty screen does not tell an Available KW to
 *    set Available; "Retry now" registers as soon as the server is back, long
 *    before the backoff would have;
 *  - a wrong password (lab server with digest auth): the sentence, no retry
 *    storm (REGISTERs counted on the wire), "Retry now" tries once, a new
 *    password in Settings signs in;
 *  - the agent's app forgets the chat (481), ends it, or goes offline (480):
 *    the chat and its closed composer say so.
 * In each state the page's text holds no SIP status line; screenshots in both
 * themes at 1040×680 and 720×480, and axe-core finds nothing serious.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { startSipServer, type SipServer } from '../../lab/sip-server/index.js';
import { memoryLogger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { startHarnessKw, type HarnessKw } from '../../main/harness/compose.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import { startWsTap } from '../support/ws-tap.js';
import { seriousAxeViolations } from '../support/axe.js';
import { test, expect, screenshot, BILLING, FAST } from './fixtures.js';

/** What a KW must never read: a SIP status line ("481 Interaction Does Not Exist"). */
const STATUS_LINE = /\b[1-6]\d\d [A-Z]/;
const SIZES = [
  { width: 1040, height: 680 },
  { width: 720, height: 480 },
] as const;
const SCHEMES = ['light', 'dark'] as const;
/** A transient backoff so long that only "Retry now" explains a quick recovery. */
const SLOW = {
  retry: { initialMs: 45_000, maxMs: 45_000 },
  keepAlive: { intervalMs: 1000, timeoutMs: 1000 },
};

async function bodyText(page: Page): Promise<string> {
  return page.evaluate('document.body.innerText') as Promise<string>;
}

async function expectNoStatusLine(page: Page, what: string): Promise<void> {
  const text = await bodyText(page);
  expect(STATUS_LINE.exec(text)?.[0], `${what}: a status line in the page`).toBeUndefined();
}

/** Screenshots at both sizes and schemes, each checked for status lines and by axe. */
async function lookAtEverySize(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      const at = `${name} ${size.width}×${size.height} ${scheme}`;
      await expectNoStatusLine(page, at);
      expect(await seriousAxeViolations(page), at).toEqual([]);
      await screenshot(page, `connection-${name}-${size.width}x${size.height}-${scheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
}

async function harnessKw(servers: string[], password?: string): Promise<HarnessKw> {
  const { logger } = memoryLogger('warn');
  return startHarnessKw({
    account: { uri: 'sip:kw1@lab.local', displayName: 'Kim Expert', ...(password ? { password } : {}) },
    servers,
    trustedRoutingPoints: [BILLING],
    historyDir: await mkdtemp(join(tmpdir(), 'kw-e2e-conn-')),
    logger,
    agentOptions: SLOW,
  });
}

const registers = (frames: readonly string[]) => frames.filter((f) => f.startsWith('REGISTER ')).length;

test.describe('the connection, in words', () => {
  test.setTimeout(150_000);

  test('server unreachable: banner, presence not reachable, honest empty screen; Retry now once it is back', async ({
    page,
  }) => {
    const { logger } = memoryLogger('warn');
    let sip: SipServer = await startSipServer({ port: 0, logger });
    const port = sip.port;
    const kw = await harnessKw([sip.url]);
    try {
      await page.setViewportSize(SIZES[0]);
      await page.goto(kw.harness.mainUrl);
      const status = page.getByTestId('connection-status');
      await expect(status).toContainText(/registered/i);
      await expect(page.getByTestId('presence-dot')).not.toHaveClass(/is-unreachable/);

      await sip.close();
      const banner = page.getByTestId('connection-banner');
      await expect(banner).toHaveAttribute('data-problem', 'unreachable', { timeout: 15_000 });
      await expect(banner).toContainText(
        'KW Desktop cannot reach the SIP server, so requests cannot reach you.',
      );
      await expect(banner).toContainText(/Trying again in \d+\s(s|min)\./);
      await expect(banner.getByRole('button', { name: 'Retry now' })).toBeVisible();
      await expect(banner.getByRole('button', { name: 'Open settings' })).toBeVisible();
      // The raw reason is behind "Technical details", not in the text.
      await expect(banner.locator('details')).not.toHaveAttribute('open');
      await expect(banner.locator('details')).toContainText('ECONNREFUSED');
      expect(await bodyText(page)).not.toContain('ECONNREFUSED');
      await expect(status).toContainText(/Not connected — retrying/);
      await expect(page.getByTestId('presence-dot')).toHaveClass(/is-unreachable/);
      await expect(page.getByTestId('presence-reach')).toHaveText('Not reachable — not connected');
      await expect(page.getByTestId('presence-select')).toHaveValue('available');
      const empty = page.getByTestId('empty-state');
      await expect(empty).toContainText('KW Desktop is not connected, so requests cannot reach you.');
      await expect(empty).not.toContainText('Set your presence to Available');
      await expect(page.getByTestId('routable-status')).toContainText('Not receiving requests');
      await lookAtEverySize(page, 'unreachable');

      sip = await startSipServer({ port, logger });
      const asked = Date.now();
      await banner.getByRole('button', { name: 'Retry now' }).click();
      await expect(status).toContainText(/registered/i, { timeout: 10_000 });
      expect(Date.now() - asked, 'registered long before the 45 s backoff').toBeLessThan(10_000);
      await expect(banner).toHaveCount(0);
      await expect(page.getByTestId('presence-dot')).not.toHaveClass(/is-unreachable/);
      await expect(page.getByTestId('presence-reach')).toHaveCount(0);
      await expect(page.getByText('Connected again.')).toBeAttached();
    } finally {
      await kw.close();
      await sip.close().catch(() => undefined);
    }
  });

  test('a wrong password: the sentence, no retry storm, Retry now tries once, Settings signs in', async ({
    page,
  }) => {
    const { logger } = memoryLogger('warn');
    const sip = await startSipServer({ port: 0, logger, users: [{ user: 'kw1', password: 'kw1-secret' }] });
    const tap = await startWsTap(sip.url);
    const kw = await harnessKw([tap.url], 'not-the-password');
    try {
      await page.setViewportSize(SIZES[0]);
      await page.goto(kw.harness.mainUrl);
      const banner = page.getByTestId('connection-banner');
      await expect(banner).toHaveAttribute('data-problem', 'credentials', { timeout: 15_000 });
      await expect(banner).toContainText('The server refused your password. Check it in Settings.');
      await expect(banner).toContainText(/Trying again in \d+\smin, or when you save Settings\./);
      await expect(page.getByTestId('presence-reach')).toHaveText('Not reachable — not connected');

      const first = registers(tap.fromClients);
      expect(first, 'REGISTERs of the first attempt').toBeLessThanOrEqual(2);
      // The screenshots and axe runs take part of the 6 s watched for REGISTERs: the rest is waited out.
      const watchedSince = Date.now();
      await lookAtEverySize(page, 'password-refused');
      await page.waitForTimeout(Math.max(0, 6000 - (Date.now() - watchedSince)));
      expect(registers(tap.fromClients), 'REGISTERs while waiting').toBe(first);

      await banner.getByRole('button', { name: 'Retry now' }).click();
      await expect.poll(() => registers(tap.fromClients)).toBeGreaterThan(first);
      await expect(banner).toHaveAttribute('data-problem', 'credentials');
      await page.waitForTimeout(3000);
      const afterRetry = registers(tap.fromClients);
      expect(afterRetry - first, 'REGISTERs of one Retry now').toBeLessThanOrEqual(2);
      await page.waitForTimeout(3000);
      expect(registers(tap.fromClients), 'REGISTERs after Retry now').toBe(afterRetry);

      // "Open settings", the right password, Save: signed in.
      await banner.getByRole('button', { name: 'Open settings' }).click();
      await page.locator('#f-password').fill('kw1-secret');
      await page.getByTestId('settings-save').click();
      await expect(page.getByTestId('connection-status')).toContainText(/registered/i, { timeout: 15_000 });
      await expect(banner).toHaveCount(0);
    } finally {
      await kw.close();
      await tap.close();
      await sip.close();
    }
  });

  test('the agent leaves: 481 to a message, an end, or offline (480): the chat and its composer say so', async ({
    world,
    page,
  }) => {
    const agent = new SipAgent({
      account: { uri: 'sip:agent5@lab.local', displayName: 'Dana Agent', servers: [world.lab.url] },
      logger: world.logger,
      ...FAST,
    });
    agent.start();
    let bot = new AgentBot({ agent, logger: world.logger });
    try {
      await expect.poll(() => agent.isRegistered, { timeout: 10_000 }).toBe(true);
      await page.setViewportSize(SIZES[0]);
      await world.openMain(page);
      const composer = page.getByTestId('composer');
      const closed = page.getByTestId('composer-closed');
      const chatWith = async (subject: string) => {
        const asked = bot.askExpert(BILLING, { text: `About ${subject}`, subject });
        await page.getByTestId('pending-previews').getByTestId('accept').click();
        const outcome = await asked;
        if (outcome.kind !== 'routed') throw new Error(`not routed: ${JSON.stringify(outcome)}`);
        await expect(page.getByTestId('chat-subject')).toContainText(subject);
        await expect(composer).toBeVisible();
        return outcome.interactionId;
      };
      const send = async (text: string) => {
        await composer.fill(text);
        await page.getByTestId('send').click();
        const message = page.getByTestId('message').filter({ hasText: text });
        await expect(message).toHaveAttribute('data-delivery', 'failed');
        return message;
      };

      // The agent's app no longer knows the chat (a new bot on the same account answers 481).
      await chatWith('Forgotten refund');
      bot.dispose();
      bot = new AgentBot({ agent, logger: world.logger });
      const forgotten = await send('Are you still there?');
      const error = forgotten.getByTestId('delivery-error');
      await expect(error).toHaveText('Not delivered. The agent has left this chat.');
      await expect(error).toHaveAttribute('title', '481 Interaction Does Not Exist');
      await expect(closed).toHaveAttribute('data-reason', 'left');
      await expect(closed).toContainText('Dana Agent has left this chat');
      await expect(closed).toContainText('You can no longer write here.');
      await expect(composer).toHaveCount(0);
      await expectNoStatusLine(page, 'after a 481');
      await lookAtEverySize(page, 'agent-left');

      // The agent ends the chat.
      const ended = await chatWith('Ended refund');
      await bot.end(ended);
      await expect(closed).toHaveAttribute('data-reason', 'left');
      await expect(closed).toContainText('Dana Agent has left this chat');
      await expect(composer).toHaveCount(0);

      // The agent goes offline (480 from the server); writes again: the composer comes back.
      const offline = await chatWith('Offline refund');
      await agent.stop(1000);
      const unsent = await send('Hello?');
      await expect(unsent.getByTestId('delivery-error')).toHaveText('Not delivered. The agent is offline.');
      await expect(closed).toHaveAttribute('data-reason', 'offline');
      await expect(closed).toContainText(
        /Dana Agent has been offline since .+, so your messages cannot reach them\./,
      );
      await expect(page.locator('.chat-agent .badge-warn')).toHaveText('Agent offline');
      await expect(composer).toHaveCount(0);
      await expectNoStatusLine(page, 'after a 480');
      await lookAtEverySize(page, 'agent-offline');
      agent.start();
      await expect.poll(() => agent.isRegistered, { timeout: 10_000 }).toBe(true);
      await agent.sendMessage(world.kw.app.kwCore.agent.aor, 'Back again, sorry', {
        headers: [`${INTERACTION_HEADER}: ${offline}`],
      });
      await expect(page.getByTestId('message').filter({ hasText: 'Back again, sorry' })).toBeVisible();
      await expect(closed).toHaveCount(0);
      await expect(composer).toBeVisible();
    } finally {
      bot.dispose();
      await agent.stop(1000);
    }
  });
});
