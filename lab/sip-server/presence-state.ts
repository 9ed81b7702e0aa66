/**
 * Presence state without I/O: publications with their entity tags (RFC 3903)
 * and watcher subscriptions (RFC 6665). The SIP side lives in presence.ts.
 */
import { PIDF_CONTENT_TYPE, mediaType } from '../../wire/content-types.js';
import { mergePidf, pidfProblem } from './pidf.js';
import { randomToken } from './responses.js';

export interface Publication {
  readonly aor: string;
  readonly etag: string;
  readonly body: string;
  readonly expiresAt: number;
  /** creation order: merged documents list older devices first */
  readonly seq: number;
}

export interface PublishInput {
  readonly aor: string;
  readonly ifMatch: string | undefined;
  /** the Expires header, undefined when absent */
  readonly expires: number | undefined;
  readonly body: string;
  readonly contentType: string | undefined;
}

export type PublishResult =
  | {
      readonly status: 200;
      readonly etag: string | undefined;
      readonly expires: number;
      readonly change: 'created' | 'modified' | 'refreshed' | 'removed' | 'none';
    }
  | { readonly status: 400 | 412 | 415; readonly reason: string }
  | { readonly status: 423; readonly reason: string; readonly minExpires: number };

export interface PublicationStoreOptions {
  readonly now?: () => number;
  readonly minExpires?: number;
  readonly maxExpires?: number;
  readonly defaultExpires?: number;
  readonly newEtag?: () => string;
}

export class PublicationStore {
  private readonly byEtag = new Map<string, Publication>();
  private readonly now: () => number;
  private readonly newEtag: () => string;
  private seq = 0;
  readonly minExpires: number;
  readonly maxExpires: number;
  readonly defaultExpires: number;

  constructor(opts: PublicationStoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.newEtag = opts.newEtag ?? (() => randomToken(8));
    this.minExpires = opts.minExpires ?? 60;
    this.maxExpires = opts.maxExpires ?? 3600;
    this.defaultExpires = opts.defaultExpires ?? 3600;
  }

  publish(input: PublishInput): PublishResult {
    const expires = Math.min(input.expires ?? this.defaultExpires, this.maxExpires);
    if (expires !== 0 && expires < this.minExpires) {
      return { status: 423, reason: 'Interval Too Brief', minExpires: this.minExpires };
    }
    const hasBody = input.body.trim() !== '';
    if (input.ifMatch !== undefined) {
      const pub = this.byEtag.get(input.ifMatch);
      if (!pub || pub.aor !== input.aor) return { status: 412, reason: 'Conditional Request Failed' };
      if (expires === 0) {
        this.byEtag.delete(pub.etag);
        return { status: 200, etag: undefined, expires: 0, change: 'removed' };
      }
      const bodyProblem = hasBody ? this.bodyProblem(input) : undefined;
      if (bodyProblem) return bodyProblem;
      const next: Publication = {
        ...pub,
        etag: this.newEtag(),
        body: hasBody ? input.body : pub.body,
        expiresAt: this.now() + expires * 1000,
      };
      this.byEtag.delete(pub.etag);
      this.byEtag.set(next.etag, next);
      return {
        status: 200,
        etag: next.etag,
        expires,
        change: hasBody && input.body !== pub.body ? 'modified' : 'refreshed',
      };
    }
    if (!hasBody) return { status: 400, reason: 'Initial PUBLISH without body' };
    const bodyProblem = this.bodyProblem(input);
    if (bodyProblem) return bodyProblem;
    if (expires === 0) return { status: 200, etag: undefined, expires: 0, change: 'none' };
    const pub: Publication = {
      aor: input.aor,
      etag: this.newEtag(),
      body: input.body,
      expiresAt: this.now() + expires * 1000,
      seq: ++this.seq,
    };
    this.byEtag.set(pub.etag, pub);
    return { status: 200, etag: pub.etag, expires, change: 'created' };
  }

  /** Live publications of an AOR, oldest first. */
  of(aor: string): Publication[] {
    const now = this.now();
    return [...this.byEtag.values()]
      .filter((p) => p.aor === aor && p.expiresAt > now)
      .sort((a, b) => a.seq - b.seq);
  }

  /** The document a watcher of `aor` gets, undefined when nothing is published. */
  document(aor: string, entity: string): string | undefined {
    return mergePidf(
      entity,
      this.of(aor).map((p) => p.body),
    );
  }

  /** Removes expired publications; returns them (their AORs need a NOTIFY). */
  sweep(): Publication[] {
    const now = this.now();
    const gone: Publication[] = [];
    for (const [etag, p] of this.byEtag) {
      if (p.expiresAt <= now) {
        this.byEtag.delete(etag);
        gone.push(p);
      }
    }
    return gone;
  }

  get size(): number {
    return this.byEtag.size;
  }

  private bodyProblem(input: PublishInput): PublishResult | undefined {
    if (input.contentType === undefined || mediaType(input.contentType) !== PIDF_CONTENT_TYPE)
      return { status: 415, reason: 'Unsupported Media Type' };
    const problem = pidfProblem(input.body);
    return problem ? { status: 400, reason: problem } : undefined;
  }
}

export interface Subscription {
  readonly id: string;
  readonly aor: string;
  readonly callId: string;
  /** our tag: the To tag of the 200, the From tag of our NOTIFYs */
  readonly localTag: string;
  readonly remoteTag: string;
  /** To of the SUBSCRIBE as received (without tag): the From of our NOTIFYs */
  readonly localUri: string;
  /** From of the SUBSCRIBE (without tag): the To of our NOTIFYs */
  readonly remoteUri: string;
  remoteTarget: string;
  readonly routeSet: readonly string[];
  /** the Event header's id parameter, echoed in NOTIFYs */
  readonly eventId: string | undefined;
  connId: number;
  expiresAt: number;
  cseq: number;
}

export class SubscriptionStore {
  private readonly byId = new Map<string, Subscription>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  static idOf(callId: string, localTag: string): string {
    return `${callId};${localTag}`;
  }

  add(s: Subscription): void {
    this.byId.set(s.id, s);
  }

  get(callId: string, localTag: string): Subscription | undefined {
    return this.byId.get(SubscriptionStore.idOf(callId, localTag));
  }

  delete(s: Subscription): boolean {
    return this.byId.delete(s.id);
  }

  watchersOf(aor: string): Subscription[] {
    return [...this.byId.values()].filter((s) => s.aor === aor);
  }

  remaining(s: Subscription): number {
    return Math.max(0, Math.ceil((s.expiresAt - this.now()) / 1000));
  }

  /** Subscriptions whose time is up (the caller sends the terminated NOTIFY and deletes them). */
  expired(): Subscription[] {
    const now = this.now();
    return [...this.byId.values()].filter((s) => s.expiresAt <= now);
  }

  all(): Subscription[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
