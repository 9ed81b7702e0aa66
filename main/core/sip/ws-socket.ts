/**
 * JsSIP socket on the `ws` package (Node's WebSocket takes no TLS options and
 * never retries a refused connection). One socket object covers the ordered
 * list of servers: connect() walks the list, then waits with bounded backoff
 * and walks it again, so JsSIP sees a single transport that is "connecting"
 * until some server answers. A ping keep-alive detects dead connections,
 * which JsSIP (no keep-alive of its own) would otherwise never notice.
 * Each attempt asks the host's proxy resolver first: through a proxy it opens
 * an HTTP CONNECT tunnel (proxy-tunnel.ts) and hands that socket to `ws`.
 * A lost connection is reconnected by the socket itself when the backoff grants
 * a fast window (fast-reconnect.ts): JsSIP's Transport only reconnects after
 * its 1 s floor, but it takes `onconnect` from its socket whenever it comes.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { resolveRoute, type ProxyResolver } from './proxy-route.js';
import { openTunnel } from './proxy-tunnel.js';
import { CertificateError, connectionFailure } from './tls-failure.js';
import type { Logger } from '../log.js';
import { TypedEmitter } from '../events.js';
import { decodeUtf8 } from '../../../wire/utf8.js';

export interface TlsOptions {
  /**
   * The CA certificates (PEM) trusted for the servers. Given, they replace
   * Node's bundled list (that is how Node's `ca` works): the app passes the
   * bundled list, the OS store and the extra CAs together (main/electron/ca-list.ts).
   */
  readonly ca?: string | readonly string[];
  /** Default true; turning it off is for lab use only and is logged as a warning. */
  readonly rejectUnauthorized?: boolean;
}

export interface KeepAliveOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export interface WsSocketOptions {
  readonly urls: readonly string[];
  readonly tls?: TlsOptions;
  /** The host's proxy settings; without one (or when it answers DIRECT) connections go direct. */
  readonly resolveProxy?: ProxyResolver;
  readonly keepAlive?: KeepAliveOptions;
  readonly connectTimeoutMs?: number;
  /** The waits between rounds and after a loss (registration-retry.ts). */
  readonly backoff: SocketBackoff;
  readonly logger: Logger;
}

export interface SocketBackoff {
  /** The wait before the next round; `certificate`: the round ended on a refused certificate. */
  next(certificate: boolean): number;
  /** Connected. */
  reset(): void;
  /** The connection dropped: true to reconnect at once rather than at JsSIP's next recovery. */
  lost?(): boolean;
  /** True while the waits are those of a fast reconnect after a loss. */
  readonly recovering?: boolean;
}

export type SocketEvent =
  | { kind: 'connecting'; url: string; round: number }
  /** `certificate`: the server's certificate was refused (untrusted, wrong name, expired). */
  | { kind: 'connect-failed'; url: string; reason: string; certificate: boolean }
  | { kind: 'connected'; url: string }
  /**
   * `reason` and `certificate` are those of the round's last failure;
   * `recovering`: the wait is one of the short ones right after a loss.
   */
  | { kind: 'waiting'; delayMs: number; reason: string; certificate: boolean; recovering: boolean }
  /** `reconnecting`: the socket tries again at once (fast window), not at JsSIP's next recovery. */
  | { kind: 'closed'; url: string; reason: string; error: boolean; reconnecting: boolean };

interface SocketEvents extends Record<string, unknown> {
  event: SocketEvent;
}

const DEFAULT_KEEPALIVE: KeepAliveOptions = { intervalMs: 20_000, timeoutMs: 10_000 };

export function validateServerUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${url}`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `not a ws:// or wss:// URL: ${url}`;
  return undefined;
}

export class WsFailoverSocket extends TypedEmitter<SocketEvents> {
  // JsSIP's Socket interface (duck-typed by JsSIP.Socket.isSocket).
  onconnect: () => void = () => undefined;
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => undefined;
  ondata: (data: string) => void = () => undefined;

  private ws: WebSocket | undefined;
  private currentUrl: string;
  private run = 0; // bumps on disconnect(): stale async attempts see it and stop
  private connecting = false;
  private waitTimer: NodeJS.Timeout | undefined;
  private wakeWait: (() => void) | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private readonly keepAlive: KeepAliveOptions;
  private invalidUtf8 = false;

