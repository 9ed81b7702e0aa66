/**
 * Stateful proxy between WebSocket clients (RFC 3261 §16): one server
 * transaction per forwarded request and one client branch at a time (serial:
 * the most recent registration, then the contacts of any 3xx). Record-routes
 * dialog-creating requests, since WS clients can't reach each other directly.
 */
import type { Logger } from '../../main/core/log.js';
import type { Connection, ConnectionTable } from './connections.js';
import { Identity } from './identity.js';
import type { Locator, Resolution, Target } from './locator.js';
import { cloneRequest, cloneResponse, HeaderList, type SipRequest, type SipResponse } from './message.js';
import { createResponse, REASONS } from './responses.js';
import { getParam, parseAuthParams, parseNameAddr, parseUri, parseVia } from './syntax.js';
import {
  TRANSACTION_TIMEOUT_MS,
  type ClientEvent,
  type ClientTransactions,
  type TimerSet,
} from './transactions.js';
import type { RequestInfo } from './validate.js';

/** RFC 3261 Timer C: an INVITE that keeps ringing is given up after this. */
const TIMER_C_MS = 180_000;
/** How long a finished transaction is kept to absorb ACKs and forward 2xx retransmissions. */
const LINGER_MS = 32_000;
export const MAX_REDIRECTS = 5;
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);
const REDIRECTABLE = new Set(['INVITE', 'MESSAGE']);

interface Branch {
  readonly id: string;
  readonly conn: Connection;
  /** the request as sent on this branch */
  readonly request: SipRequest;
  provisional: boolean;
  done: boolean;
  cancelPending: boolean;
}

interface ServerTxn {
  readonly key: string;
  readonly method: string;
  readonly upstream: Connection;
  /** the received request, Route popped and Max-Forwards decremented: the template of every branch */
  readonly request: SipRequest;
  readonly label: string;
  readonly dialogCreating: boolean;
  branch: Branch | undefined;
  final: number | undefined;
  cancelled: boolean;
  redirects: number;
  queue: string[];
  readonly tried: Set<string>;
  lastFinal: SipResponse | undefined;
  linger: NodeJS.Timeout | undefined;
}

export interface ProxyDeps {
  readonly logger: Logger;
  readonly identity: Identity;
  readonly conns: ConnectionTable;
  readonly locator: Locator;
  readonly clients: ClientTransactions;
  readonly timers: TimerSet;
  /** our digest realm when auth is on: its Proxy-Authorization is consumed, not forwarded */
  readonly realm: string | undefined;
  readonly maxTransactions: number;
}

export function serverKey(info: RequestInfo, method: string): string {
  const m = method === 'ACK' || method === 'CANCEL' ? 'INVITE' : method;
  // The magic cookie alone identifies nothing (RFC 4475 §3.2.1): treated as no branch.
  if (info.branch?.startsWith('z9hG4bK') && info.branch.length > 'z9hG4bK'.length)
    return `${info.branch}|${info.sentBy}|${m}`;
  // RFC 2543 peers: no usable branch, match on the dialog-ish fields instead.
  return `${info.callId}|${info.cseq.seq}|${info.from.tag ?? ''}|${m}`;
}

export class Proxy {
  private readonly txns = new Map<string, ServerTxn>();
  /** INVITEs answered locally with a failure: their ACK is absorbed here */
  private readonly localFailures = new Map<string, NodeJS.Timeout>();

  constructor(private readonly d: ProxyDeps) {}

  get transactionCount(): number {
    return this.txns.size;
  }

  /** Called by the server when it answered an INVITE itself (401/404/...): the ACK stops here. */
  noteLocalFailure(info: RequestInfo): void {
    const key = serverKey(info, 'INVITE');
    this.d.timers.cancel(this.localFailures.get(key));
    this.localFailures.set(
      key,
      this.d.timers.after(LINGER_MS, () => this.localFailures.delete(key)),
    );
  }

