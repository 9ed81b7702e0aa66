/**
 * e2e: the lab's agent desk and customer simulator pages in Debian's Chromium,
 * against a real lab SIP server, router and a KW core in Node (no media).
 * Audio is real WebRTC between the pages: each page sends a tone and the other
 * page's WebAudio analyser says which frequencies it hears. Chromium offers no
 * 127.0.0.1 ICE candidates; the pages connect over eth0 (192.0.2.2 here).
 */
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { memoryLogger, type Logger } from '../../main/core/log.js';
import { CONTROL_CONTENT_TYPE } from '../../wire/content-types.js';
import { SipRequestError } from '../../main/core/sip/request.js';
import { startLabWeb, type LabWeb } from '../../lab/web/server.js';
import type { RunningRouter } from '../../router/index.js';
import { labServer, type ServerUnderTest } from '../support/servers.js';
import { startTestRouter } from '../support/test-router.js';
import { startKw, type TestKw } from '../support/kw-desk.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import { seriousAxeViolations } from '../support/axe.js';
import { buildLabWeb } from '../support/call-lab.js';

const MEDIA_ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // The tone pages never call getUserMedia, so Chromium would hide host candidates behind mDNS names.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

const RP = 'sip:billing@lab.local';
/** The KW's voice address: nobody registers it here, so a call there is refused (404/480). */
const KW_PHONE = 'sip:kw1-phone@lab.local';

interface Desk {
  readonly logger: Logger;
  readonly sip: ServerUnderTest;
  readonly router: RunningRouter;
  readonly kw: TestKw;
  readonly web: LabWeb;
  /** Opens a lab page with the server filled in. */
  open(path: 'agent' | 'customer', params: Record<string, string>): Promise<Page>;
}

const test = base.extend<{ desk: Desk }>({
  launchOptions: async ({ launchOptions }, use) => {
    await use({ ...launchOptions, args: [...CHROMIUM_ARGS, ...MEDIA_ARGS] });
  },
  desk: async ({ browser }, use) => {
    const { logger } = memoryLogger('warn');
    const sip = await labServer.start({ logger });
    const router = await startTestRouter(
      sip.url,
      [
        {
          uri: 'billing',
          strategy: 'round-robin',
          members: [{ uri: 'kw1', displayName: 'Kim Expert', voiceUri: KW_PHONE }],
          previewTimeoutSeconds: 10,
          waitForAvailableSeconds: 2,
        },
      ],
      logger,
    );
    const kw = await startKw(sip, 'kw1', logger, { trustedRoutingPoints: ['sip:billing@lab.local'] });
    const web = await startLabWeb({ port: 0 });
    await expect.poll(() => router.routingState('sip:kw1@lab.local').kind, { timeout: 15_000 }).toBe('Ready');
    const contexts: Awaited<ReturnType<Browser['newContext']>>[] = [];
    await use({
      logger,
      sip,
      router,
      kw,
      web,
      open: async (path, params) => {
        const context = await browser.newContext();
        contexts.push(context);
        const page = await context.newPage();
        const query = new URLSearchParams({ server: sip.url, ...params });
        await page.goto(`${web.url}/${path}/?${query}`);
        await expect(page.getByTestId('reg-state')).toHaveAttribute('data-state', 'registered');
        return page;
      },
    });
    for (const context of contexts) await context.close().catch(() => undefined);
    // Together: each graceful SIP stop waits ~2 s for JsSIP's transactions; the server goes last.
    await Promise.allSettled([web.close(), kw.stop(), router.close()]);
    await sip.close().catch(() => undefined);
  },
});

test.beforeAll(() => buildLabWeb());

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** The page hears `hz` (or not), per its analyser. */
async function hears(page: Page, testId: string, heard: boolean): Promise<void> {
  await expect(page.getByTestId(testId)).toHaveAttribute('data-heard', heard ? 'yes' : 'no', {
    timeout: 15_000,
  });
}