  constructor(private readonly options: WsSocketOptions) {
    super();
    const first = options.urls[0];
    if (first === undefined) throw new RangeError('at least one server URL is needed');
    for (const url of options.urls) {
      const problem = validateServerUrl(url);
      if (problem) throw new RangeError(problem);
    }
    this.currentUrl = first;
    this.keepAlive = options.keepAlive ?? DEFAULT_KEEPALIVE;
    if (options.tls?.rejectUnauthorized === false) {
      options.logger.warn('TLS certificate verification is OFF for the SIP servers (lab setting)');
    }
  }

  get via_transport(): string {
    return this.currentUrl.startsWith('wss:') ? 'WSS' : 'WS';
  }

  get url(): string {
    return this.currentUrl;
  }

  get sip_uri(): string {
    const u = new URL(this.currentUrl);
    return `sip:${u.hostname}${u.port ? `:${u.port}` : ''};transport=ws`;
  }

  /** True while JsSIP handles a frame whose bytes were not valid UTF-8 (see `deliver`). */
  get frameIsInvalidUtf8(): boolean {
    return this.invalidUtf8;
  }

  isConnected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  isConnecting(): boolean {
    return this.connecting;
  }

  connect(): void {
    if (this.connecting || this.isConnected()) return;
    this.connecting = true;
    void this.connectLoop(this.run);
  }

