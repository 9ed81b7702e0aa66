import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import type { IncomingSipMessage } from '../../../main/core/sip/agent.js';
import { SipRequestError } from '../../../main/core/sip/request.js';
import { ENDED_OFFER_TTL_MS, TextOffers } from '../../../router/text-offers.js';
import type { Reply } from '../../../router/engine.js';
import type { TextDecision } from '../../../router/text-preview.js';
import type { ControlInput } from '../../../wire/control.js';
import { FakeClock } from '../../support/fake-clock.js';
import { AGENT, ID, KW1, KW2, RP } from './fixtures.js';

interface Sent {
  to: string;
  body: string;
  interactionId: string;
}

function setup(options: { answer?: Reply; refuseTextTo?: string } = {}) {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  const answers: Array<{ id: string; kw: string; decision: TextDecision }> = [];
  let answer: Reply = options.answer ?? { status: 200, reason: 'OK' };
  const texts = new TextOffers({
    sendText: (to, body, interactionId) => {
      sent.push({ to, body, interactionId });
      return to === options.refuseTextTo
        ? Promise.reject(new SipRequestError(481, 'Interaction Ended'))
        : Promise.resolve();
    },
    answer: (id, kw, decision) => {
      answers.push({ id, kw, decision });
      return Promise.resolve(answer);
    },
    clock,
    logger: memoryLogger('warn').logger,
  });
  const preview: ControlInput<'preview'> = {
    interactionId: ID,
    agent: { uri: AGENT, displayName: 'Agent Alex' },
    routingPoint: RP,
    subject: 'Refund',
    text: 'Charged twice',
    userData: {},
    expiresAt: new Date(clock.now() + 20_000).toISOString(),
  };
  const refused415 = (): Promise<void> => Promise.reject(new SipRequestError(415, 'Unsupported Media Type'));
  return {
    clock,
    sent,
    answers,
    texts,
    preview,
    refused415,
    setAnswer: (r: Reply) => (answer = r),
    /** Offers the preview to KW1, whose phone refuses the JSON. */
    offerAsText: () => texts.sendPreview(KW1, preview, refused415),
    bodiesTo: (to: string) => sent.filter((s) => s.to === to).map((s) => s.body),
  };
}

