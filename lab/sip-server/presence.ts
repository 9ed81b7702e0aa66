/**
 * Presence server (RFC 3856/3903/6665): PUBLISH into the publication store,
 * SUBSCRIBE creates a watcher dialog, and every change of a presentity's
 * merged document is NOTIFYed to its watchers through their connection.
 */
import type { Logger } from '../../main/core/log.js';
import type { Connection, ConnectionTable } from './connections.js';
import type { Identity } from './identity.js';
import { HeaderList, type SipRequest } from './message.js';
import { PIDF_CONTENT_TYPE } from '../../wire/content-types.js';
import { PublicationStore, SubscriptionStore, type Subscription } from './presence-state.js';
import { createResponse, newTag } from './responses.js';
import { formatNameAddr, getParam, parseNameAddr, parseParams, parseUri, withoutParam } from './syntax.js';
import { TRANSACTION_TIMEOUT_MS, type ClientTransactions } from './transactions.js';
import type { RequestInfo } from './validate.js';

const MAX_SUBSCRIBE_EXPIRES = 3600;
const DEFAULT_SUBSCRIBE_EXPIRES = 3600;

export interface PresenceDeps {
  readonly logger: Logger;
  readonly identity: Identity;
  readonly conns: ConnectionTable;
  readonly clients: ClientTransactions;
  readonly minPublishExpires: number;
  readonly now?: () => number;
}

/** `presence;id=1` → { package: 'presence', id: '1' }. */
export function parseEvent(value: string | undefined): { pkg: string; id: string | undefined } | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  const pkg = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (pkg === '') return undefined;
  return { pkg, id: semi < 0 ? undefined : getParam(parseParams(value.slice(semi + 1)) ?? [], 'id') };
}

/** Expires header: undefined when absent, null when malformed. */
function expiresHeader(req: SipRequest): number | undefined | null {
  const v = req.headers.get('Expires');
  if (v === undefined) return undefined;
  return /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : null;
}

function withoutTag(value: string): string {
  const na = parseNameAddr(value);
  return na ? formatNameAddr({ ...na, params: withoutParam(na.params, 'tag') }) : value;
}

export class PresenceServer {
  readonly publications: PublicationStore;
  readonly subscriptions: SubscriptionStore;

  constructor(private readonly d: PresenceDeps) {
    this.publications = new PublicationStore({ now: d.now, minExpires: d.minPublishExpires });
    this.subscriptions = new SubscriptionStore(d.now);
  }

  /** An in-dialog SUBSCRIBE that refreshes one of our subscriptions. */
  ownsDialog(info: RequestInfo): boolean {
    return info.to.tag !== undefined && this.subscriptions.get(info.callId, info.to.tag) !== undefined;
  }

  publish(conn: Connection, req: SipRequest, aor: string, label: string): void {
    const event = parseEvent(req.headers.get('Event'));
    if (event?.pkg !== 'presence') {
      conn.send(createResponse(req, 489, { headers: [['Allow-Events', 'presence']] }));
      this.d.logger.info(`${label} → 489 (event ${event?.pkg ?? 'missing'})`);
      return;
    }
    const expires = expiresHeader(req);
    if (expires === null) {
      conn.send(createResponse(req, 400, { reason: 'Malformed Expires header' }));
      this.d.logger.info(`${label} → 400 (malformed Expires)`);
      return;
    }
    const r = this.publications.publish({
      aor,
      ifMatch: req.headers.get('SIP-If-Match')?.trim(),
      expires,
      body: req.body,
      contentType: req.headers.get('Content-Type'),
    });
    switch (r.status) {
      case 200: {
        const headers: Array<[string, string]> = [['Expires', String(r.expires)]];
        if (r.etag !== undefined) headers.unshift(['SIP-ETag', r.etag]);
        conn.send(createResponse(req, 200, { headers }));
        this.d.logger.debug(`${label} → 200 etag=${r.etag ?? '-'} expires=${r.expires} (${r.change})`);
        if (r.change === 'created' || r.change === 'modified' || r.change === 'removed')
          this.notifyWatchers(aor);
        return;
      }
      case 423:
        conn.send(createResponse(req, 423, { headers: [['Min-Expires', String(r.minExpires)]] }));
        break;
      case 415:
        conn.send(createResponse(req, 415, { headers: [['Accept', PIDF_CONTENT_TYPE]] }));
        break;
      default:
        conn.send(createResponse(req, r.status, { reason: r.reason }));
    }
    this.d.logger.info(`${label} → ${r.status} ${r.reason}`);
  }

