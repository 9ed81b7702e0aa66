/**
 * The previews offered to this KW: validated `preview` control messages kept in
 * arrival order until accepted, declined, cancelled by the router, or expired
 * at their `expiresAt`. The decision goes back as its own `preview-answer`
 * MESSAGE (a MESSAGE must be answered inside JsSIP's event, so the reply code
 * cannot carry it).
 */
import { TypedEmitter } from '../events.js';
import type { Logger } from '../log.js';
import { systemClock, type Clock } from '../clock.js';
import type { Preview, PreviewCancel } from '../../../wire/control.js';
import type { SipReply } from '../sip/agent.js';
import type { ControlSender } from './control-sender.js';

export type PreviewEnd =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'declined'; readonly reason?: string }
  | { readonly kind: 'expired' }
  | { readonly kind: 'cancelled'; readonly reason: PreviewCancel['reason'] }
  | { readonly kind: 'failed'; readonly error: string }
  /** Still pending when the core stopped (quit, or signing in again). */
  | { readonly kind: 'closed' };

export interface PendingPreview {
  readonly preview: Preview;
  readonly receivedAt: number;
}

interface InboxEvents extends Record<string, unknown> {
  added: PendingPreview;
  /** `entry` is the preview as it was pending; `at` is when it ended (ms). */
  removed: {
    readonly interactionId: string;
    readonly end: PreviewEnd;
    readonly entry: PendingPreview;
    readonly at: number;
  };
  accepted: Preview;
  /** The router's cancel for a preview this KW had already closed (e.g. expired here first). */
  'late-cancel': { readonly interactionId: string; readonly reason: PreviewCancel['reason'] };
}

/** How many ended previews are remembered, so a cancel that crosses our own expiry is not an error. */
const RECENT_ENDED = 200;

export interface PreviewInboxOptions {
  readonly sender: ControlSender;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** More pending previews than this are refused with 486. */
  readonly maxPending?: number;
  /** A preview that claims to stay longer than this is cut to it (a router bug must not pin a popup). */
  readonly maxLifetimeMs?: number;
}

export class PreviewError extends Error {
  override readonly name = 'PreviewError';
}

export class PreviewInbox extends TypedEmitter<InboxEvents> {
  private readonly pending = new Map<string, { entry: PendingPreview; timer: unknown; busy: boolean }>();
  private readonly recentlyEnded = new Map<string, string>(); // interactionId → routing point
  private readonly clock: Clock;

  constructor(private readonly options: PreviewInboxOptions) {
    super();
    this.clock = options.clock ?? systemClock;
  }

  /** Pending previews, oldest first. */
  list(): PendingPreview[] {
    return [...this.pending.values()].map((p) => p.entry);
  }

  get(interactionId: string): PendingPreview | undefined {
    return this.pending.get(interactionId)?.entry;
  }

  /** A validated `preview` arrived: keep it, or say why not. Synchronous (it is the SIP reply). */
  receive(preview: Preview): SipReply {
    const now = this.clock.now();
    const expiresAt = Date.parse(preview.expiresAt);
    if (!(expiresAt > now)) return { status: 400, reason: 'Preview Already Expired' };
    if (this.pending.has(preview.interactionId)) {
      // The router retransmitted or re-offered: keep the first, report success.
      return { status: 200 };
    }
    if (this.pending.size >= (this.options.maxPending ?? 10))
      return { status: 486, reason: 'Too Many Pending Previews' };
    const lifetime = Math.min(expiresAt - now, this.options.maxLifetimeMs ?? 10 * 60_000);
    const entry: PendingPreview = { preview, receivedAt: now };
    const timer = this.clock.setTimeout(
      () => this.finish(preview.interactionId, { kind: 'expired' }),
      lifetime,
    );
    this.pending.set(preview.interactionId, { entry, timer, busy: false });
    this.options.logger.info('preview received', {
      interactionId: preview.interactionId,
      agent: preview.agent.uri,
      routingPoint: preview.routingPoint,
    });
    this.emit('added', entry);
    return { status: 200 };
  }

  /** The router withdrew it (timeout, withdrawn, taken by someone else). */
  cancel(message: PreviewCancel, from: string): SipReply {
    const item = this.pending.get(message.interactionId);
    if (!item) {
      // Our local expiry and the router's timeout race at expiresAt: a cancel for a
      // preview we just closed is expected, not an error.
      const routingPoint = this.recentlyEnded.get(message.interactionId);
      if (routingPoint === undefined) return { status: 481, reason: 'No Such Preview' };
      if (!sameAddress(from, routingPoint)) return { status: 403, reason: 'Not The Offering Routing Point' };
      this.emit('late-cancel', { interactionId: message.interactionId, reason: message.reason });
      return { status: 200 };
    }
    if (!sameAddress(from, item.entry.preview.routingPoint))
      return { status: 403, reason: 'Not The Offering Routing Point' };
    this.finish(message.interactionId, { kind: 'cancelled', reason: message.reason });
    return { status: 200 };
  }

  async accept(interactionId: string): Promise<Preview> {
    const preview = await this.answer(interactionId, 'accept');
    this.finish(interactionId, { kind: 'accepted' });
    this.emit('accepted', preview);
    return preview;
  }

  async decline(interactionId: string, reason?: string): Promise<void> {
    await this.answer(interactionId, 'decline', reason);
    this.finish(interactionId, { kind: 'declined', ...(reason ? { reason } : {}) });
  }

  dispose(): void {
    for (const id of [...this.pending.keys()]) this.finish(id, { kind: 'closed' });
  }

  private async answer(
    interactionId: string,
    decision: 'accept' | 'decline',
    reason?: string,
  ): Promise<Preview> {
    const item = this.pending.get(interactionId);
    if (!item) throw new PreviewError('this preview is no longer pending');
    if (item.busy) throw new PreviewError('an answer to this preview is already being sent');
    item.busy = true;
    const { preview } = item.entry;
    try {
      await this.options.sender.send(preview.routingPoint, 'preview-answer', {
        interactionId,
        decision,
        ...(reason ? { reason } : {}),
      });
      return preview;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.options.logger.warn('preview answer not delivered', { interactionId, decision, error: text });
      // The router refused or is unreachable: the offer is gone for us either way.
      this.finish(interactionId, { kind: 'failed', error: text });
      throw new PreviewError(`the router did not take the answer: ${text}`);
    }
  }

  private finish(interactionId: string, end: PreviewEnd): void {
    const item = this.pending.get(interactionId);
    if (!item) return;
    this.clock.clearTimeout(item.timer);
    this.pending.delete(interactionId);
    this.recentlyEnded.set(interactionId, item.entry.preview.routingPoint);
    if (this.recentlyEnded.size > RECENT_ENDED) {
      const oldest = this.recentlyEnded.keys().next().value;
      if (oldest !== undefined) this.recentlyEnded.delete(oldest);
    }
    this.options.logger.info('preview ended', { interactionId, end: end.kind });
    this.emit('removed', { interactionId, end, entry: item.entry, at: this.clock.now() });
  }
}

function sameAddress(a: string, b: string): boolean {
  const strip = (s: string): string =>
    s
      .replace(/^.*<|>.*$/g, '')
      .replace(/[;?].*$/, '')
      .toLowerCase();
  return strip(a) === strip(b);
}
