/**
 * "Ask an expert" and the chat, speaking the same protocol as lab/agent-bot:
 * a text/plain MESSAGE to the routing point with X-Interaction-Id, Subject and
 * X-UserData-*; the router's `routed` / `not-routed`; text both ways; `end`.
 * Control messages are parsed with the shared schemas (wire/control.ts).
 */
import type { IncomingMessageEvent } from 'jssip/lib/UA';
import {
  encodeControlMessage,
  isControlContentType,
  parseControlMessage,
  type Routed,
} from '../../wire/control.js';
import {
  CONTROL_CONTENT_TYPE,
  IS_COMPOSING_CONTENT_TYPE,
  TEXT_PLAIN,
  TEXT_PLAIN_UTF8,
  mediaType,
} from '../../wire/content-types.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import { headerLine } from '../../wire/sip/headers.js';
import { DEFAULT_USER_DATA_PREFIX, userDataHeaders } from '../../wire/user-data.js';
import { toAor } from '../../wire/sip/uri.js';
import { button, byTestId, h, input, setState } from '../web/client/dom.js';
import type { Phone } from '../web/client/phone.js';

export type Phase = 'routing' | 'routed' | 'not-routed' | 'ended';

export interface Interaction {
  readonly id: string;
  readonly routingPoint: string;
  readonly subject: string;
  readonly userData: Readonly<Record<string, string>>;
  phase: Phase;
  kw: Routed['kw'] | undefined;
  /** Why it is not routed, in words (shown in the status). */
  note?: string;
  /** The request itself failed (not a router decision). */
  failed?: boolean;
}

/**
 * A sent message's state on its bubble (`data-delivery`). The first message is
 * `sent` while the routing point looks for an expert, `delivered` once one took it.
 */
type Delivery = 'sending' | 'sent' | 'delivered' | 'failed';

interface Reply {
  readonly status: number;
  readonly reason?: string;
}

const NOT_ROUTED_TEXT = {
  'no-kw-available': 'no expert is available',
  declined: 'the experts declined',
  timeout: 'no expert answered in time',
} as const;

/** Why a routing point refused a request, in words (the status line goes to the event log). */
function refusal(error: string): string {
  const status = Number(/^\d{3}/.exec(error)?.[0] ?? 0);
  if (status === 404 || status === 480) return 'nobody answers at that address (is the router running?)';
  if (status === 403 || status === 401 || status === 407) return 'it does not accept requests from you';
  if (status === 400 || status === 413 || status === 415) return 'it could not read the request';
  if (status === 408) return 'it did not answer in time';
  if (status === 0) return 'no answer came back (is the connection to the SIP server up?)';
  return 'it refused it';
}

export class ExpertPanel {
  /** The interaction on screen; older ones are only remembered to answer 481. */
  current: Interaction | undefined;
  private phone: Phone | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  /** The current interaction's first message: delivered only when `routed` says an expert took it. */
  private firstMessage: HTMLElement | undefined;
  private readonly state = byTestId('expert-state');
  private readonly chat = byTestId('chat-log');

