/**
 * A presence subscription (RFC 6665, Event: presence) that stays alive: it
 * re-subscribes with backoff when the server ends it or the transport drops.
 * JsSIP emits no event for a NOTIFY without a body (a watched user who has not
 * published, or whose publication was withdrawn), so the watch looks at every
 * NOTIFY its subscriber receives and reports those as `empty`.
 */
import type { IncomingRequest } from 'jssip/lib/SIPMessage';
import type { Subscriber } from 'jssip/lib/Subscriber';
import type { UA } from 'jssip/lib/UA';
import type { Logger } from '../log.js';
import type { Backoff } from './backoff.js';
import { TypedEmitter } from '../events.js';
import { PIDF_CONTENT_TYPE } from '../../../wire/content-types.js';

export type WatchUpdate =
  | { readonly kind: 'document'; readonly body: string; readonly contentType: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'terminated'; readonly reason: string; readonly retryInMs: number };

interface WatchEvents extends Record<string, unknown> {
  update: WatchUpdate;
  active: undefined;
}

export interface PresenceWatchOptions {
  readonly target: string;
  readonly expires?: number;
  readonly logger: Logger;
  readonly retry: Backoff;
}

interface RequestReceiver {
  receiveRequest(request: IncomingRequest): void;
}

export class PresenceWatch extends TypedEmitter<WatchEvents> {
  private subscriber: Subscriber | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `ua()` is undefined while the agent is not started; the agent starts watches once registered. */
  constructor(
    private readonly ua: () => UA | undefined,
    private readonly options: PresenceWatchOptions,
  ) {
    super();
  }

  get target(): string {
    return this.options.target;
  }

  start(): void {
    this.stopped = false;
    const ua = this.ua();
    if (this.subscriber || !ua) return;
    const sub = ua.subscribe(this.options.target, 'presence', PIDF_CONTENT_TYPE, {
      expires: this.options.expires ?? 600,
    });
    this.subscriber = sub;
    const receiver = sub as unknown as RequestReceiver;
    const receive = receiver.receiveRequest.bind(sub);
    receiver.receiveRequest = (request) => {
      receive(request);
      if (request.method === 'NOTIFY' && !request.body && this.subscriber === sub) {
        this.emit('update', { kind: 'empty' });
      }
    };
    sub.on('active', () => {
      this.options.retry.reset();
      this.emit('active', undefined);
    });
    sub.on('notify', (_final, _request, body, contentType) => {
      if (this.subscriber !== sub || body === undefined) return;
      this.emit('update', { kind: 'document', body, contentType: contentType ?? '' });
    });
    sub.on('terminated', (code, reason) => {
      if (this.subscriber !== sub) return;
      this.subscriber = undefined;
      if (this.stopped) return;
      const retryInMs = this.options.retry.next();
      const why = reason ?? `code ${code}`;
      this.options.logger.info('presence subscription ended: subscribing again', {
        target: this.options.target,
        reason: why,
        retryInMs,
      });
      this.emit('update', { kind: 'terminated', reason: why, retryInMs });
      this.retryTimer = setTimeout(() => this.start(), retryInMs);
    });
    sub.subscribe();
  }

  /** The transport came back: the server may have lost the subscription. */
  restart(): void {
    if (this.stopped) return;
    this.drop();
    this.start();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub && this.ua()?.isConnected()) sub.terminate();
  }

  private drop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const old = this.subscriber;
    this.subscriber = undefined;
    // End the old dialog too, or its refresh timer lives on.
    if (old && this.ua()?.isConnected()) old.terminate();
  }
}