  forward(conn: Connection, req: SipRequest, info: RequestInfo, label: string): void {
    const key = serverKey(info, req.method);
    if (this.txns.has(key)) {
      this.d.logger.debug(`${label}: retransmission absorbed`);
      return;
    }
    if (this.txns.size >= this.d.maxTransactions) {
      this.reply(conn, req, 503, `${label}: 503 (transaction table full)`, 'Too Many Transactions');
      return;
    }
    const prepared = this.prepare(req, info);
    const resolution = this.d.locator.resolve(prepared.request.uri, {
      flow: prepared.flow,
      arrivalConnId: conn.id,
    });
    if (resolution.kind !== 'found') {
      const status = resolution.kind === 'unknown' ? 404 : 480;
      if (req.method === 'INVITE') this.noteLocalFailure(info);
      this.reply(conn, req, status, `${label}: ${status} (${describeMiss(resolution)})`);
      return;
    }
    const txn: ServerTxn = {
      key,
      method: req.method,
      upstream: conn,
      request: prepared.request,
      label,
      dialogCreating: DIALOG_CREATING.has(req.method) && info.to.tag === undefined,
      branch: undefined,
      final: undefined,
      cancelled: false,
      redirects: 0,
      queue: [],
      tried: new Set([req.uri, resolution.target.uri]),
      lastFinal: undefined,
      linger: undefined,
    };
    this.txns.set(key, txn);
    if (req.method === 'INVITE') conn.send(createResponse(req, 100));
    this.sendBranch(txn, resolution.target);
  }

  /** CANCEL from upstream: answered here, then propagated to the pending branch (RFC 3261 §16.10). */
  cancel(conn: Connection, req: SipRequest, info: RequestInfo, label: string): void {
    const txn = this.txns.get(serverKey(info, 'CANCEL'));
    if (!txn || txn.method !== 'INVITE') {
      this.reply(conn, req, 481, `${label}: 481 (no matching INVITE)`);
      return;
    }
    conn.send(createResponse(req, 200));
    if (txn.final !== undefined) {
      this.d.logger.debug(`${label}: 200 (INVITE already answered ${txn.final})`);
      return;
    }
    this.d.logger.debug(`${label}: 200, cancelling`);
    txn.cancelled = true;
    const br = txn.branch;
    if (br && !br.done) {
      if (br.provisional) this.sendCancel(br);
      else br.cancelPending = true;
      // If the callee never answers the CANCEL, give up after a transaction timeout.
      this.d.clients.rearm(br.id, 'INVITE', TRANSACTION_TIMEOUT_MS);
    } else {
      this.finalize(txn, createResponse(txn.request, 487));
    }
  }

  /** ACK: absorbed when it acknowledges a failure we relayed or sent, else routed end to end (2xx ACK). */
  ack(conn: Connection, req: SipRequest, info: RequestInfo, label: string): void {
    const key = serverKey(info, 'ACK');
    const txn = this.txns.get(key);
    if ((txn && txn.final !== undefined && txn.final >= 300) || this.localFailures.has(key)) {
      this.d.logger.debug(`${label}: absorbed (hop-by-hop ACK)`);
      return;
    }
    if (info.maxForwards === 0) {
      this.d.logger.info(`${label}: dropped (Max-Forwards 0)`);
      return;
    }
    const prepared = this.prepare(req, info);
    const res = this.d.locator.resolve(prepared.request.uri, { flow: prepared.flow, arrivalConnId: conn.id });
    if (res.kind !== 'found') {
      this.d.logger.info(`${label}: dropped (${describeMiss(res)})`);
      return;
    }
    const out = prepared.request;
    out.uri = res.target.uri;
    out.headers.prepend('Via', this.d.identity.via(this.d.identity.newBranch(conn.id)));
    res.target.conn.send(out);
    this.d.logger.debug(`${label}: relayed`);
  }