  disconnect(): void {
    this.run += 1;
    this.connecting = false;
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.wakeWait?.();
    this.stopKeepAlive();
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.close(1000, 'bye');
    }
  }

  /** Ends a wait between rounds so the next round starts now; false when not waiting. */
  retryNow(): boolean {
    const wake = this.wakeWait;
    if (!wake) return false;
    this.wakeWait = undefined;
    if (this.waitTimer) clearTimeout(this.waitTimer);
    wake();
    return true;
  }

  send(message: string): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(message);
    return true;
  }

  private async connectLoop(run: number): Promise<void> {
    for (let round = 0; ; round += 1) {
      let lastReason = 'no server reachable';
      let certificate = false;
      for (const url of this.options.urls) {
        if (run !== this.run) return;
        this.currentUrl = url;
        this.emit('event', { kind: 'connecting', url, round });
        try {
          const ws = await this.open(url);
          if (run !== this.run) {
            ws.terminate();
            return;
          }
          this.adopt(ws, url);
          return;
        } catch (error) {
          lastReason = error instanceof Error ? error.message : String(error);
          certificate = error instanceof CertificateError;
          // Ten a second while reconnecting after a loss: the loss itself was logged.
          const fields = { url, reason: lastReason, certificate };
          if (this.options.backoff.recovering)
            this.options.logger.debug('SIP server connection failed', fields);
          else this.options.logger.info('SIP server connection failed', fields);
          this.emit('event', { kind: 'connect-failed', url, reason: lastReason, certificate });
        }
      }
      if (run !== this.run) return;
      const delayMs = this.options.backoff.next(certificate);
      const recovering = !certificate && (this.options.backoff.recovering ?? false);
      this.emit('event', { kind: 'waiting', delayMs, reason: lastReason, certificate, recovering });
      await new Promise<void>((resolve) => {
        this.wakeWait = resolve;
        this.waitTimer = setTimeout(resolve, delayMs);
      });
      this.wakeWait = undefined;
    }
  }

  private async open(url: string): Promise<WebSocket> {
    const tls = this.options.tls;
    const ca = tls?.ca === undefined ? undefined : typeof tls.ca === 'string' ? [tls.ca] : [...tls.ca];
    const rejectUnauthorized = tls?.rejectUnauthorized ?? true;
    let tunnel: Socket | undefined;
    try {
      tunnel = await this.tunnelFor(url, { ...(ca ? { ca } : {}), rejectUnauthorized });
    } catch (error) {
      throw connectionFailure(error);
    }
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'sip', {
        ...(ca ? { ca } : {}),
        rejectUnauthorized,
        // Through a proxy, ws speaks HTTP over the tunnel we opened (TLS already done).
        ...(tunnel ? { createConnection: () => tunnel } : {}),
        handshakeTimeout: this.options.connectTimeoutMs ?? 5000,
        perMessageDeflate: false,
        // ws would close the whole connection (1007) for one text frame that is not
        // UTF-8, e.g. a message a server relayed from a broken client: we judge it
        // per message instead (`deliver`).
        skipUTF8Validation: true,
      });
      const fail = (reason: string | Error): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(typeof reason === 'string' ? new Error(reason) : connectionFailure(reason));
      };
      ws.once('open', () => {
        ws.removeAllListeners();
        if (ws.protocol !== 'sip') {
          fail(`server did not accept the "sip" WebSocket subprotocol`);
          return;
        }
        resolve(ws);
      });
      ws.once('unexpected-response', (_req, res) => fail(`HTTP ${res.statusCode} on WebSocket upgrade`));
      ws.once('error', (error) => fail(error));
      ws.once('close', (code) => fail(`closed during handshake (code ${code})`));
    });
  }

  /** The tunnel through the proxy the resolver names for `url`, or undefined for DIRECT. */
  private async tunnelFor(
    url: string,
    tls: { ca?: readonly string[]; rejectUnauthorized: boolean },
  ): Promise<Socket | undefined> {
    const route = await resolveRoute(this.options.resolveProxy, url);
    if (route.kind === 'direct') return undefined;
    this.options.logger.info('connecting through proxy', { url, proxy: `${route.host}:${route.port}` });
    const target = { proxyHost: route.host, proxyPort: route.port, url };
    return openTunnel({ ...target, timeoutMs: this.options.connectTimeoutMs ?? 5000 }, tls);
  }

  private adopt(ws: WebSocket, url: string): void {
    this.ws = ws;
    this.connecting = false;
    this.options.backoff.reset();
    ws.on('message', (data: WebSocket.RawData) => this.deliver(data));
    ws.on('pong', () => {
      if (this.pongTimer) clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    });
    ws.on('error', (error) => {
      this.options.logger.warn('SIP WebSocket error', { url, reason: error.message });
    });
    ws.on('close', (code, reasonBuf) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.stopKeepAlive();
      const reason = reasonBuf.toString() || closeReason(code);
      const reconnecting = this.options.backoff.lost?.() ?? false;
      const run = this.run;
      this.emit('event', { kind: 'closed', url, reason, error: code !== 1000, reconnecting });
      this.ondisconnect(code !== 1000, code, reason);
      // JsSIP's recovery timer, when it fires, finds us connecting (connect() is then a
      // no-op) or connected (its Transport took our onconnect and cleared the timer).
      // Not if a listener of the loss disconnected us meanwhile (a stop).
      if (reconnecting && run === this.run) this.connect();
    });
    this.startKeepAlive(ws);
    this.emit('event', { kind: 'connected', url });
    this.onconnect();
  }

  /**
   * Hands a frame to JsSIP as text. JsSIP parses and dispatches it synchronously,
   * so `frameIsInvalidUtf8` is true exactly while a frame whose bytes were not
   * UTF-8 is being handled: the agent reads it for the request in hand.
   */
  private deliver(data: WebSocket.RawData): void {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    const { text, valid } = decodeUtf8(bytes);
    this.invalidUtf8 = !valid;
    try {
      this.ondata(text);
    } finally {
      this.invalidUtf8 = false;
    }
  }

  private startKeepAlive(ws: WebSocket): void {
    this.pingTimer = setInterval(() => {
      if (this.pongTimer) return; // a ping is already outstanding
      this.pongTimer = setTimeout(() => {
        this.options.logger.warn('SIP server stopped answering keep-alive pings: dropping the connection', {
          url: this.currentUrl,
        });
        // terminate() fires 'close' with 1006, which reports the loss to JsSIP.
        ws.terminate();
      }, this.keepAlive.timeoutMs);
      ws.ping();
    }, this.keepAlive.intervalMs);
  }

  private stopKeepAlive(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pingTimer = undefined;
    this.pongTimer = undefined;
  }
}

function closeReason(code: number): string {
  switch (code) {
    case 1000:
      return 'closed normally';
    case 1001:
      return 'server going away';
    case 1006:
      return 'connection lost';
    default:
      return `closed with code ${code}`;
  }
}