  constructor(
    private readonly log: (text: string, kind?: 'info' | 'warn') => void,
    private readonly changed: () => void,
    private readonly prefix = DEFAULT_USER_DATA_PREFIX,
  ) {
    button('userdata-add').addEventListener('click', () => this.addUserDataRow('', ''));
    button('ask-button').addEventListener('click', () => void this.ask());
    button('chat-send').addEventListener('click', () => void this.say());
    input('chat-input').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.say();
    });
    button('chat-end').addEventListener('click', () => void this.end());
  }

  attach(phone: Phone | undefined): void {
    this.phone = phone;
    this.render();
  }

  addUserDataRow(key: string, value: string): void {
    const rows = byTestId('userdata-rows');
    const n = rows.childElementCount + 1;
    const k = h('input', {
      testId: 'userdata-key',
      attrs: { 'aria-label': `Field ${n} name`, placeholder: 'Key' },
    });
    const v = h('input', {
      testId: 'userdata-value',
      attrs: { 'aria-label': `Field ${n} value`, placeholder: 'Value' },
    });
    k.value = key;
    v.value = value;
    const remove = h('button', {
      className: 'small',
      testId: 'userdata-remove',
      text: '✕',
      attrs: { 'aria-label': `Remove field ${n}`, type: 'button' },
    });
    const row = h('div', { className: 'userdata-row' }, k, v, remove);
    remove.addEventListener('click', () => row.remove());
    rows.append(row);
  }

  userData(): Record<string, string> {
    const data: Record<string, string> = {};
    for (const row of byTestId('userdata-rows').children) {
      const [k, v] = [...row.querySelectorAll('input')];
      const key = k?.value.trim() ?? '';
      if (key) data[key] = v?.value ?? '';
    }
    return data;
  }

  async ask(): Promise<void> {
    const phone = this.phone;
    if (!phone) return;
    if (this.current && (this.current.phase === 'routing' || this.current.phase === 'routed')) {
      await this.end();
    }
    const routingPoint = toAor(input('rp-uri').value) ?? '';
    const text = byTestId<HTMLTextAreaElement>('ask-text').value.trim();
    const subject = input('ask-subject').value.trim();
    if (!routingPoint)
      return setState(this.state, 'failed', 'The routing point is not a SIP address (sip:user@host).');
    if (!text) return setState(this.state, 'failed', 'Write a first message for the expert.');
    const userData = this.userData();
    let headers: string[];
    const id = crypto.randomUUID();
    try {
      headers = [
        headerLine(INTERACTION_HEADER, id),
        ...(subject ? [headerLine('Subject', subject)] : []),
        ...userDataHeaders(userData, this.prefix),
      ];
    } catch (error) {
      return setState(this.state, 'failed', `Cannot send: ${(error as Error).message}`);
    }
    // Exists before the request goes out: the router may answer `routed` before its 200.
    this.current = { id, routingPoint, subject, userData, phase: 'routing', kw: undefined };
    this.chat.replaceChildren();
    this.addBubble('out', text, 'sending');
    const bubble = this.chat.lastElementChild as HTMLElement;
    this.firstMessage = bubble;
    this.render();
    this.changed();
    this.log(`asking ${routingPoint} (interaction ${id})`);
    try {
      await phone.sendMessage(routingPoint, text, TEXT_PLAIN_UTF8, headers);
      // The routing point's 200 says it has the request, not that an expert read it (`routed` does).
      if (bubble.dataset.delivery === 'sending') this.markDelivery(bubble, 'sent');
    } catch (error) {
      this.log(`request refused: ${(error as Error).message}`, 'warn');
      this.markDelivery(bubble, 'failed', 'the routing point did not take it');
      if (this.current.id === id && this.current.phase === 'routing') {
        this.current.phase = 'not-routed';
        this.current.failed = true;
        this.current.note = `The routing point did not take the request: ${refusal((error as Error).message)}.`;
        this.render();
        this.changed();
      }
    }
  }

  async say(): Promise<void> {
    const ix = this.current;
    const box = input('chat-input');
    const text = box.value.trim();
    if (!ix?.kw || ix.phase !== 'routed' || !text || !this.phone) return;
    box.value = '';
    this.addBubble('out', text, 'sending');
    await this.deliver(this.chat.lastElementChild as HTMLElement, ix.kw.uri, ix.id, text);
  }

  private async deliver(bubble: HTMLElement, to: string, id: string, text: string): Promise<void> {
    this.markDelivery(bubble, 'sending');
    try {
      await this.phone?.sendMessage(to, text, TEXT_PLAIN_UTF8, [headerLine(INTERACTION_HEADER, id)]);
      this.markDelivery(bubble, 'delivered');
    } catch (error) {
      this.log(`message to ${to} not delivered: ${(error as Error).message}`, 'warn');
      this.markDelivery(bubble, 'failed', "the expert's desktop did not take it");
      const retry = h('button', {
        className: 'small',
        testId: 'chat-retry',
        text: 'Retry',
        attrs: { type: 'button' },
      });
      retry.addEventListener('click', () => {
        retry.remove();
        void this.deliver(bubble, to, id, text);
      });
      bubble.append(retry);
    }
  }

  /** `end` to the expert and to the routing point (which releases the expert); while routing it withdraws. */
  async end(): Promise<void> {
    const ix = this.current;
    if (!ix || !this.phone || ix.phase === 'ended' || ix.phase === 'not-routed') return;
    const targets = [...(ix.kw && ix.phase === 'routed' ? [ix.kw.uri] : []), ix.routingPoint];
    if (ix.phase === 'routing') this.firstUndelivered('you withdrew the request before an expert took it');
    ix.phase = 'ended';
    setState(this.state, 'ended', 'You ended the chat.');
    this.addSystem('You ended the chat.');
    this.render();
    const body = encodeControlMessage('end', { interactionId: ix.id });
    await Promise.all(
      targets.map((to) =>
        this.phone
          ?.sendMessage(to, body, CONTROL_CONTENT_TYPE, [headerLine(INTERACTION_HEADER, ix.id)])
          .catch((error: unknown) => this.log(`end to ${to} failed: ${(error as Error).message}`, 'warn')),
      ),
    );
  }

  /** Every incoming MESSAGE; answered synchronously (JsSIP replies 200 after the event otherwise). */
  receive(e: IncomingMessageEvent): void {
    const from = toAor(e.request.from.uri.toString()) ?? '';
    const contentType = e.request.getHeader('Content-Type') ?? '';
    let reply: Reply;
    try {
      reply = this.dispatch(contentType, e.request.body ?? '', e.request.getHeader(INTERACTION_HEADER), from);
    } catch (error) {
      reply = { status: 500, reason: 'Agent Desk Error' };
      this.log(`error handling a MESSAGE: ${(error as Error).message}`, 'warn');
    }
    if (reply.status >= 300) {
      this.log(
        `refused a MESSAGE from ${from} (${contentType}): ${reply.status} ${reply.reason ?? ''}`,
        'warn',
      );
      e.message.reject({ status_code: reply.status, reason_phrase: reply.reason ?? 'Refused' });
    } else {
      e.message.accept({});
    }
  }

  private dispatch(contentType: string, body: string, headerId: string | undefined, from: string): Reply {
    if (isControlContentType(contentType)) return this.control(contentType, body, headerId, from);
    const base = mediaType(contentType);
    if (base !== TEXT_PLAIN && base !== IS_COMPOSING_CONTENT_TYPE)
      return { status: 415, reason: 'Unsupported Media Type' };
    if (!headerId) return { status: 400, reason: `Missing ${INTERACTION_HEADER}` };
    const ix = this.current;
    if (!ix || ix.id.toLowerCase() !== headerId.trim().toLowerCase() || ix.phase === 'not-routed')
      return { status: 481, reason: 'Interaction Does Not Exist' };
    if (ix.phase === 'ended') return { status: 481, reason: 'Interaction Ended' };
    if (from !== ix.kw?.uri && from !== ix.routingPoint)
      return { status: 403, reason: 'Not A Party Of This Interaction' };
    if (base === TEXT_PLAIN) {
      this.setTyping(false);
      this.addBubble('in', body);
      this.log(`message from ${from}`);
    } else {
      const state = /<state>\s*(active|idle)\s*<\/state>/i.exec(body)?.[1]?.toLowerCase();
      this.setTyping(state === 'active');
    }
    return { status: 200 };
  }

  private control(contentType: string, body: string, headerId: string | undefined, from: string): Reply {
    const parsed = parseControlMessage(contentType, body, headerId);
    if (!parsed.ok) return { status: parsed.status, reason: parsed.reason };
    const message = parsed.message;
    const ix = this.current;
    if (!ix || ix.id.toLowerCase() !== message.interactionId.toLowerCase())
      return { status: 481, reason: 'Interaction Does Not Exist' };
    switch (message.type) {
      case 'routed':
      case 'not-routed': {
        if (from !== ix.routingPoint) return { status: 403, reason: 'Not The Routing Point Asked' };
        if (ix.phase !== 'routing') return { status: 409, reason: `Interaction Already ${ix.phase}` };
        if (message.type === 'routed') {
          ix.phase = 'routed';
          ix.kw = message.kw;
          this.log(`routed to ${message.kw.displayName} <${message.kw.uri}>`);
          // The router sends `routed` only once the expert accepted a preview carrying this text.
          if (this.firstMessage) this.markDelivery(this.firstMessage, 'delivered');
          this.addSystem(`${message.kw.displayName || message.kw.uri} joined the chat.`);
        } else {
          ix.phase = 'not-routed';
          ix.note = `Not routed: ${NOT_ROUTED_TEXT[message.reason]}.`;
          this.log(`not routed: ${message.reason}`, 'warn');
          this.firstUndelivered(NOT_ROUTED_TEXT[message.reason]);
        }
        this.render();
        this.changed();
        return { status: 200 };
      }
      case 'end': {
        if (ix.phase === 'not-routed') return { status: 481, reason: 'Interaction Does Not Exist' };
        if (from !== ix.kw?.uri && from !== ix.routingPoint)
          return { status: 403, reason: 'Not A Party Of This Interaction' };
        if (ix.phase === 'ended') return { status: 200, reason: 'Already Ended' };
        ix.phase = 'ended';
        const who = from === ix.kw?.uri ? 'The expert' : 'The routing point';
        this.addSystem(`${who} ended the chat${message.reason ? ` (${message.reason})` : ''}.`);
        this.log(`${who.toLowerCase()} ended the chat`);
        this.setTyping(false);
        this.render();
        this.changed();
        return { status: 200 };
      }
      case 'preview':
      case 'preview-answer':
      case 'preview-cancel':
      case 'paused':
      case 'resume':
        return { status: 400, reason: `Unexpected Message Type ${message.type}` };
    }
  }

  private render(): void {
    const ix = this.current;
    const kw = ix?.kw;
    byTestId('expert-name').textContent = kw?.displayName || '—';
    byTestId('expert-uri').textContent = kw?.uri ?? '—';
    byTestId('expert-voice-uri').textContent = kw?.voiceUri ?? '—';
    byTestId('interaction-id').textContent = ix?.id ?? '—';
    if (!ix) setState(this.state, 'idle', 'No request yet');
    else if (ix.phase === 'routing')
      setState(this.state, 'routing', `Finding an expert at ${ix.routingPoint}…`);
    else if (ix.phase === 'routed')
      setState(this.state, 'routed', `Routed to ${kw?.displayName || kw?.uri || 'an expert'}`);
    else if (ix.phase === 'not-routed')
      setState(this.state, ix.failed ? 'failed' : 'not-routed', ix.note ?? 'Not routed.');
    else setState(this.state, 'ended', 'Chat ended');
    this.renderControls();
  }

  private renderControls(): void {
    const ix = this.current;
    const registered = this.phone !== undefined;
    button('ask-button').disabled = !registered;
    const chatting = registered && ix?.phase === 'routed';
    input('chat-input').disabled = !chatting;
    button('chat-send').disabled = !chatting;
    button('chat-end').disabled = !(registered && (ix?.phase === 'routed' || ix?.phase === 'routing'));
  }

  private addBubble(direction: 'in' | 'out', text: string, delivery?: 'sending'): void {
    const li = h('li', {
      testId: 'chat-message',
      attrs: { 'data-direction': direction, ...(delivery ? { 'data-delivery': delivery } : {}) },
    });
    li.append(h('span', { className: 'text', testId: 'chat-text', text }));
    li.append(
      h('span', {
        className: 'meta',
        text: `${direction === 'in' ? 'Expert' : 'You'} · ${new Date().toLocaleTimeString()}${delivery ? ' · sending…' : ''}`,
      }),
    );
    this.chat.append(li);
    this.chat.scrollTop = this.chat.scrollHeight;
  }

  private addSystem(text: string): void {
    this.chat.append(h('li', { testId: 'chat-system', text, attrs: { 'data-direction': 'system' } }));
    this.chat.scrollTop = this.chat.scrollHeight;
  }

  /** The first message never reached an expert: say why on its bubble. */
  private firstUndelivered(why: string): void {
    const bubble = this.firstMessage;
    if (bubble && bubble.dataset.delivery !== 'failed') this.markDelivery(bubble, 'failed', why);
  }

  private markDelivery(bubble: HTMLElement, delivery: Delivery, why?: string): void {
    bubble.dataset.delivery = delivery;
    const meta = bubble.querySelector('.meta');
    if (!meta) return;
    const time = meta.textContent?.split(' · ')[1] ?? '';
    const label = {
      sending: 'sending…',
      sent: 'sent, waiting for an expert to take it',
      delivered: 'delivered ✓',
      failed: `not delivered: ${why ?? ''}`,
    }[delivery];
    meta.textContent = `You · ${time} · ${label}`;
  }

  private setTyping(active: boolean): void {
    clearTimeout(this.typingTimer);
    byTestId('chat-typing').textContent = active ? 'The expert is typing…' : '';
    // RFC 3994: an "active" without refresh lapses (default 120 s; we show it for 15 s).
    if (active) this.typingTimer = setTimeout(() => this.setTyping(false), 15_000);
  }
}