  /** A response arriving on any connection. */
  onResponse(res: SipResponse): void {
    const top = res.headers.get('Via');
    const via = top === undefined ? undefined : parseVia(top);
    const branch = via ? getParam(via.params, 'branch') : undefined;
    const method = res.headers.get('CSeq')?.trim().split(/\s+/)[1]?.toUpperCase() ?? '';
    if (!via || branch === undefined || !this.d.identity.isOwnVia(via.host, via.port)) {
      this.d.logger.warn(`response ${res.status} dropped: top Via is not ours`);
      return;
    }
    if (this.d.clients.dispatch(branch, method, res)) return;
    // No transaction any more (e.g. a late 2xx retransmission): forward statelessly.
    const upstreamId = Identity.connIdOfBranch(branch);
    const upstream = upstreamId === undefined ? undefined : this.d.conns.get(upstreamId);
    if (upstream && res.headers.getAll('Via').length > 1) {
      const out = cloneResponse(res);
      out.headers.removeFirst('Via');
      upstream.send(out);
      this.d.logger.debug(`response ${res.status} ${method} forwarded statelessly`);
    } else {
      this.d.logger.debug(`response ${res.status} ${method} dropped: no transaction`);
    }
  }

  /** A closed connection: its pending branches fail over, its pending INVITEs are cancelled downstream. */
  connectionClosed(connId: number): void {
    this.d.clients.connectionClosed(connId);
    for (const txn of this.txns.values()) {
      if (txn.upstream.id !== connId || txn.final !== undefined) continue;
      txn.cancelled = true;
      const br = txn.branch;
      if (txn.method === 'INVITE' && br && !br.done) {
        if (br.provisional) this.sendCancel(br);
        else br.cancelPending = true;
      }
    }
  }

  close(): void {
    this.txns.clear();
    this.localFailures.clear();
  }

  private prepare(
    req: SipRequest,
    info: RequestInfo,
  ): { request: SipRequest; flow: readonly [number, number] | undefined } {
    const request = cloneRequest(req);
    let flow: readonly [number, number] | undefined;
    // Loose routing (RFC 3261 §16.4): pop the Route entries that are us.
    for (;;) {
      const first = request.headers.get('Route');
      const na = first === undefined ? undefined : parseNameAddr(first);
      const uri = na ? parseUri(na.uri) : undefined;
      if (
        !uri ||
        !this.d.identity.isLocal(uri.host, uri.port) ||
        (uri.user !== undefined && !Identity.flowToken(uri))
      ) {
        break;
      }
      flow = Identity.flowToken(uri) ?? flow;
      request.headers.removeFirst('Route');
    }
    request.headers.set('Max-Forwards', String((info.maxForwards ?? 70) - 1));
    const realm = this.d.realm;
    if (realm !== undefined) {
      request.headers.removeWhere(
        'Proxy-Authorization',
        (v) => parseAuthParams(v)?.params.get('realm') === realm,
      );
    }
    return { request, flow };
  }

  private sendBranch(txn: ServerTxn, target: Target): void {
    const out = cloneRequest(txn.request);
    out.uri = target.uri;
    if (txn.dialogCreating)
      out.headers.prepend('Record-Route', this.d.identity.recordRoute(txn.upstream.id, target.conn.id));
    const id = this.d.identity.newBranch(txn.upstream.id);
    out.headers.prepend('Via', this.d.identity.via(id));
    const br: Branch = {
      id,
      conn: target.conn,
      request: out,
      provisional: false,
      done: false,
      cancelPending: false,
    };
    txn.branch = br;
    this.d.clients.start(id, txn.method, target.conn.id, TRANSACTION_TIMEOUT_MS, (ev) =>
      this.onBranchEvent(txn, br, ev),
    );
    if (!target.conn.send(out)) this.onBranchEvent(txn, br, { kind: 'closed' });
  }