  /** SUBSCRIBE Event: presence, initial (aor given) or refresh (in-dialog). */
  subscribe(
    conn: Connection,
    req: SipRequest,
    info: RequestInfo,
    aor: string | undefined,
    label: string,
  ): void {
    const requested = expiresHeader(req);
    if (requested === null) {
      conn.send(createResponse(req, 400, { reason: 'Malformed Expires header' }));
      this.d.logger.info(`${label}: 400 (malformed Expires)`);
      return;
    }
    const expires = Math.min(requested ?? DEFAULT_SUBSCRIBE_EXPIRES, MAX_SUBSCRIBE_EXPIRES);
    const contactValue = req.headers.get('Contact');
    const contact = contactValue === undefined ? undefined : parseNameAddr(contactValue);
    const now = (this.d.now ?? Date.now)();

    if (info.to.tag !== undefined) {
      const sub = this.subscriptions.get(info.callId, info.to.tag);
      if (!sub) {
        conn.send(createResponse(req, 481, { reason: 'Subscription Does Not Exist' }));
        this.d.logger.info(`${label}: 481 (no such subscription)`);
        return;
      }
      sub.connId = conn.id;
      if (contact) sub.remoteTarget = contact.uri;
      sub.expiresAt = now + expires * 1000;
      this.sendOk(conn, req, undefined, expires);
      this.d.logger.debug(`${label}: 200 refresh (expires ${expires})`);
      if (expires === 0) this.terminate(sub);
      else this.notify(sub);
      return;
    }

    if (aor === undefined) {
      conn.send(createResponse(req, 404));
      this.d.logger.info(`${label}: 404 (not a presentity here)`);
      return;
    }
    if (!contact || !parseUri(contact.uri)) {
      conn.send(
        createResponse(req, 400, { reason: contact ? 'Malformed Contact header' : 'Missing Contact header' }),
      );
      this.d.logger.info(`${label}: 400 (no usable Contact)`);
      return;
    }
    const localTag = newTag();
    const event = parseEvent(req.headers.get('Event'));
    const sub: Subscription = {
      id: SubscriptionStore.idOf(info.callId, localTag),
      aor,
      callId: info.callId,
      localTag,
      remoteTag: info.from.tag ?? '',
      localUri: withoutTag(req.headers.get('To') ?? `<sip:${aor}>`),
      remoteUri: withoutTag(req.headers.get('From') ?? ''),
      remoteTarget: contact.uri,
      routeSet: req.headers.getAll('Record-Route'),
      eventId: event?.id,
      connId: conn.id,
      expiresAt: now + expires * 1000,
      cseq: 0,
    };
    this.sendOk(conn, req, localTag, expires);
    this.d.logger.debug(`${label}: 200 (expires ${expires})`);
    if (expires === 0) {
      // A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, then it's over.
      this.send(sub, 'terminated;reason=timeout');
      return;
    }
    this.subscriptions.add(sub);
    this.notify(sub);
  }

  /** Drops expired publications (notifying their watchers) and ends expired subscriptions. */
  sweep(): void {
    const aors = new Set(this.publications.sweep().map((p) => p.aor));
    for (const aor of aors) {
      this.d.logger.info(`presence of ${aor}: publication expired`);
      this.notifyWatchers(aor);
    }
    for (const sub of this.subscriptions.expired()) {
      this.d.logger.info(`presence subscription of ${sub.remoteUri} to ${sub.aor}: expired`);
      this.terminate(sub);
    }
  }

  private sendOk(conn: Connection, req: SipRequest, toTag: string | undefined, expires: number): void {
    const headers: Array<[string, string]> = [
      ['Expires', String(expires)],
      ['Contact', this.d.identity.contact()],
    ];
    conn.send(createResponse(req, 200, { toTag, headers }));
  }

  private notifyWatchers(aor: string): void {
    for (const sub of this.subscriptions.watchersOf(aor)) this.notify(sub);
  }

  private notify(sub: Subscription): void {
    this.send(sub, `active;expires=${this.subscriptions.remaining(sub)}`);
  }

  private terminate(sub: Subscription): void {
    this.subscriptions.delete(sub);
    this.send(sub, 'terminated;reason=timeout');
  }

  private send(sub: Subscription, state: string): void {
    const id = this.d.identity;
    const doc = this.publications.document(sub.aor, `sip:${sub.aor}`);
    const target = parseUri(sub.remoteTarget);
    const conn = this.d.conns.get(sub.connId) ?? (target ? this.d.conns.lookupExact(target) : undefined);
    const label = `NOTIFY ${sub.aor} → ${sub.remoteUri}`;
    if (!conn) {
      this.subscriptions.delete(sub);
      this.d.logger.info(`${label}: subscriber unreachable, subscription dropped`);
      return;
    }
    sub.connId = conn.id;
    const branch = id.newBranch(0);
    const headers = new HeaderList();
    headers.add('Via', id.via(branch));
    headers.add('Max-Forwards', '70');
    for (const route of sub.routeSet) headers.add('Route', route);
    headers.add('From', `${sub.localUri};tag=${sub.localTag}`);
    headers.add('To', sub.remoteTag === '' ? sub.remoteUri : `${sub.remoteUri};tag=${sub.remoteTag}`);
    headers.add('Call-ID', sub.callId);
    headers.add('CSeq', `${++sub.cseq} NOTIFY`);
    headers.add('Contact', id.contact());
    headers.add('Event', sub.eventId === undefined ? 'presence' : `presence;id=${sub.eventId}`);
    headers.add('Subscription-State', state);
    if (doc !== undefined) headers.add('Content-Type', PIDF_CONTENT_TYPE);
    const what = doc === undefined ? 'no body' : `${this.publications.of(sub.aor).length} publication(s)`;
    this.d.clients.start(branch, 'NOTIFY', conn.id, TRANSACTION_TIMEOUT_MS, (ev) => {
      if (ev.kind === 'response' && ev.response.status < 200) return;
      this.d.clients.finish(branch, 'NOTIFY');
      if (ev.kind === 'response') {
        // A NOTIFY answered 2xx is routine (debug); anything else is worth seeing.
        const level = ev.response.status < 300 ? 'debug' : 'info';
        this.d.logger[level](`${label}: ${ev.response.status} (${state.split(';')[0]}, ${what})`);
        if (ev.response.status === 481) this.dropAfterFailure(sub, 'subscriber answered 481');
        return;
      }
      this.dropAfterFailure(sub, ev.kind === 'timeout' ? 'no answer' : 'connection closed');
    });
    conn.send({ kind: 'request', method: 'NOTIFY', uri: sub.remoteTarget, headers, body: doc ?? '' });
  }

  private dropAfterFailure(sub: Subscription, why: string): void {
    if (this.subscriptions.delete(sub)) {
      this.d.logger.info(`presence subscription of ${sub.remoteUri} to ${sub.aor} dropped (${why})`);
    }
  }
}
