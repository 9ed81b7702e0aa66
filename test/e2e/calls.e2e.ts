/**
 * e2e: escalated calls with real audio. The KW Desktop runs in the browser
 * harness (its media host in the main page, microphone = a WAV of the KW's
 * tone); the agent desk and the customer simulator are the lab's pages, each
 * sending its own tone. Everything real: lab SIP server, router, JsSIP in
 * main over the media bridge, WebRTC in Chromium over eth0 (Chromium offers
 * no 127.0.0.1 candidates). Who hears what is measured with WebAudio
 * analysers on the remote streams.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { memoryLogger } from '../../main/core/log.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import {
  AGENT_URI,
  CUSTOMER_URI,
  HEARD_DB,
  RP,
  TONES,
  buildLabWeb,
  callChromiumArgs,
  kwHears,
  startCallLab,
  type CallLab,
} from '../support/call-lab.js';

interface CallWorld {
  readonly lab: CallLab;
  readonly kwMain: Page;
  readonly kwPopup: Page;
  readonly agent: Page;
  readonly customer: Page;
}

const test = base.extend<{ ringTimeoutMs: number; world: CallWorld }>({
  ringTimeoutMs: [30_000, { option: true }],
  launchOptions: async ({ launchOptions }, use) => {
    await use({ ...launchOptions, args: [...CHROMIUM_ARGS, ...(await callChromiumArgs())] });
  },
  world: async ({ browser, ringTimeoutMs }, use) => {
    const { logger } = memoryLogger('warn');
    const lab = await startCallLab(logger, { ringTimeoutMs });
    const kwContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const labContext = await browser.newContext({ viewport: { width: 1100, height: 1200 } });
    const kwMain = await kwContext.newPage();
    await kwMain.goto(lab.kwMainUrl);
    await expect(kwMain.getByTestId('connection-status')).toContainText(/registered/i);
    await expect.poll(() => lab.kw.media.available, { timeout: 10_000 }).toBe(true);
    const kwPopup = await kwContext.newPage();
    await kwPopup.setViewportSize({ width: 380, height: 260 });
    await kwPopup.goto(lab.kwCallUrl);
    const agent = await labContext.newPage();
    await agent.goto(
      lab.labUrl('agent', {
        uri: AGENT_URI,
        name: 'Alex Agent',
        tone: String(TONES.agent),
        rp: RP,
        customer: `"Renée Customer" <${CUSTOMER_URI}>`,
        subject: 'Invoice paid twice',
        data: 'CaseNumber=42',
        text: 'Customer says invoice 7 was paid twice',
      }),
    );
    const customer = await labContext.newPage();
    await customer.goto(
      lab.labUrl('customer', {
        uri: CUSTOMER_URI,
        name: 'Renée Customer',
        tone: String(TONES.customer),
        call: AGENT_URI,
      }),
    );
    for (const page of [agent, customer]) {
      await expect(page.getByTestId('reg-state')).toHaveAttribute('data-state', 'registered');
    }
    await expect
      .poll(() => lab.router.routingState('sip:kw1@lab.local').kind, { timeout: 15_000 })
      .toBe('Ready');
    await use({ lab, kwMain, kwPopup, agent, customer });
    await kwContext.close().catch(() => undefined);
    await labContext.close().catch(() => undefined);
    await lab.close();
  },
});

test.beforeAll(() => buildLabWeb());

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png` });
}

/** A lab page's analyser says it hears `hz` (or not). */
async function pageHears(page: Page, testId: string, heard: boolean): Promise<void> {
  await expect(page.getByTestId(testId)).toHaveAttribute('data-heard', heard ? 'yes' : 'no', {
    timeout: 15_000,
  });
}