  private onBranchEvent(txn: ServerTxn, br: Branch, ev: ClientEvent): void {
    if (ev.kind !== 'response') {
      if (br.done) {
        // The lingering after a 2xx is over.
        this.d.clients.finish(br.id, txn.method);
        return;
      }
      if (ev.kind === 'timeout' && br.provisional && txn.method === 'INVITE') this.sendCancel(br);
      br.done = true;
      this.d.clients.finish(br.id, txn.method);
      const status = txn.cancelled ? 487 : ev.kind === 'timeout' ? 408 : 480;
      const why = ev.kind === 'timeout' ? 'no answer' : 'connection closed';
      this.d.logger.info(`${txn.label}: branch failed (${why})`);
      this.branchFailed(txn, createResponse(txn.request, status));
      return;
    }
    const res = cloneResponse(ev.response);
    res.headers.removeFirst('Via');
    const status = res.status;
    if (status < 200) {
      if (status === 100 || br.done) return;
      br.provisional = true;
      if (br.cancelPending) {
        br.cancelPending = false;
        this.sendCancel(br);
      }
      if (txn.method === 'INVITE' && !txn.cancelled) this.d.clients.rearm(br.id, 'INVITE', TIMER_C_MS);
      if (txn.final === undefined) txn.upstream.send(res);
      return;
    }
    if (status < 300) {
      br.done = true;
      if (txn.method === 'INVITE') {
        // Every 2xx goes upstream (RFC 3261 §16.7 step 5), retransmissions included:
        // the branch stays a while since the callee resends its 2xx until the ACK.
        this.d.clients.rearm(br.id, 'INVITE', LINGER_MS);
        this.finalize(txn, res);
      } else {
        this.d.clients.finish(br.id, txn.method);
        if (txn.final === undefined) this.finalize(txn, res);
      }
      return;
    }
    if (br.done) return;
    br.done = true;
    if (txn.method === 'INVITE') this.sendAck(br, res);
    this.d.clients.finish(br.id, txn.method);
    if (txn.final !== undefined) return;
    if (status < 400 && REDIRECTABLE.has(txn.method) && !txn.cancelled) {
      this.followRedirect(txn, res);
      return;
    }
    this.branchFailed(txn, res);
  }

  /** A branch ended without success: try the next redirect target if any, else answer upstream. */
  private branchFailed(txn: ServerTxn, res: SipResponse): void {
    if (txn.final !== undefined) return;
    txn.lastFinal = res;
    if (txn.queue.length > 0 && !txn.cancelled && res.status < 600) {
      this.nextTarget(txn);
      return;
    }
    this.finalize(txn, txn.cancelled && res.status < 400 ? createResponse(txn.request, 487) : res);
  }

  /** 3xx: the contacts (highest q first) are tried in turn with the original request (RFC 3261 §16.7 step 4). */
  private followRedirect(txn: ServerTxn, res: SipResponse): void {
    txn.redirects++;
    txn.lastFinal = res;
    const contacts = res.headers
      .getAll('Contact')
      .map((c, i) => ({ na: parseNameAddr(c), i }))
      .filter((c) => c.na !== undefined && parseUri(c.na.uri) !== undefined)
      .map(({ na, i }) => ({
        uri: (na as { uri: string }).uri,
        q: qValue(na ? getParam(na.params, 'q') : undefined),
        i,
      }))
      .sort((a, b) => b.q - a.q || a.i - b.i)
      .map((c) => c.uri);
    const fresh = contacts.filter((u) => !txn.tried.has(u));
    if (txn.redirects > MAX_REDIRECTS) {
      this.d.logger.info(`${txn.label}: ${res.status} not followed (more than ${MAX_REDIRECTS} redirects)`);
      this.finalize(txn, createResponse(txn.request, 480, { reason: 'Too Many Redirects' }));
      return;
    }
    this.d.logger.debug(
      `${txn.label}: ${res.status} redirect to ${contacts.join(', ') || '(no contact)'} (${txn.redirects}/${MAX_REDIRECTS})`,
    );
    txn.queue = [...fresh, ...txn.queue.filter((u) => !fresh.includes(u))];
    this.nextTarget(txn);
  }

