/**
 * Composition: the HTTP(S) listener and WebSocket server, the frame → message
 * → handler pipeline, and the request dispatch between registrar, presence
 * server and proxy. Everything is created per startSipServer() call.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../../main/core/log.js';
import { PIDF_CONTENT_TYPE, SDP_CONTENT_TYPE, TEXT_PLAIN } from '../../wire/content-types.js';
import { DigestAuth } from './auth.js';
import { ConnectionTable, wrapSocket, type Connection } from './connections.js';
import { unsupportedExtensions } from './extensions.js';
import { Identity } from './identity.js';
import { Locator } from './locator.js';
import { parseMessage, type ParseError, type SipRequest } from './message.js';
import { ALLOW, KNOWN_METHODS } from './methods.js';
import { parseEvent, PresenceServer } from './presence.js';
import { Proxy } from './proxy.js';
import { Registrar, type ContactUpdate } from './registrar.js';
import { createResponse, type ResponseOptions } from './responses.js';
import { forLog } from './sanitize.js';
import { checkSenderIdentity } from './sender-identity.js';
import { getParam, parseNameAddr, parseUri } from './syntax.js';
import { generateCertificate, type TlsMaterial } from './tls.js';
import { ClientTransactions, TimerSet } from './transactions.js';
import { inspectRequest, type Party, type RequestInfo } from './validate.js';

export interface SipServerOptions {
  host?: string;
  port?: number;
  domain?: string;
  users?: ReadonlyArray<{ user: string; password: string; displayName?: string }>;
  tls?: boolean;
  /** with tls: serve this key/certificate instead of generating one (e.g. to restart with the same one) */
  certificate?: TlsMaterial;
  maxMessageBytes?: number;
  minPublishExpires?: number;
  logger: Logger;
}

export interface SipServer {
  readonly url: string;
  readonly port: number;
  readonly domain: string;
  readonly caPem?: string;
  close(): Promise<void>;
}

/** What the server itself (not a user behind it) accepts. */
const SERVER_ALLOW = 'REGISTER, OPTIONS, PUBLISH, SUBSCRIBE';
/** Out-of-dialog requests that must carry credentials when auth is on. */
const CHALLENGED = new Set(['REGISTER', 'MESSAGE', 'INVITE', 'PUBLISH', 'SUBSCRIBE', 'REFER', 'OPTIONS']);
const SWEEP_MS = 1000;
const MAX_TRANSACTIONS = 20_000;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function isBlank(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09) return false;
  return true;
}