/** The KW's remote audio has (or lacks) each tone. */
async function kwHearsTones(
  page: Page,
  heard: readonly number[],
  notHeard: readonly number[] = [],
): Promise<void> {
  await expect
    .poll(
      async () => {
        const levels = await kwHears(page, [...heard, ...notHeard]);
        return (
          heard.every((f) => (levels[f] ?? -1000) > HEARD_DB) &&
          notHeard.every((f) => (levels[f] ?? -1000) < HEARD_DB)
        );
      },
      { timeout: 15_000, intervals: [200, 500, 1000] },
    )
    .toBe(true);
}

/** The customer calls the agent, the agent answers, then asks an expert; the KW accepts in its main window. */
async function customerCallAndAskExpert(w: CallWorld): Promise<void> {
  await w.customer.getByTestId('call-button').click();
  await expect(w.agent.getByTestId('call-state')).toHaveAttribute('data-state', 'incoming');
  await w.agent.getByTestId('answer-call').click();
  await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
  await pageHears(w.customer, `hearing-${TONES.agent}`, true);

  await w.agent.getByTestId('ask-button').click();
  const card = w.kwMain.getByTestId('preview-card');
  await expect(card).toContainText('Invoice paid twice');
  await card.getByTestId('accept').click();
  await expect(w.agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'routed');
  await w.agent.getByTestId('chat-input').fill('Can you take her? She is on the line.');
  await w.agent.getByTestId('chat-send').click();
  await expect(w.kwMain.locator('[data-testid="message"][data-direction="in"]').last()).toContainText(
    'Can you take her?',
  );
}

function callPanel(w: CallWorld) {
  return w.kwMain.getByTestId('call-panel');
}