  private nextTarget(txn: ServerTxn): void {
    while (txn.queue.length > 0) {
      const uri = txn.queue.shift() as string;
      if (txn.tried.has(uri)) continue;
      txn.tried.add(uri);
      const res = this.d.locator.resolve(uri);
      if (res.kind === 'found') {
        this.d.logger.debug(
          `${txn.label}: trying ${uri}${res.target.uri === uri ? '' : ` at ${res.target.uri}`}`,
        );
        this.sendBranch(txn, res.target);
        return;
      }
      this.d.logger.info(`${txn.label}: redirect target ${uri} unreachable (${describeMiss(res)})`);
    }
    const last = txn.lastFinal;
    this.finalize(txn, last && last.status >= 400 ? last : createResponse(txn.request, 480));
  }

  private finalize(txn: ServerTxn, res: SipResponse): void {
    const first = txn.final === undefined;
    txn.final = res.status;
    txn.upstream.send(res);
    if (!first) return;
    const how = txn.redirects > 0 ? `relayed after ${txn.redirects} redirect(s)` : 'relayed';
    this.d.logger.debug(`${txn.label}: ${how} → ${res.status} ${res.reason}`);
    if (txn.method === 'INVITE') {
      // Kept for ACK absorption (failure) or 2xx retransmissions.
      txn.linger = this.d.timers.after(LINGER_MS, () => this.txns.delete(txn.key));
    } else {
      this.txns.delete(txn.key);
    }
  }

  private sendAck(br: Branch, res: SipResponse): void {
    const r = br.request;
    const headers = new HeaderList();
    headers.add('Via', r.headers.get('Via') as string);
    headers.add('Max-Forwards', '70');
    for (const route of r.headers.getAll('Route')) headers.add('Route', route);
    headers.add('From', r.headers.get('From') ?? '');
    headers.add('To', res.headers.get('To') ?? r.headers.get('To') ?? '');
    headers.add('Call-ID', r.headers.get('Call-ID') ?? '');
    headers.add('CSeq', `${cseqNumber(r)} ACK`);
    br.conn.send({ kind: 'request', method: 'ACK', uri: r.uri, headers, body: '' });
  }

  private sendCancel(br: Branch): void {
    const r = br.request;
    const headers = new HeaderList();
    headers.add('Via', r.headers.get('Via') as string);
    headers.add('Max-Forwards', '70');
    for (const route of r.headers.getAll('Route')) headers.add('Route', route);
    headers.add('From', r.headers.get('From') ?? '');
    headers.add('To', r.headers.get('To') ?? '');
    headers.add('Call-ID', r.headers.get('Call-ID') ?? '');
    headers.add('CSeq', `${cseqNumber(r)} CANCEL`);
    // Its 200 needs a home; nothing else to do with it.
    this.d.clients.start(br.id, 'CANCEL', br.conn.id, TRANSACTION_TIMEOUT_MS, () =>
      this.d.clients.finish(br.id, 'CANCEL'),
    );
    br.conn.send({ kind: 'request', method: 'CANCEL', uri: r.uri, headers, body: '' });
  }

  private reply(conn: Connection, req: SipRequest, status: number, logLine: string, reason?: string): void {
    conn.send(createResponse(req, status, { reason: reason ?? REASONS[status] }));
    this.d.logger.info(logLine);
  }
}

function cseqNumber(r: SipRequest): string {
  return r.headers.get('CSeq')?.trim().split(/\s+/)[0] ?? '1';
}

function qValue(q: string | undefined): number {
  const n = q === undefined ? 1 : Number(q);
  return Number.isFinite(n) ? n : 0;
}

export function describeMiss(r: Resolution): string {
  if (r.kind === 'found') return 'found';
  if (r.kind === 'offline')
    return r.aor === undefined ? 'destination unreachable' : `${r.aor} not registered`;
  return r.aor === undefined ? 'unknown destination' : `unknown user ${r.aor}`;
}
