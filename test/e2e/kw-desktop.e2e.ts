import { test, expect, screenshot, BILLING } from './fixtures.js';

const XSS_TEXT = `<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> javascript:window.__pwned=3 see https://example.com/help`;

test.describe('KW Desktop in the browser harness', () => {
  test('preview pops with context and a countdown → accept by click → chat both ways, typing, delivery → end; history after a restart', async ({
    world,
    page,
    context,
  }) => {
    await world.openMain(page);
    const popup = await context.newPage();
    await popup.setViewportSize({ width: 380, height: 260 });
    await world.openPreview(popup);

    const asked = world.bot.askExpert(BILLING, {
      text: 'Customer disputes invoice 42, can you check the credit note?',
      subject: 'Invoice dispute',
      userData: { CaseNumber: '42', CustomerName: 'Renée Ø' },
    });
    const card = popup.getByTestId('preview-card');
    await expect(card).toBeVisible();
    await expect(card).toContainText('Alex Agent');
    await expect(card).toContainText('Invoice dispute');
    await expect(card).toContainText('credit note');
    await expect(card).toContainText(/Case ?Number/);
    await expect(card).toContainText('Renée Ø');
    const countdown = popup.getByTestId('preview-countdown');
    const first = await countdown.textContent();
    await expect.poll(async () => countdown.textContent(), { timeout: 5000 }).not.toBe(first);
    await screenshot(popup, 'preview-popup');

    await popup.getByTestId('accept').click();
    const outcome = await asked;
    expect(outcome.kind).toBe('routed');
    const id = outcome.interactionId;
    await expect(card).toHaveCount(0);

    const chat = page.getByTestId('chat-view');
    await expect(chat).toBeVisible();
    await expect(page.getByTestId('chat-subject')).toContainText('Invoice dispute');
    await expect(page.getByTestId('user-data')).toContainText('42');

    // Agent → KW
    await world.bot.say(id, 'Are you there?');
    await expect(page.getByTestId('message').filter({ hasText: 'Are you there?' })).toHaveAttribute(
      'data-direction',
      'in',
    );
    // KW typing → agent sees it
    const typing = world.bot.once('typing', (t) => t.state === 'active');
    await page.getByTestId('composer').pressSequentially('Yes, lookin');
    await typing;
    // KW → agent, delivered
    const received = world.bot.once('message', (m) => m.text === 'Yes, looking at it now');
    await page.getByTestId('composer').fill('Yes, looking at it now');
    await page.getByTestId('send').click();
    await received;
    await expect(page.getByTestId('message').filter({ hasText: 'Yes, looking at it now' })).toHaveAttribute(
      'data-delivery',
      'delivered',
    );
    await screenshot(page, 'main-chat');

    // End
    const ended = world.bot.once('ended', (e) => e.interactionId === id);
    await page.getByTestId('end-conversation').click();
    await page.getByTestId('confirm-end').click();
    await ended;
    await expect(page.getByTestId('composer')).toHaveCount(0);

    // A restart of the core: the history is still there.
    await world.restartKw();
    await world.openMain(page);
    await expect(page.getByTestId('conversation-item').filter({ hasText: 'Invoice dispute' })).toBeVisible();
    await screenshot(page, 'main-window');
  });

  test('decline by keyboard → the next KW gets it; a preview left alone disappears at its timeout', async ({
    world,
    page,
  }) => {
    await world.kw2.presence.set('available');
    await expect.poll(() => world.lab.router.routingState('sip:kw2@lab.local').kind).toBe('Ready');
    await world.openPreview(page);

    const asked = world.bot.askExpert(BILLING, { text: 'first request' });
    const card = page.getByTestId('preview-card');
    await expect(card).toBeVisible();
    const kw2Got = world.kw2.previews.once('added');
    await page.keyboard.press('d');
    const reason = page.getByTestId('decline-reason');
    if (await reason.isVisible().catch(() => false)) await page.keyboard.press('Enter');
    const { preview } = await kw2Got;
    await world.kw2.previews.accept(preview.interactionId);
    expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: 'sip:kw2@lab.local' } });
    await expect(card).toHaveCount(0);

    // Left alone: gone at its timeout (8 s in this lab).
    await world.kw2.presence.set('busy');
    const second = world.bot.askExpert(BILLING, { text: 'nobody answers me' });
    await expect(card).toBeVisible();
    await expect(card).toHaveCount(0, { timeout: 12_000 });
    expect((await second).kind).toBe('not-routed');
  });

  test('presence changed in the UI changes the router view; Busy → no preview is offered', async ({
    world,
    page,
  }) => {
    await world.openMain(page);
    await page.getByTestId('presence-select').selectOption('busy');
    await expect
      .poll(() => world.lab.router.routingState('sip:kw1@lab.local'))
      .toEqual({ kind: 'NotReady', reason: 'busy' });
    await expect(page.getByTestId('routable-status')).toContainText(/not ready|busy/i);
    const outcome = await world.bot.askExpert(BILLING, { text: 'anyone?' });
    expect(outcome).toMatchObject({ kind: 'not-routed', reason: 'no-kw-available' });
    await expect(page.getByTestId('pending-previews').getByTestId('preview-card')).toHaveCount(0);
    await page.getByTestId('presence-select').selectOption('available');
    await expect.poll(() => world.lab.router.routingState('sip:kw1@lab.local').kind).toBe('Ready');
  });

  test('HTML, scripts and javascript: links from the network render as inert text', async ({
    world,
    page,
    context,
  }) => {
    await world.openMain(page);
    const popup = await context.newPage();
    await world.openPreview(popup);
    const asked = world.bot.askExpert(BILLING, {
      text: XSS_TEXT,
      subject: '<b>bold?</b><script>window.__pwned=4</script>',
      userData: { Note: '<img src=x onerror="window.__pwned=5">', Link: 'javascript:window.__pwned=6' },
    });
    const card = popup.getByTestId('preview-card');
    await expect(card).toContainText('<img src=x onerror=');
    await expect(card).toContainText('<script>window.__pwned=2</script>');
    await popup.getByTestId('accept').click();
    const outcome = await asked;
    if (outcome.kind !== 'routed') throw new Error('not routed');
    await world.bot.say(
      outcome.interactionId,
      `<img src=x onerror="window.__pwned=7"> and javascript:window.__pwned=8`,
    );
    await expect(page.getByTestId('message').filter({ hasText: 'onerror="window.__pwned=7"' })).toBeVisible();
    await screenshot(page, 'main-chat-hostile-text');
    for (const p of [page, popup]) {
      expect(await p.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await p.locator('img[src="x"]').count()).toBe(0);
      expect(await p.locator('script:not([src])').count()).toBe(0);
      expect(await p.locator('a[href^="javascript:"]').count()).toBe(0);
    }
    // The https link is a link, and opening it goes through main's opener.
    const link = page
      .getByTestId('chat-view')
      .getByRole('link', { name: 'https://example.com/help' })
      .first();
    await expect(link).toBeVisible();
    await link.click();
    await expect.poll(() => world.kw.openedLinks).toContain('https://example.com/help');
  });

  test('a SIP server restart shows retrying, then registered, without user action', async ({
    world,
    page,
  }) => {
    await world.openMain(page);
    const status = page.getByTestId('connection-status');
    await expect(status).toContainText(/registered/i);
    await world.lab.killSip();
    await expect(status).toContainText(/retrying/i);
    await screenshot(page, 'main-retrying');
    await world.lab.restartSip();
    await expect(status).toContainText(/registered/i, { timeout: 15_000 });
  });

  test('Settings: the trusted routing points are listed, checked, added and removed; a save signs in again with them', async ({
    world,
    page,
  }) => {
    await world.openMain(page);
    await page.getByRole('button', { name: 'Settings' }).click();
    const list = page.getByTestId('routing-points');
    await expect(list.getByRole('textbox', { name: 'Routing point 1' })).toHaveValue(BILLING);

    // A mistake shows under its row, before anything is sent; nothing changes in main.
    await list.getByTestId('routing-point-add').click();
    const second = list.getByRole('textbox', { name: 'Routing point 2' });
    await expect(second).toBeFocused();
    await second.fill('claims-experts');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('error-trustedRoutingPoints.1')).toHaveText(
      'a routing point is a SIP address like sip:billing-experts@example.com, without port or parameters',
    );
    await expect(second).toHaveAttribute('aria-invalid', 'true');
    await list.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'settings-routing-points-error');
    await second.fill('sip:billing@LAB.local');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('error-trustedRoutingPoints.1')).toHaveText(
      'this routing point is already in the list',
    );
    expect((await world.kw.app.handlers['settings.get']({})).trustedRoutingPoints).toEqual([BILLING]);

    // A good one is saved: main has it, and the KW signs in again.
    await second.fill('sip:claims-experts@lab.local');
    await page.getByTestId('settings-save').click();
    await expect(page.getByText('Saved.')).toBeVisible();
    await expect
      .poll(async () => (await world.kw.app.handlers['settings.get']({})).trustedRoutingPoints)
      .toEqual([BILLING, 'sip:claims-experts@lab.local']);
    await expect(page.getByTestId('connection-status')).toContainText(/registered/i, { timeout: 15_000 });
    await expect(page.getByTestId('error-trustedRoutingPoints.1')).toHaveCount(0);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [width, height] of [
        [1040, 680],
        [720, 480],
      ] as const) {
        await page.setViewportSize({ width, height });
        await list.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await screenshot(page, `settings-routing-points-${scheme}-${width}x${height}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1100, height: 720 });

    // Removing every one: the form says what that means, and main trusts none.
    await list.getByRole('button', { name: 'Remove routing point 2' }).click();
    await list.getByRole('button', { name: 'Remove routing point 1' }).click();
    await expect(page.getByTestId('routing-points-none')).toContainText(
      'you will not receive expert requests',
    );
    await page.getByTestId('settings-save').click();
    await expect
      .poll(async () => (await world.kw.app.handlers['settings.get']({})).trustedRoutingPoints)
      .toEqual([]);
  });
});