test('the agent takes the customer call, asks an expert, chats, and a refused transfer keeps the customer', async ({
  desk,
}) => {
  test.setTimeout(120_000);
  const agent = await desk.open('agent', {
    uri: 'sip:agent1@lab.local',
    name: 'Alex Agent',
    tone: '660',
    rp: RP,
    customer: 'sip:customer@lab.local',
  });
  const customer = await desk.open('customer', {
    uri: 'sip:customer@lab.local',
    name: 'Renée Customer',
    tone: '440',
    call: 'sip:agent1@lab.local',
  });

  await test.step('the customer calls the agent; each hears the other tone', async () => {
    await customer.getByTestId('call-button').click();
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'incoming');
    await expect(agent.getByTestId('call-peer')).toContainText('Renée Customer');
    await agent.getByTestId('answer-call').click();
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
    await expect(customer.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
    await hears(customer, 'hearing-660', true);
    await hears(agent, 'customer-hearing-440', true);
    await hears(customer, 'hearing-440', false);
    await hears(agent, 'customer-hearing-660', false);
  });

  await test.step('mute silences the agent for the customer', async () => {
    await agent.getByTestId('mute-call').click();
    await expect(agent.getByTestId('mute-call')).toHaveAttribute('aria-pressed', 'true');
    await hears(customer, 'hearing-660', false);
    await agent.getByTestId('mute-call').click();
    await hears(customer, 'hearing-660', true);
  });

  let interactionId = '';
  await test.step('ask an expert: the KW gets the preview, accepts, the page shows routed', async () => {
    await agent.getByTestId('ask-subject').fill('Invoice dispute');
    await agent.getByTestId('userdata-key').first().fill('CaseNumber');
    await agent.getByTestId('userdata-value').first().fill('42');
    await agent.getByTestId('userdata-add').click();
    await agent.getByTestId('userdata-key').nth(1).fill('Customer');
    await agent.getByTestId('userdata-value').nth(1).fill('Renée <b>Dupont</b> 100%');
    await agent.getByTestId('ask-text').fill('Customer disputes invoice 7, can you help?');
    await agent.getByTestId('ask-button').click();
    const first = agent.getByTestId('chat-message').first();
    const { preview } = await desk.kw.nextPreview(15_000);
    interactionId = preview.interactionId;
    // The routing point took it (200) but no expert has: not delivered yet.
    await expect(first).toHaveAttribute('data-delivery', 'sent');
    await expect(first).toContainText('waiting for an expert');
    expect(preview.subject).toBe('Invoice dispute');
    expect(preview.text).toBe('Customer disputes invoice 7, can you help?');
    expect(preview.userData).toEqual({ CaseNumber: '42', Customer: 'Renée <b>Dupont</b> 100%' });
    expect(preview.agent.uri).toBe('sip:agent1@lab.local');
    await expect(agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'routing');
    await expect(first).toHaveAttribute('data-delivery', 'sent');
    await desk.kw.core.previews.accept(interactionId);
    await expect(agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'routed');
    await expect(first).toHaveAttribute('data-delivery', 'delivered');
    await expect(agent.getByTestId('expert-name')).toHaveText('Kim Expert');
    await expect(agent.getByTestId('expert-uri')).toHaveText('sip:kw1@lab.local');
    await expect(agent.getByTestId('expert-voice-uri')).toHaveText(KW_PHONE);
    await expect(agent.getByTestId('interaction-id')).toHaveText(interactionId);
  });

  await test.step('chat both ways with delivery state', async () => {
    await agent.getByTestId('chat-input').fill('She says it was paid twice.');
    await agent.getByTestId('chat-send').click();
    const out = agent.locator('[data-testid="chat-message"][data-direction="out"]').last();
    await expect(out).toHaveAttribute('data-delivery', 'delivered');
    await expect
      .poll(() => desk.kw.core.conversations.get(interactionId)?.messages.map((m) => m.text))
      .toContain('She says it was paid twice.');
    await desk.kw.core.conversations.send(interactionId, 'I see it. <script>x</script> Transfer her to me.');
    const incoming = agent.locator('[data-testid="chat-message"][data-direction="in"]');
    await expect(incoming).toHaveCount(1);
    await expect(incoming.getByTestId('chat-text')).toHaveText(
      'I see it. <script>x</script> Transfer her to me.',
    );
    await expect(agent.locator('ol.chat script')).toHaveCount(0);
  });

  await test.step('a bad control message is refused (400) and shown nowhere as HTML', async () => {
    const sent = desk.kw.core.agent.sendMessage(
      'sip:agent1@lab.local',
      JSON.stringify({ v: 1, type: 'routed', interactionId: '<img src=x onerror=alert(1)>' }),
      { contentType: CONTROL_CONTENT_TYPE },
    );
    const error = await sent.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SipRequestError);
    expect((error as SipRequestError).status).toBe(400);
    await expect(agent.locator('img')).toHaveCount(0);
    await expect(agent.getByTestId('event-log')).toContainText('refused a MESSAGE');
    await expect(agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'routed');
  });

  await shot(agent, 'agent-desk-routed');
  await shot(customer, 'customer-in-call');

  await test.step("a transfer to the expert's voice address that nobody answers keeps the customer", async () => {
    await agent.getByTestId('escalate-via-voice').check();
    await agent.getByTestId('transfer-button').click();
    const state = agent.getByTestId('transfer-state');
    await expect(state).toHaveAttribute('data-state', 'declined', { timeout: 20_000 });
    await expect(state).toContainText(/40[48]|480/);
    await expect(state).toContainText('stays with you');
    await expect(customer.getByTestId('transfer-state')).toHaveAttribute('data-state', 'failed');
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
    await expect(customer.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
    await hears(customer, 'hearing-660', true);
    await hears(agent, 'customer-hearing-440', true);
  });

  await test.step('the same through the routing point (302 to the voice address, refused)', async () => {
    await agent.getByTestId('escalate-via-rp').check();
    await agent.getByTestId('transfer-button').click();
    await expect(agent.getByTestId('transfer-state')).toHaveAttribute('data-state', 'declined', {
      timeout: 20_000,
    });
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
  });
  await shot(agent, 'agent-desk-transfer-declined');

  await test.step('the agent ends the chat, then hangs up', async () => {
    await agent.getByTestId('chat-end').click();
    await expect(agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'ended');
    await expect.poll(() => desk.kw.core.conversations.get(interactionId)?.state).toBe('ended');
    await agent.getByTestId('hangup-call').click();
    await expect(customer.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
  });
});

test('conference mixed on the agent side, then a blind transfer through the routing point', async ({
  desk,
}) => {
  test.setTimeout(120_000);
  // The expert's phone: a customer simulator registered as the KW's voice address, answering at once.
  const kwPhone = await desk.open('customer', {
    uri: KW_PHONE,
    name: 'Kim Expert',
    tone: '880',
    autoanswer: '1',
  });
  const agent = await desk.open('agent', {
    uri: 'sip:agent1@lab.local',
    name: 'Alex Agent',
    tone: '660',
    rp: RP,
    customer: '"Renée Customer" <sip:customer@lab.local>',
    data: 'CaseNumber=42',
    subject: 'Invoice',
    text: 'Please join the call',
  });
  const customer = await desk.open('customer', {
    uri: 'sip:customer@lab.local',
    name: 'Renée Customer',
    tone: '440',
  });

  await test.step('the agent calls the customer, who answers', async () => {
    await customer.getByTestId('autoanswer').check();
    await agent.getByTestId('call-customer').click();
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
    await hears(customer, 'hearing-660', true);
    await hears(agent, 'customer-hearing-440', true);
  });

  let interactionId = '';
  await test.step('routed to the KW', async () => {
    await agent.getByTestId('ask-button').click();
    const { preview } = await desk.kw.nextPreview(15_000);
    interactionId = preview.interactionId;
    expect(preview.userData).toEqual({ CaseNumber: '42' });
    await desk.kw.core.previews.accept(interactionId);
    await expect(agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'routed');
  });

  await test.step("conference through the expert's voice address: everyone hears the other two", async () => {
    await agent.getByTestId('escalate-via-voice').check();
    await agent.getByTestId('conference-button').click();
    await expect(agent.getByTestId('conference-state')).toHaveAttribute('data-state', 'active');
    const headers = kwPhone.getByTestId('call-header');
    await expect(headers.filter({ hasText: 'X-Interaction-Id:' })).toHaveText(
      `X-Interaction-Id: ${interactionId}`,
    );
    await expect(headers.filter({ hasText: 'X-Escalation:' })).toHaveText('X-Escalation: conference');
    await expect(headers.filter({ hasText: 'X-UserData-CaseNumber:' })).toHaveText(
      'X-UserData-CaseNumber: 42',
    );
    await expect(headers.filter({ hasText: 'X-Participant:' })).toHaveText(
      'X-Participant: "Renée Customer" <sip:customer@lab.local>',
    );
    await hears(customer, 'hearing-660', true);
    await hears(customer, 'hearing-880', true);
    await hears(kwPhone, 'hearing-660', true);
    await hears(kwPhone, 'hearing-440', true);
    await hears(agent, 'customer-hearing-440', true);
    await hears(agent, 'expert-hearing-880', true);
    await hears(agent, 'expert-hearing-440', false);
  });
  await shot(agent, 'agent-desk-conference');
  await shot(kwPhone, 'customer-sim-as-expert-phone');

  await test.step('dropping the expert: back to two', async () => {
    await agent.getByTestId('conference-leave').click();
    await expect(agent.getByTestId('conference-state')).toHaveAttribute('data-state', 'ended');
    await expect(kwPhone.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
    await hears(customer, 'hearing-880', false);
    await hears(customer, 'hearing-660', true);
  });

  await test.step('blind transfer through the routing point: the customer ends up with the expert', async () => {
    await agent.getByTestId('escalate-via-rp').check();
    await agent.getByTestId('transfer-button').click();
    await expect(agent.getByTestId('transfer-state')).toHaveAttribute('data-state', 'accepted', {
      timeout: 20_000,
    });
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
    await expect(customer.getByTestId('transfer-state')).toHaveAttribute('data-state', 'connected');
    await expect(customer.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
    // The customer's phone copied the Refer-To URI headers into its INVITE.
    await expect(customer.getByTestId('call-header').filter({ hasText: 'X-Escalation:' })).toHaveText(
      'X-Escalation: transfer',
    );
    const headers = kwPhone.getByTestId('call-header');
    await expect(headers.filter({ hasText: 'X-Escalation:' })).toHaveText('X-Escalation: transfer');
    await expect(headers.filter({ hasText: 'X-Interaction-Id:' })).toHaveText(
      `X-Interaction-Id: ${interactionId}`,
    );
    await expect(headers.filter({ hasText: 'X-UserData-CaseNumber:' })).toHaveText(
      'X-UserData-CaseNumber: 42',
    );
    await hears(customer, 'hearing-880', true);
    await hears(customer, 'hearing-660', false);
    await hears(kwPhone, 'hearing-440', true);
    await hears(kwPhone, 'hearing-660', false);
  });
  await shot(customer, 'customer-transferred');
});

/** The page in light and in dark: axe finds nothing critical or serious; a full-page screenshot of each. */
async function accessibleInBothSchemes(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousAxeViolations(page), `${name}, ${colorScheme}`).toEqual([]);
    await shot(page, `${name}-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: null });
}

test('not routed: the first message is not delivered, Transfer and Add the expert stay off; light and dark pass axe', async ({
  desk,
}) => {
  test.setTimeout(120_000);
  const agent = await desk.open('agent', {
    uri: 'sip:agent1@lab.local',
    name: 'Alex Agent',
    tone: '660',
    rp: RP,
    customer: 'sip:customer@lab.local',
    subject: 'Invoice dispute',
    data: 'CaseNumber=42',
  });
  const customer = await desk.open('customer', { uri: 'sip:customer@lab.local', name: 'Renée Customer' });
  await customer.getByTestId('autoanswer').check();
  await agent.getByTestId('call-customer').click();
  await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
  await expect(agent.getByTestId('escalate-hint')).toHaveText(/^Ask an expert first/);
  const transfer = agent.getByTestId('transfer-button');
  const conference = agent.getByTestId('conference-button');
  const first = agent.getByTestId('chat-message').first();

  await test.step('the only expert declines: not routed, the first message says why it was not delivered', async () => {
    await agent.getByTestId('ask-text').fill('Can you take this one?');
    await agent.getByTestId('ask-button').click();
    const { preview } = await desk.kw.nextPreview(15_000);
    await expect(first).toHaveAttribute('data-delivery', 'sent');
    await expect(transfer).toBeDisabled();
    await expect(agent.getByTestId('escalate-hint')).toHaveText(/^Waiting for an expert/);
    await desk.kw.core.previews.decline(preview.interactionId, 'in a meeting');
    await expect(agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'not-routed', {
      timeout: 15_000,
    });
    await expect(first).toHaveAttribute('data-delivery', 'failed');
    await expect(first).toContainText('not delivered: the experts declined');
  });

  await test.step('Transfer and Add the expert stay off, through the routing point and the voice address', async () => {
    for (const via of ['escalate-via-rp', 'escalate-via-voice']) {
      await agent.getByTestId(via).check();
      await expect(transfer).toBeDisabled();
      await expect(conference).toBeDisabled();
      await expect(agent.getByTestId('escalate-hint')).toHaveText(/^No expert took the request/);
    }
    await agent.getByTestId('escalate-via-rp').check();
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
  });
  await accessibleInBothSchemes(agent, 'agent-desk-not-routed');

  await test.step('asked again and accepted: the buttons come on', async () => {
    await agent.getByTestId('ask-text').fill('Anyone free now?');
    await agent.getByTestId('ask-button').click();
    const { preview } = await desk.kw.nextPreview(15_000);
    await desk.kw.core.previews.accept(preview.interactionId);
    await expect(agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'routed');
    await expect(first).toHaveAttribute('data-delivery', 'delivered');
    await expect(transfer).toBeEnabled();
    await expect(conference).toBeEnabled();
    await expect(agent.getByTestId('escalate-hint')).toHaveText('Kim Expert can join the call.');
    await desk.kw.core.conversations.send(preview.interactionId, 'Yes, I have the invoice open.');
    await expect(agent.locator('[data-testid="chat-message"][data-direction="in"]')).toHaveCount(1);
  });
  await accessibleInBothSchemes(agent, 'agent-desk-routed');
  await agent.setViewportSize({ width: 720, height: 480 });
  await accessibleInBothSchemes(agent, 'agent-desk-routed-720');
});
