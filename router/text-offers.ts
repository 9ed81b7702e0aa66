/**
 * KWs on plain SIP phones (issue 16, point 4), for one routing point: a
 * preview the KW's client refuses with `415` goes again as text
 * (text-preview.ts), and what that KW then writes to the routing point is
 * their answer, and after an accept their side of the chat, relayed to the
 * agent. Remembered per interaction, in this process (docs/decisions.md): the
 * next offer tries the control message first again.
 *
 * The phone's MESSAGEs carry no X-Interaction-Id: a text/plain MESSAGE without
 * one, from a KW with a text offer here, is theirs; any other text/plain is an
 * agent's request as before (inbound.ts). The MESSAGE itself is always answered
 * 200: what the KW needs to know comes back as a sentence.
 */
import type { IncomingSipMessage, SipReply } from '../main/core/sip/agent.js';
import type { Logger } from '../main/core/log.js';
import type { ControlInput } from '../wire/control.js';
import { TEXT_PLAIN, mediaType } from '../wire/content-types.js';
import { INTERACTION_HEADER } from '../wire/header-names.js';
import { toAor } from '../wire/sip/uri.js';
import type { Clock } from './clock.js';
import { statusOf, type CancelReason, type Reply } from './engine.js';
import {
  TEXT_ANSWER_NOT_RECORDED,
  TEXT_DECLINED,
  TEXT_REPLY_HINT,
  TEXT_REQUEST_ENDED,
  parseTextReply,
  textAccepted,
  textCancel,
  textChatEnded,
  textPreview,
  type TextDecision,
} from './text-preview.js';

/** A late reply within this time still hears "This request has ended."; after it, nothing is kept. */
export const ENDED_OFFER_TTL_MS = 10 * 60_000;
/** Offers kept per KW (a leak bound; a KW has at most `capacity` at once). */
const OFFERS_PER_KW = 16;

export interface TextOffersOptions {
  /** A text/plain MESSAGE from the routing point (X-Interaction-Id set); rejects like `SipAgent.sendMessage`. */
  readonly sendText: (to: string, body: string, interactionId: string) => Promise<void>;
  /** The KW's answer, as their `preview-answer` would give it (the chat's engine or an escalated call). */
  readonly answer: (interactionId: string, kw: string, decision: TextDecision) => Reply | Promise<Reply>;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface TextOffer {
  readonly interactionId: string;
  readonly agent: { readonly uri: string; readonly name: string };
  phase: 'offered' | 'routed' | 'ended';
  /** When the phase last changed. */
  since: number;
}

export class TextOffers {
  private readonly byKw = new Map<string, TextOffer[]>();

  constructor(private readonly options: TextOffersOptions) {}

  /**
   * Sends the preview as the control message; when the KW's client answers
   * 415, as text. Rejects when neither arrived (the engine counts a refused
   * preview). The engine's countdown goes on: the text says the time left.
   */
  async sendPreview(
    kw: string,
    preview: ControlInput<'preview'>,
    sendControl: () => Promise<void>,
  ): Promise<void> {
    try {
      await sendControl();
      return;
    } catch (error) {
      if (statusOf(error) !== 415) throw error;
    }
    const { clock, logger } = this.options;
    const secondsLeft = (Date.parse(preview.expiresAt) - clock.now()) / 1000;
    const offer = this.remember(kw, preview);
    try {
      await this.options.sendText(kw, textPreview(preview, secondsLeft), preview.interactionId);
    } catch (error) {
      offer.phase = 'ended';
      throw error;
    }
    logger.info('preview sent as text (the KW refused the control message: 415)', {
      kw,
      interactionId: preview.interactionId,
    });
  }

  /** The offer ended without the KW's answer: tells a text KW in words. False: not a text offer. */
  cancelled(kw: string, interactionId: string, reason: CancelReason): boolean {
    const offer = this.find(kw, interactionId);
    if (!offer) return false;
    if (offer.phase === 'offered') {
      this.settle(offer, 'ended');
      this.tell(kw, textCancel(offer.agent.name, reason), interactionId);
    }
    return true;
  }

  /** The chat ended (the router's `end` to the KW, or the agent's `end`): tells a text KW. False: not a text offer. */
  ended(kw: string, interactionId: string): boolean {
    const offer = this.find(kw, interactionId);
    if (!offer) return false;
    if (offer.phase === 'routed') {
      this.settle(offer, 'ended');
      this.tell(kw, textChatEnded(offer.agent.name), interactionId);
    }
    return true;
  }

  /** The agent ended an interaction: its text KW, if any, hears it. */
  endedByAgent(interactionId: string): void {
    for (const [kw, offers] of this.byKw) {
      if (offers.some((o) => sameId(o.interactionId, interactionId))) this.ended(kw, interactionId);
    }
  }