function message(
  body: string,
  from = KW1,
  headers: Record<string, string> = {},
  contentType = 'text/plain',
): IncomingSipMessage {
  return {
    from: { uri: from, displayName: undefined },
    to: RP,
    contentType,
    body,
    header: (name) => headers[name],
    raw: '',
  };
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('TextOffers: the preview', () => {
  it("a delivered control message is all: no text, and the KW's text/plain is not taken as an answer", async () => {
    const t = setup();
    await t.texts.sendPreview(KW1, t.preview, () => Promise.resolve());
    expect(t.sent).toEqual([]);
    expect(t.texts.inbound(message('1'))).toBeUndefined();
  });

  it('415 → the same offer as text, with the time left of the same countdown', async () => {
    const t = setup();
    t.clock.advance(3000); // the 415 took its time: the text says 17 s, not 20
    await t.offerAsText();
    expect(t.sent).toEqual([
      {
        to: KW1,
        body: 'Agent Alex asks: Refund — Charged twice — Reply 1 to accept, 2 to decline within 17 s.',
        interactionId: ID,
      },
    ]);
  });

  it("another refusal is the engine's (rejects, no text)", async () => {
    const t = setup();
    await expect(
      t.texts.sendPreview(KW1, t.preview, () => Promise.reject(new SipRequestError(480, 'Unavailable'))),
    ).rejects.toMatchObject({ status: 480 });
    expect(t.sent).toEqual([]);
    expect(t.texts.inbound(message('1'))).toBeUndefined();
  });

  it('a text preview that is not delivered rejects too, and a later reply hears the request ended', async () => {
    const t = setup({ refuseTextTo: KW1 });
    await expect(t.offerAsText()).rejects.toMatchObject({ status: 481 });
    await t.texts.inbound(message('1'));
    expect(t.answers).toEqual([]);
    expect(t.bodiesTo(KW1).at(-1)).toBe('This request has ended.');
  });
});

describe('TextOffers: the reply', () => {
  it('"1" accepts through the engine, and the KW is told', async () => {
    const t = setup();
    await t.offerAsText();
    await expect(t.texts.inbound(message(' 1 '))).resolves.toMatchObject({ status: 200 });
    expect(t.answers).toEqual([{ id: ID, kw: KW1, decision: 'accept' }]);
    await flush();
    expect(t.bodiesTo(KW1).at(-1)).toBe(
      'Accepted. Agent Alex will write to you; reply here to write to them.',
    );
  });

  it('"2" declines; a later "1" does not reach the engine and hears the request ended', async () => {
    const t = setup();
    await t.offerAsText();
    await t.texts.inbound(message('2'));
    await t.texts.inbound(message('1'));
    expect(t.answers).toEqual([{ id: ID, kw: KW1, decision: 'decline' }]);
    expect(t.bodiesTo(KW1).slice(1)).toEqual(['Declined.', 'This request has ended.']);
  });

  it('anything else gets the hint and changes nothing', async () => {
    const t = setup();
    await t.offerAsText();
    await expect(t.texts.inbound(message('who is this?'))).resolves.toMatchObject({ status: 200 });
    expect(t.answers).toEqual([]);
    expect(t.bodiesTo(KW1).at(-1)).toBe('Reply 1 to accept or 2 to decline.');
    await t.texts.inbound(message('1'));
    expect(t.answers).toEqual([{ id: ID, kw: KW1, decision: 'accept' }]);
  });

  it('an answer the engine refuses as late (409) → "This request has ended."', async () => {
    const t = setup({ answer: { status: 409, reason: 'Preview Already Timed Out' } });
    await t.offerAsText();
    await t.texts.inbound(message('1'));
    await flush();
    expect(t.bodiesTo(KW1).at(-1)).toBe('This request has ended.');
  });

  it('an answer the store could not take (503) → "try again", and the offer stays open', async () => {
    const t = setup({ answer: { status: 503, reason: 'Router Store Unavailable' } });
    await t.offerAsText();
    await t.texts.inbound(message('1'));
    await flush();
    expect(t.bodiesTo(KW1).at(-1)).toBe('Your answer could not be recorded. Please reply again.');
    t.setAnswer({ status: 200, reason: 'OK' });
    await t.texts.inbound(message('1'));
    expect(t.answers.map((a) => a.decision)).toEqual(['accept', 'accept']);
  });

  it('not theirs: another KW, an agent request (X-Interaction-Id), another content type', async () => {
    const t = setup();
    await t.offerAsText();
    expect(t.texts.inbound(message('1', KW2))).toBeUndefined();
    expect(t.texts.inbound(message('1', KW1, { 'X-Interaction-Id': ID }))).toBeUndefined();
    expect(t.texts.inbound(message('{}', KW1, {}, 'application/vnd.kwdesk+json'))).toBeUndefined();
  });

  it('the offer ended (timeout) → told in words (no control message), late replies hear it ended', async () => {
    const t = setup();
    await t.offerAsText();
    expect(t.texts.cancelled(KW1, ID, 'timeout')).toBe(true);
    expect(t.texts.cancelled(KW2, ID, 'timeout')).toBe(false);
    await t.texts.inbound(message('1'));
    expect(t.answers).toEqual([]);
    expect(t.bodiesTo(KW1).slice(1)).toEqual([
      'Time is up: the request from Agent Alex has ended.',
      'This request has ended.',
    ]);
  });

  it('ended offers are forgotten after a while: then a text is not theirs any more', async () => {
    const t = setup();
    await t.offerAsText();
    t.texts.cancelled(KW1, ID, 'taken');
    t.clock.advance(ENDED_OFFER_TTL_MS);
    expect(t.texts.inbound(message('1'))).toBeUndefined();
  });
});

describe('TextOffers: the chat after accept', () => {
  async function accepted(options: { refuseTextTo?: string } = {}) {
    const t = setup(options);
    await t.offerAsText();
    await t.texts.inbound(message('1'));
    return t;
  }

  it('what the KW writes to the routing point goes to the agent with the interaction id', async () => {
    const t = await accepted();
    await expect(t.texts.inbound(message('1'))).resolves.toMatchObject({ status: 200 });
    await t.texts.inbound(message('Hi, checking'));
    expect(t.sent.filter((s) => s.to === AGENT)).toEqual([
      { to: AGENT, body: '1', interactionId: ID },
      { to: AGENT, body: 'Hi, checking', interactionId: ID },
    ]);
    expect(t.answers).toHaveLength(1);
  });

  it('the agent refuses it (the chat ended there) → the KW hears the chat ended', async () => {
    const t = await accepted({ refuseTextTo: AGENT });
    await t.texts.inbound(message('still there?'));
    await flush();
    expect(t.bodiesTo(KW1).at(-1)).toBe('The chat with Agent Alex has ended.');
  });

  it("the agent's end and the router's end tell the KW once; no control message goes to the phone", async () => {
    const t = await accepted();
    t.texts.endedByAgent(ID.toUpperCase());
    expect(t.texts.ended(KW1, ID)).toBe(true);
    expect(t.texts.ended(KW2, ID)).toBe(false);
    await flush();
    expect(t.bodiesTo(KW1).filter((b) => b.startsWith('The chat'))).toEqual([
      'The chat with Agent Alex has ended.',
    ]);
    await t.texts.inbound(message('hello?'));
    expect(t.bodiesTo(KW1).at(-1)).toBe('This request has ended.');
  });
});