class LabSipServer {
  private readonly log: Logger;
  private readonly conns: ConnectionTable;
  private readonly registrar = new Registrar();
  private readonly timers: TimerSet;
  private readonly clients: ClientTransactions;
  private readonly proxy: Proxy;
  private readonly presence: PresenceServer;
  private readonly auth: DigestAuth | undefined;
  private readonly users: ReadonlyMap<string, string> | undefined;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly identity: Identity,
    private readonly maxBytes: number,
    opts: SipServerOptions,
  ) {
    this.log = opts.logger;
    this.users = opts.users ? new Map(opts.users.map((u) => [u.user, u.password])) : undefined;
    this.auth = this.users ? new DigestAuth({ realm: identity.domain, users: this.users }) : undefined;
    this.conns = new ConnectionTable((host, port) => identity.isLocal(host, port));
    this.timers = new TimerSet((err) => this.log.error(`timer failed: ${errorText(err)}`));
    this.clients = new ClientTransactions(this.timers);
    const locator = new Locator(
      identity,
      this.registrar,
      this.conns,
      (user) => this.users?.has(user) ?? false,
    );
    this.proxy = new Proxy({
      logger: this.log,
      identity,
      conns: this.conns,
      locator,
      clients: this.clients,
      timers: this.timers,
      realm: this.auth?.realm,
      maxTransactions: MAX_TRANSACTIONS,
    });
    this.presence = new PresenceServer({
      logger: this.log,
      identity,
      conns: this.conns,
      clients: this.clients,
      minPublishExpires: opts.minPublishExpires ?? 60,
    });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  attach(ws: WebSocket, httpReq: IncomingMessage): void {
    const remote = `${httpReq.socket.remoteAddress ?? '?'}:${httpReq.socket.remotePort ?? '?'}`;
    const conn = wrapSocket(this.conns.newId(), ws, remote);
    this.conns.add(conn);
    this.log.debug(`connection ${conn.id} from ${remote} (${ws.protocol || 'no subprotocol'})`);
    ws.on('message', (data) => {
      try {
        this.onFrame(conn, toBuffer(data));
      } catch (err) {
        this.log.error(`frame from connection ${conn.id} failed: ${errorText(err)}`);
      }
    });
    ws.on('close', () => {
      try {
        this.onClose(conn);
      } catch (err) {
        this.log.error(`closing connection ${conn.id} failed: ${errorText(err)}`);
      }
    });
    ws.on('error', (err) => this.log.warn(`connection ${conn.id} error: ${err.message}`));
  }

  shutdown(): void {
    clearInterval(this.sweeper);
    this.timers.clearAll();
    this.clients.clear();
    this.proxy.close();
  }

  private onClose(conn: Connection): void {
    this.conns.remove(conn.id);
    const dropped = this.registrar.dropConnection(conn.id);
    this.proxy.connectionClosed(conn.id);
    const what =
      dropped.length === 0
        ? ''
        : `, dropped ${dropped.length} binding(s) of ${[...new Set(dropped.map((b) => b.aor))].join(', ')}`;
    this.log.info(`connection ${conn.id} closed${what}`);
  }

  private sweep(): void {
    try {
      for (const b of this.registrar.sweep()) this.log.info(`REGISTER ${b.aor}: binding ${b.uri} expired`);
      this.presence.sweep();
    } catch (err) {
      this.log.error(`sweep failed: ${errorText(err)}`);
    }
  }

  private onFrame(conn: Connection, data: Buffer): void {
    if (isBlank(data)) {
      // RFC 5626 §4.4.1 keep-alive: a double CRLF ping gets a single CRLF pong.
      if (data.toString('latin1') === '\r\n\r\n') conn.sendText('\r\n');
      return;
    }
    if (data.length > this.maxBytes) {
      this.onOversize(conn, data);
      return;
    }
    const parsed = parseMessage(data);
    const msg = parsed.message;
    if (!msg) {
      this.log.warn(
        `connection ${conn.id}: dropped malformed response (${parsed.error?.reason ?? 'unparseable'})`,
      );
      return;
    }
    if (parsed.discarded !== undefined) {
      // RFC 3261 §18.3: octets after the Content-Length are not part of the message.
      this.log.info(`connection ${conn.id}: discarded ${parsed.discarded} octet(s) after the body`);
    }
    if (msg.kind === 'response') {
      if (parsed.error) {
        this.log.warn(
          `connection ${conn.id}: dropped malformed ${msg.status} response (${parsed.error.reason})`,
        );
        return;
      }
      this.conns.learn(conn, msg);
      this.proxy.onResponse(msg);
      return;
    }
    try {
      this.onRequest(conn, msg, parsed.error);
    } catch (err) {
      this.log.error(`${msg.method} from connection ${conn.id} failed: ${errorText(err)}`);
      if (msg.method !== 'ACK') conn.send(createResponse(msg, 500));
    }
  }

  private onOversize(conn: Connection, data: Buffer): void {
    const msg = parseMessage(data).message;
    const size = `${data.length} bytes > ${this.maxBytes}`;
    if (msg?.kind === 'request' && msg.method !== 'ACK') {
      conn.send(createResponse(msg, 413));
      this.log.warn(`${msg.method} from connection ${conn.id}: 413 (${size})`);
    } else {
      this.log.warn(`connection ${conn.id}: dropped oversized ${msg?.kind ?? 'frame'} (${size})`);
    }
  }

  private reject(
    conn: Connection,
    req: SipRequest,
    status: number,
    logLine: string,
    opts: ResponseOptions = {},
  ): void {
    if (req.method !== 'ACK') conn.send(createResponse(req, status, opts));
    this.log.info(logLine);
  }

  /** A request refused for its form: the precise reason goes back (through the sanitiser) and to the log. */
  private refuseMalformed(conn: Connection, req: SipRequest, e: ParseError): void {
    const what = `${req.method} from connection ${conn.id}: ${e.status} ${e.reason}`;
    this.reject(conn, req, e.status, what, { reason: e.reason });
  }

  private partyLabel(p: Party): string {
    return p.uri ? this.identity.label(p.uri) : forLog(p.addr.uri, 40);
  }

  private onRequest(conn: Connection, req: SipRequest, parseError: ParseError | undefined): void {
    if (parseError) return this.refuseMalformed(conn, req, parseError);
    const inspection = inspectRequest(req);
    if (!inspection.ok) return this.refuseMalformed(conn, req, inspection);
    const info = inspection.info;
    this.conns.learn(conn, req);
    const method = req.method;
    const label = `${method} ${this.partyLabel(info.from)} → ${info.ruri.user === undefined ? this.partyLabel(info.to) : this.identity.label(info.ruri)}`;

    if (!KNOWN_METHODS.has(method)) {
      this.reject(conn, req, 501, `${label}: 501 (unknown method)`, { headers: [['Allow', ALLOW]] });
      return;
    }
    if (method === 'ACK') return this.proxy.ack(conn, req, info, label);
    if (method === 'CANCEL') return this.proxy.cancel(conn, req, info, label);
    if (!this.admit(conn, req, info, label)) {
      if (method === 'INVITE') this.proxy.noteLocalFailure(info);
      return;
    }
    this.dispatch(conn, req, info, label);
  }

  /**
   * The proxy's checks before anything is served or forwarded (RFC 3261
   * §16.3): Max-Forwards, Proxy-Require, then with auth on the credentials of
   * out-of-dialog requests and the identity they claim. False once answered.
   */
  private admit(conn: Connection, req: SipRequest, info: RequestInfo, label: string): boolean {
    const method = req.method;
    const toServer = this.identity.isServerUri(info.ruri);
    if (info.maxForwards === 0 && !(method === 'OPTIONS' && toServer)) {
      this.reject(conn, req, 483, `${label}: 483 (Max-Forwards 0)`);
      return false;
    }
    const unsupported = unsupportedExtensions(req, 'Proxy-Require');
    if (unsupported.length > 0) {
      this.refuseExtensions(conn, req, label, unsupported);
      return false;
    }
    if (!this.auth || !CHALLENGED.has(method) || info.to.tag !== undefined) return true;
    const authUser = this.authenticate(conn, req, label, this.auth);
    if (authUser === undefined) return false;
    const verdict = checkSenderIdentity(this.identity, method, info, authUser);
    if (!verdict.ok) {
      this.reject(conn, req, 403, `${label}: 403 ${verdict.reason} (${verdict.detail})`, {
        reason: verdict.reason,
      });
      return false;
    }
    return true;
  }

  /** 420 listing the option tags we do not implement (RFC 3261 §8.2.2.3). */
  private refuseExtensions(conn: Connection, req: SipRequest, label: string, tags: readonly string[]): void {
    const list = tags.join(', ');
    this.reject(conn, req, 420, `${label}: 420 (unsupported ${forLog(list, 80)})`, {
      headers: [['Unsupported', list]],
    });
  }

  /** As the UAS (registrar, presence server, OPTIONS to us): a Require we do not implement → 420. */
  private refusesRequired(conn: Connection, req: SipRequest, label: string): boolean {
    const unsupported = unsupportedExtensions(req, 'Require');
    if (unsupported.length > 0) this.refuseExtensions(conn, req, label, unsupported);
    return unsupported.length > 0;
  }

  private dispatch(conn: Connection, req: SipRequest, info: RequestInfo, label: string): void {
    const method = req.method;
    const toServer = this.identity.isServerUri(info.ruri);
    switch (method) {
      case 'REGISTER':
        if (!this.refusesRequired(conn, req, label)) this.register(conn, req, info);
        return;
      case 'PUBLISH':
        if (!this.refusesRequired(conn, req, label)) this.publish(conn, req, info);
        return;
      case 'SUBSCRIBE':
        if (this.subscribe(conn, req, info, label, toServer)) return;
        break;
      case 'OPTIONS':
        if (toServer) {
          if (this.refusesRequired(conn, req, label)) return;
          this.reject(conn, req, 200, `${label}: 200 (server)`, {
            headers: [
              ['Allow', ALLOW],
              ['Allow-Events', 'presence'],
              ['Accept', [SDP_CONTENT_TYPE, PIDF_CONTENT_TYPE, TEXT_PLAIN].join(', ')],
            ],
          });
          return;
        }
        break;
    }
    if (toServer) {
      if (method === 'INVITE') this.proxy.noteLocalFailure(info);
      if (info.to.tag !== undefined)
        this.reject(conn, req, 481, `${label}: 481 (no such dialog at the server)`);
      else
        this.reject(conn, req, 405, `${label}: 405 (addressed to the server)`, {
          headers: [['Allow', SERVER_ALLOW]],
        });
      return;
    }
    this.proxy.forward(conn, req, info, label);
  }

  /** The authenticated user, or undefined after answering 401/407/403. */
  private authenticate(
    conn: Connection,
    req: SipRequest,
    label: string,
    auth: DigestAuth,
  ): string | undefined {
    const isRegister = req.method === 'REGISTER';
    const outcome = auth.check(req, isRegister ? 'Authorization' : 'Proxy-Authorization');
    if (outcome.kind === 'ok') return outcome.user;
    if (outcome.kind === 'failed') {
      this.reject(
        conn,
        req,
        403,
        `${label}: 403 (${outcome.reason}${outcome.user === undefined ? '' : ` for ${forLog(outcome.user, 40)}`})`,
      );
      return undefined;
    }
    const stale = outcome.kind === 'stale';
    const status = isRegister ? 401 : 407;
    this.reject(conn, req, status, `${label}: ${status} (challenge${stale ? ', stale nonce' : ''})`, {
      headers: [[isRegister ? 'WWW-Authenticate' : 'Proxy-Authenticate', auth.challenge(stale)]],
    });
    return undefined;
  }

  private register(conn: Connection, req: SipRequest, info: RequestInfo): void {
    const toUri = info.to.uri;
    if (!toUri) {
      // RFC 3261 §10.3 step 3: the To of a REGISTER is the AOR, a SIP or SIPS URI (RFC 4475 §3.3.4).
      this.reject(conn, req, 400, `REGISTER ${this.partyLabel(info.to)} → 400 (To not a SIP URI)`, {
        reason: 'To header must be a SIP or SIPS URI',
      });
      return;
    }
    const aor = this.identity.aorOf(toUri);
    const label = `REGISTER ${aor ?? this.identity.label(toUri)}`;
    if (
      !this.identity.isLocal(info.ruri.host, info.ruri.port) ||
      (toUri.user !== undefined && aor === undefined)
    ) {
      this.reject(conn, req, 404, `${label} → 404 (domain not served)`, { reason: 'Domain Not Served' });
      return;
    }
    if (aor === undefined || toUri.user === undefined) {
      this.reject(conn, req, 400, `${label} → 400 (To without user)`, {
        reason: 'To header has no user part',
      });
      return;
    }
    const contacts = req.headers.getAll('Contact');
    const expiresHeader = req.headers.get('Expires');
    if (contacts.some((c) => c.trim() === '*')) {
      if (contacts.length !== 1 || expiresHeader?.trim() !== '0') {
        this.reject(conn, req, 400, `${label} → 400 (bad wildcard)`, { reason: 'Invalid wildcard Contact' });
        return;
      }
      this.registrar.removeAll(aor);
      this.reject(conn, req, 200, `${label} → 200 (all contacts removed)`);
      return;
    }
    const updates: ContactUpdate[] = [];
    for (const c of contacts) {
      const addr = parseNameAddr(c);
      if (!addr || !parseUri(addr.uri)) {
        this.reject(conn, req, 400, `${label} → 400 (malformed Contact)`, {
          reason: 'Malformed Contact header',
        });
        return;
      }
      updates.push({
        addr,
        expires: this.registrar.grantedExpires(getParam(addr.params, 'expires'), expiresHeader),
      });
    }
    const bindings = this.registrar.update(aor, conn.id, updates);
    conn.send(
      createResponse(req, 200, {
        headers: [
          ...bindings.map((b): [string, string] => ['Contact', this.registrar.contactHeader(b)]),
          ['Date', new Date().toUTCString()],
        ],
      }),
    );
    const n = `${bindings.length} contact${bindings.length === 1 ? '' : 's'}`;
    const added = updates.find((u) => u.expires > 0);
    const outcome =
      updates.length === 0
        ? `query, ${n}`
        : added
          ? `${n}, expires ${added.expires}`
          : `unregistered, ${n} left`;
    this.log.debug(`${label} → 200 (${outcome})`);
  }

  private publish(conn: Connection, req: SipRequest, info: RequestInfo): void {
    const uri = info.ruri.user === undefined ? info.to.uri : info.ruri;
    const aor = uri === undefined ? undefined : this.identity.aorOf(uri);
    const label = `PUBLISH ${uri?.user ?? this.partyLabel(info.to)}`;
    if (aor === undefined || uri?.user === undefined || (this.users && !this.users.has(uri.user))) {
      this.reject(conn, req, 404, `${label} → 404 (no such presentity)`);
      return;
    }
    this.presence.publish(conn, req, aor, label);
  }

  /** True when handled here; false means "proxy it" (another event package, or a peer's presence dialog). */
  private subscribe(
    conn: Connection,
    req: SipRequest,
    info: RequestInfo,
    label: string,
    toServer: boolean,
  ): boolean {
    const event = parseEvent(req.headers.get('Event'));
    if (event === undefined) {
      this.reject(conn, req, 489, `${label}: 489 (no Event header)`, {
        headers: [['Allow-Events', 'presence']],
      });
      return true;
    }
    if (event.pkg === 'presence') {
      if (info.to.tag !== undefined) {
        if (!this.presence.ownsDialog(info) && !toServer) return false;
        if (!this.refusesRequired(conn, req, label))
          this.presence.subscribe(conn, req, info, undefined, label);
        return true;
      }
      const aor = this.identity.aorOf(info.ruri);
      if (aor === undefined && !toServer) return false;
      const known =
        aor !== undefined &&
        (!this.users || (info.ruri.user !== undefined && this.users.has(info.ruri.user)));
      if (!this.refusesRequired(conn, req, label))
        this.presence.subscribe(conn, req, info, known ? aor : undefined, label);
      return true;
    }
    if (event.pkg.startsWith('presence.') || toServer) {
      this.reject(conn, req, 489, `${label}: 489 (event ${event.pkg} not supported)`, {
        headers: [['Allow-Events', 'presence']],
      });
      return true;
    }
    return false;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(new Error(`Lab SIP server cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startSipServer(options: SipServerOptions): Promise<SipServer> {
  const bindHost = options.host ?? '127.0.0.1';
  const domain = (options.domain ?? 'lab.local').toLowerCase();
  const maxBytes = options.maxMessageBytes ?? 65536;
  const tls = options.tls === true ? (options.certificate ?? (await generateCertificate())) : undefined;

  const plainHttp = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
    res.end('This is a SIP over WebSocket server (subprotocol "sip").\n');
  };
  const http: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, plainHttp)
    : createHttpServer(plainHttp);
  const wss = new WebSocketServer({
    server: http,
    // Room above the SIP limit so an oversized message still arrives and can be answered 413.
    maxPayload: Math.max(maxBytes * 4, 1 << 20),
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  wss.on('error', (err) => options.logger.error(`WebSocket server error: ${err.message}`));

  const port = await listen(http, options.port ?? 0, bindHost);
  const urlHost = tls ? 'localhost' : bindHost;
  const identity = new Identity({ host: urlHost, port, domain, tls: tls !== undefined, bindHost });
  const server = new LabSipServer(identity, maxBytes, options);
  wss.on('connection', (ws, req) => server.attach(ws, req));
  options.logger.info(
    `listening on ${tls ? 'wss' : 'ws'}://${urlHost}:${port} (domain ${domain}, auth ${options.users ? 'on' : 'off'})`,
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      server.shutdown();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      options.logger.info(`stopped (port ${port})`);
    })();
    return closing;
  };

  return {
    url: `${tls ? 'wss' : 'ws'}://${urlHost}:${port}`,
    port,
    domain,
    ...(tls ? { caPem: tls.cert } : {}),
    close,
  };
}