  /**
   * A MESSAGE to the routing point: a text KW's reply or chat (a promise of
   * the reply), or undefined when it is not theirs (inbound.ts handles it).
   */
  inbound(message: IncomingSipMessage): Promise<SipReply> | undefined {
    if (mediaType(message.contentType) !== TEXT_PLAIN) return undefined;
    if (message.header(INTERACTION_HEADER) !== undefined) return undefined;
    const kw = toAor(message.from.uri);
    if (kw === undefined) return undefined;
    const offers = this.live(kw);
    if (offers.length === 0) return undefined;
    const newest = (phase: TextOffer['phase']): TextOffer | undefined =>
      offers.findLast((o) => o.phase === phase);
    const offered = newest('offered');
    if (offered) return this.reply(kw, offered, message.body);
    const routed = newest('routed');
    if (routed) return this.relay(kw, routed, message.body);
    this.tell(kw, TEXT_REQUEST_ENDED, offers[offers.length - 1]?.interactionId ?? '');
    return Promise.resolve({ status: 200, reason: 'Request Ended' });
  }

  // -------------------------------------------------------------------------

  /** "1" / "2" (or words) is the answer; anything else gets the hint and changes nothing. */
  private async reply(kw: string, offer: TextOffer, body: string): Promise<SipReply> {
    const decision = parseTextReply(body);
    const id = offer.interactionId;
    if (decision === undefined) {
      this.options.logger.info('text reply not understood', { kw, interactionId: id });
      this.tell(kw, TEXT_REPLY_HINT, id);
      return { status: 200, reason: 'Not An Answer' };
    }
    const answer = await this.options.answer(id, kw, decision);
    if (answer.status >= 200 && answer.status < 300) {
      this.settle(offer, decision === 'accept' ? 'routed' : 'ended');
      this.tell(kw, decision === 'accept' ? textAccepted(offer.agent.name) : TEXT_DECLINED, id);
      return { status: 200, reason: decision === 'accept' ? 'Accepted' : 'Declined' };
    }
    this.options.logger.info('text answer refused', { kw, interactionId: id, status: answer.status });
    if (answer.status >= 500) {
      this.tell(kw, TEXT_ANSWER_NOT_RECORDED, id);
      return { status: 200, reason: 'Answer Not Recorded' };
    }
    // 403 / 409 / 481: the offer is over (timed out, taken, withdrawn).
    this.settle(offer, 'ended');
    this.tell(kw, TEXT_REQUEST_ENDED, id);
    return { status: 200, reason: 'Request Ended' };
  }

  /** The KW's side of the chat goes to the agent with the interaction's id (a phone cannot add it). */
  private async relay(kw: string, offer: TextOffer, body: string): Promise<SipReply> {
    try {
      await this.options.sendText(offer.agent.uri, body, offer.interactionId);
      return { status: 200 };
    } catch (error) {
      // The agent's side refused it (the chat ended there) or is gone: the chat is over for the KW too.
      this.options.logger.info('text chat not delivered to the agent', {
        kw,
        interactionId: offer.interactionId,
        status: statusOf(error),
      });
      this.ended(kw, offer.interactionId);
      return { status: 200, reason: 'Chat Ended' };
    }
  }

  private remember(kw: string, preview: ControlInput<'preview'>): TextOffer {
    const offers = this.live(kw);
    const offer: TextOffer = {
      interactionId: preview.interactionId,
      agent: { uri: preview.agent.uri, name: preview.agent.displayName || preview.agent.uri },
      phase: 'offered',
      since: this.options.clock.now(),
    };
    offers.push(offer);
    if (offers.length > OFFERS_PER_KW) offers.splice(0, offers.length - OFFERS_PER_KW);
    this.byKw.set(kw, offers);
    return offer;
  }

  private find(kw: string, interactionId: string): TextOffer | undefined {
    return this.live(kw).findLast((o) => sameId(o.interactionId, interactionId));
  }

  /** The KW's offers, ended ones past their time dropped. */
  private live(kw: string): TextOffer[] {
    const now = this.options.clock.now();
    const offers = (this.byKw.get(kw) ?? []).filter(
      (o) => o.phase !== 'ended' || now - o.since < ENDED_OFFER_TTL_MS,
    );
    if (offers.length === 0) this.byKw.delete(kw);
    else this.byKw.set(kw, offers);
    return offers;
  }

  private settle(offer: TextOffer, phase: TextOffer['phase']): void {
    offer.phase = phase;
    offer.since = this.options.clock.now();
  }

  /** A sentence to the KW's phone; not delivered is logged, nothing else depends on it. */
  private tell(kw: string, text: string, interactionId: string): void {
    this.options.sendText(kw, text, interactionId).catch((error: unknown) =>
      this.options.logger.info('text to the KW not delivered', {
        kw,
        interactionId,
        status: statusOf(error),
      }),
    );
  }
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