test('transfer through the routing point: the popup shows the chat, Answer connects the customer and the KW, the agent is out', async ({
  world: w,
}) => {
  test.setTimeout(120_000);
  await customerCallAndAskExpert(w);

  await test.step('the agent transfers through the routing point; the KW popup rings with the chat context', async () => {
    await w.agent.getByTestId('escalate-via-rp').check();
    await w.agent.getByTestId('transfer-button').click();
    const card = w.kwPopup.getByTestId('call-card');
    await expect(card).toHaveAttribute('data-phase', 'ringing');
    await expect(card).toContainText(/transfer/i);
    await expect(card).toContainText('Invoice paid twice');
    await expect(card).toContainText('Alex Agent');
    await expect(card).toContainText('42');
    await shot(w.kwPopup, 'call-popup-transfer');
  });

  await test.step('Answer: the customer hears the KW, the KW hears the customer, the agent has left', async () => {
    await w.kwPopup.getByTestId('call-answer').click();
    await expect(callPanel(w)).toHaveAttribute('data-phase', 'active');
    await pageHears(w.customer, `hearing-${TONES.kw}`, true);
    await kwHearsTones(w.kwMain, [TONES.customer], [TONES.agent]);
    await expect(w.agent.getByTestId('transfer-state')).toHaveAttribute('data-state', 'accepted');
    await expect(w.agent.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
    await pageHears(w.customer, `hearing-${TONES.agent}`, false);
    await expect
      .poll(() => w.lab.router.routingState('sip:kw1@lab.local'))
      .toMatchObject({
        kind: 'NotReady',
        reason: 'on-the-phone',
      });
    await expect(w.kwMain.getByTestId('call-timer')).toHaveText(/0:0[1-9]/);
    await shot(w.kwMain, 'main-in-call-transfer');
  });

  await test.step('the KW hangs up: the call ends everywhere and the conversation records it', async () => {
    await callPanel(w).getByTestId('call-hangup').click();
    // The ended panel lingers 8 s: look at it first, before the customer's side (slow under load).
    await expect(callPanel(w)).toHaveAttribute('data-phase', 'ended');
    await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
    const record = w.kwMain.getByTestId('call-record');
    await expect(record).toHaveAttribute('data-outcome', 'answered');
    await expect(record).toContainText('Transferred call answered');
    await expect.poll(() => w.lab.router.routingState('sip:kw1@lab.local').kind).toBe('Ready');
  });
});

test("direct transfer to the KW's voice address: mute and hold silence the KW at the far end, the customer hangs up", async ({
  world: w,
}) => {
  test.setTimeout(120_000);
  await customerCallAndAskExpert(w);
  await w.agent.getByTestId('escalate-via-voice').check();
  await w.agent.getByTestId('transfer-button').click();

  await test.step('the main window rings too, and answers', async () => {
    const ringing = w.kwMain.getByTestId('call-card');
    await expect(ringing).toHaveAttribute('data-phase', 'ringing');
    await ringing.getByTestId('call-answer').click();
    await expect(callPanel(w)).toHaveAttribute('data-phase', 'active');
    await pageHears(w.customer, `hearing-${TONES.kw}`, true);
    await kwHearsTones(w.kwMain, [TONES.customer]);
  });

  await test.step('mute stops the KW at the far end, unmute restores it', async () => {
    await callPanel(w).getByTestId('call-mute').click();
    await expect(callPanel(w)).toHaveAttribute('data-muted', 'true');
    await pageHears(w.customer, `hearing-${TONES.kw}`, false);
    await kwHearsTones(w.kwMain, [TONES.customer]);
    await callPanel(w).getByTestId('call-mute').click();
    await expect(callPanel(w)).toHaveAttribute('data-muted', 'false');
    await pageHears(w.customer, `hearing-${TONES.kw}`, true);
  });

  await test.step('hold stops the audio, resume restores it', async () => {
    await callPanel(w).getByTestId('call-hold').click();
    await expect(callPanel(w)).toHaveAttribute('data-held', 'true');
    await shot(w.kwMain, 'main-in-call-held');
    await pageHears(w.customer, `hearing-${TONES.kw}`, false);
    await callPanel(w).getByTestId('call-hold').click();
    await expect(callPanel(w)).toHaveAttribute('data-held', 'false');
    await pageHears(w.customer, `hearing-${TONES.kw}`, true);
    await kwHearsTones(w.kwMain, [TONES.customer]);
  });

  await test.step('the customer hangs up: the KW sees why', async () => {
    await w.customer.getByTestId('hangup-call').click();
    await expect(callPanel(w)).toHaveAttribute('data-phase', 'ended');
    await expect(callPanel(w)).toContainText('The caller hung up');
  });
});

test('conference: the KW hears the agent and the customer, each of them hears the KW', async ({
  world: w,
}) => {
  test.setTimeout(120_000);
  await customerCallAndAskExpert(w);
  await w.agent.getByTestId('escalate-via-rp').check();
  await w.agent.getByTestId('conference-button').click();
  const card = w.kwPopup.getByTestId('call-card');
  await expect(card).toContainText(/conference/i);
  await shot(w.kwPopup, 'call-popup-conference');
  await w.kwPopup.getByTestId('call-answer').click();
  await expect(callPanel(w)).toHaveAttribute('data-phase', 'active');
  await expect(w.agent.getByTestId('conference-state')).toHaveAttribute('data-state', 'active');
  await expect(callPanel(w).getByTestId('call-participants')).toContainText('Renée Customer');
  await expect(callPanel(w).getByTestId('call-participants')).toContainText('Alex Agent');

  await kwHearsTones(w.kwMain, [TONES.customer, TONES.agent]);
  await pageHears(w.customer, `hearing-${TONES.kw}`, true);
  await pageHears(w.agent, `expert-hearing-${TONES.kw}`, true);
  await shot(w.kwMain, 'main-in-call-conference');

  await w.agent.getByTestId('conference-leave').click();
  await expect(callPanel(w)).toHaveAttribute('data-phase', 'ended');
});

test('an ordinary call (no interaction id) rings with caller id, a second one waits, neither is recorded in a conversation', async ({
  world: w,
}) => {
  test.setTimeout(90_000);
  await w.customer.getByTestId('call-target').fill('sip:kw1@lab.local');
  await w.customer.getByTestId('call-button').click();
  const card = w.kwPopup.getByTestId('call-card');
  await expect(card).toHaveAttribute('data-phase', 'ringing');
  await expect(card).toContainText('Renée Customer');
  await expect(card).not.toContainText(/transfer|conference/i);
  await shot(w.kwPopup, 'call-popup-ordinary');
  await card.getByTestId('call-answer').click();
  await expect(callPanel(w)).toHaveAttribute('data-phase', 'active');
  await pageHears(w.customer, `hearing-${TONES.kw}`, true);
  await kwHearsTones(w.kwMain, [TONES.customer]);

  await test.step('a second call is offered, not forced: answering it holds the first', async () => {
    const second = await w.customer.context().newPage();
    await second.goto(
      w.lab.labUrl('customer', {
        uri: 'sip:customer2@lab.local',
        name: 'Sam Second',
        tone: String(TONES.agent),
      }),
    );
    await expect(second.getByTestId('reg-state')).toHaveAttribute('data-state', 'registered');
    await second.getByTestId('call-target').fill('sip:kw1@lab.local');
    await second.getByTestId('call-button').click();
    const waiting = w.kwPopup.locator('[data-testid="call-card"][data-phase="ringing"]');
    await expect(waiting).toHaveAttribute('data-waiting', 'true');
    await expect(waiting).toContainText('Sam Second');
    await expect(callPanel(w)).toHaveAttribute('data-phase', 'active'); // the first call goes on meanwhile
    await waiting.getByTestId('call-answer').click();
    await expect(w.kwMain.getByTestId('call-held')).toContainText('Renée Customer');
    await pageHears(second, `hearing-${TONES.kw}`, true);
    await pageHears(w.customer, `hearing-${TONES.kw}`, false);
    await callPanel(w).getByTestId('call-hangup').click();
    await expect(second.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
    // The first call is the current one again, still on hold until resumed.
    await expect(callPanel(w)).toHaveAttribute('data-held', 'true');
    await callPanel(w).getByTestId('call-hold').click();
    await expect(callPanel(w)).toHaveAttribute('data-held', 'false');
    await pageHears(w.customer, `hearing-${TONES.kw}`, true);
  });

  await callPanel(w).getByTestId('call-hangup').click();
  await expect(w.customer.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
  await expect(w.kwMain.getByTestId('call-record')).toHaveCount(0);
});

test.describe('the transferor is told', () => {
  test.use({ ringTimeoutMs: 4000 });

  test('when the KW declines, and when nobody answers in time', async ({ world: w }) => {
    test.setTimeout(120_000);
    await customerCallAndAskExpert(w);

    await test.step('Decline → the agent is told and keeps the customer', async () => {
      await w.agent.getByTestId('escalate-via-voice').check();
      await w.agent.getByTestId('transfer-button').click();
      await w.kwPopup.getByTestId('call-decline').click();
      await expect(w.agent.getByTestId('transfer-state')).toHaveAttribute('data-state', 'declined');
      await expect(w.agent.getByTestId('transfer-state')).toContainText('603');
      await expect(w.agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
      await pageHears(w.customer, `hearing-${TONES.agent}`, true);
    });

    await test.step('no answer within the ring timeout → the same', async () => {
      await w.agent.getByTestId('transfer-button').click();
      await expect(w.kwPopup.getByTestId('call-card')).toHaveAttribute('data-phase', 'ringing');
      await expect(w.agent.getByTestId('transfer-state')).toHaveAttribute('data-state', 'declined', {
        timeout: 15_000,
      });
      await expect(w.agent.getByTestId('transfer-state')).toContainText('480');
      await expect(w.agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
      const records = w.kwMain.getByTestId('call-record');
      await expect(records).toHaveCount(2);
      await expect(records.nth(0)).toHaveAttribute('data-outcome', 'declined');
      await expect(records.nth(1)).toHaveAttribute('data-outcome', 'missed');
    });
  });
});
