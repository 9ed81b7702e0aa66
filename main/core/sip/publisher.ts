/**
 * PUBLISH client (RFC 3903) for one event state: initial publication, refresh
 * before expiry (SIP-If-Match, no body), modification (SIP-If-Match + body),
 * 412 → full republication, 423 → retry with Min-Expires, `Expires: 0` to
 * withdraw. Operations run one at a time, in order.
 */
import type { UA } from 'jssip/lib/UA';
import type { Logger } from '../log.js';
import { TypedEmitter } from '../events.js';
import { sendRequest, type FinalResponse } from './request.js';
import type { Backoff } from './backoff.js';
import { PIDF_CONTENT_TYPE } from '../../../wire/content-types.js';

export interface PublisherOptions {
  readonly target: string;
  readonly event?: string;
  readonly contentType?: string;
  readonly expires?: number;
  readonly logger: Logger;
  readonly retry: Backoff;
}

export type PublicationState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'published'; readonly etag: string; readonly expires: number }
  | { readonly kind: 'failed'; readonly status: number; readonly reason: string; readonly retryAt: number }
  | { readonly kind: 'withdrawn' };

interface PublisherEvents extends Record<string, unknown> {
  state: PublicationState;
}

export class Publisher extends TypedEmitter<PublisherEvents> {
  private body: string | undefined;
  private etag: string | undefined;
  private expires: number;
  private refreshTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private current: PublicationState = { kind: 'idle' };
  private closed = false;

  /** `ua()` is undefined while the agent is not started; publications wait for it. */
  constructor(
    private readonly ua: () => UA | undefined,
    private readonly options: PublisherOptions,
  ) {
    super();
    this.expires = options.expires ?? 600;
  }

  get state(): PublicationState {
    return this.current;
  }

  /** Publishes a new document (initial or modification). Resolves with the resulting state. */
  publish(body: string): Promise<PublicationState> {
    this.closed = false;
    this.body = body;
    return this.enqueue(() => this.send('publish'));
  }

  /** After a reconnect the server may have lost our state: publish the whole document again. */
  republish(): Promise<PublicationState> {
    if (this.body === undefined || this.closed) return Promise.resolve(this.current);
    this.etag = undefined;
    return this.enqueue(() => this.send('publish'));
  }

  /** Withdraws the publication (`Expires: 0`) and stops refreshing. */
  unpublish(): Promise<PublicationState> {
    this.closed = true;
    this.clearTimers();
    return this.enqueue(async () => {
      if (this.etag !== undefined) {
        const response = await this.request(0, false);
        this.options.logger.info('presence withdrawn', { status: response.status });
      }
      this.etag = undefined;
      this.body = undefined;
      return this.setState({ kind: 'withdrawn' });
    });
  }

  /** Stops timers without sending anything (the transport is gone). */
  dispose(): void {
    this.closed = true;
    this.clearTimers();
  }

  private enqueue(op: () => Promise<PublicationState>): Promise<PublicationState> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async send(kind: 'publish' | 'refresh', attempt = 0): Promise<PublicationState> {
    if (this.closed || this.body === undefined) return this.current;
    // Not registered yet: the agent calls republish() once it is.
    if (!this.ua()?.isRegistered()) return this.current;
    this.clearTimers();
    const withBody = kind === 'publish' || this.etag === undefined;
    const response = await this.request(this.expires, withBody);
    if (response.status >= 200 && response.status < 300) {
      const etag = response.header('SIP-ETag');
      const granted = Number(response.header('Expires') ?? this.expires);
      if (!etag) return this.fail(response, 'the server sent no SIP-ETag');
      this.etag = etag;
      this.options.retry.reset();
      this.scheduleRefresh(Number.isFinite(granted) && granted > 0 ? granted : this.expires);
      return this.setState({ kind: 'published', etag, expires: granted });
    }
    if (response.status === 412 && attempt < 2) {
      // The server forgot our entity tag (expired, restarted): start over.
      this.options.logger.info('publication unknown to the server (412): publishing again');
      this.etag = undefined;
      return this.send('publish', attempt + 1);
    }
    if (response.status === 423 && attempt < 2) {
      const min = Number(response.header('Min-Expires'));
      if (Number.isFinite(min) && min > this.expires) {
        this.options.logger.info('publication interval too brief (423): using Min-Expires', {
          minExpires: min,
        });
        this.expires = min;
        return this.send(kind, attempt + 1);
      }
    }
    return this.fail(response);
  }

  private request(expires: number, withBody: boolean): Promise<FinalResponse> {
    const ua = this.ua();
    if (!ua) return Promise.resolve({ status: 503, reason: 'Not Started', header: () => undefined });
    const headers = [`Event: ${this.options.event ?? 'presence'}`, `Expires: ${expires}`];
    if (this.etag !== undefined) headers.push(`SIP-If-Match: ${this.etag}`);
    if (withBody) headers.push(`Content-Type: ${this.options.contentType ?? PIDF_CONTENT_TYPE}`);
    return sendRequest(ua, 'PUBLISH', this.options.target, headers, withBody ? this.body : undefined);
  }

  private fail(response: FinalResponse, detail?: string): PublicationState {
    const delay = this.options.retry.next();
    const reason = detail ?? response.reason;
    this.options.logger.warn('PUBLISH failed', { status: response.status, reason, retryInMs: delay });
    this.etag = undefined;
    this.retryTimer = setTimeout(() => {
      void this.enqueue(() => this.send('publish'));
    }, delay);
    return this.setState({ kind: 'failed', status: response.status, reason, retryAt: Date.now() + delay });
  }

  private scheduleRefresh(expires: number): void {
    // Refresh ahead of expiry: at 90 %, but never later than 30 s before it.
    const ms = Math.max(1000, Math.min(expires * 900, (expires - 30) * 1000));
    this.refreshTimer = setTimeout(() => {
      void this.enqueue(() => this.send('refresh'));
    }, ms);
  }

  private clearTimers(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.refreshTimer = undefined;
    this.retryTimer = undefined;
  }

  private setState(state: PublicationState): PublicationState {
    this.current = state;
    this.emit('state', state);
    return state;
  }
}
