/**
 * The SIP user agent of the core: one JsSIP UA over the failover WebSocket,
 * registration kept alive (JsSIP's own re-registration after a reconnect, plus
 * ours after `registrationFailed`, which JsSIP never retries), MESSAGE in and
 * out, PUBLISH through `Publisher`, presence subscriptions through
 * `PresenceWatch`, and a decision hook for incoming INVITEs.
 */
import { JsSIP } from './jssip.js';
import type { IncomingRequest } from 'jssip/lib/SIPMessage';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type {
  UA,
  IncomingMessageEvent,
  IncomingMessageListener,
  IncomingRTCSessionEvent,
  IncomingRTCSessionListener,
  OutgoingMessageEvent,
  OutgoingRTCSessionEvent,
  CallOptions as JsSipCallOptions,
} from 'jssip/lib/UA';
import type { Logger } from '../log.js';
import { TypedEmitter, type Unsubscribe } from '../events.js';
import { Backoff } from './backoff.js';
import { WsFailoverSocket, type KeepAliveOptions, type SocketEvent, type TlsOptions } from './ws-socket.js';
import type { ProxyResolver } from './proxy-route.js';
import type { ConnectionProblem, ConnectionState } from './connection-state.js';
import { ConnectionRetryPolicy, REFUSED_RETRY, RegistrationRetryPolicy } from './registration-retry.js';
import { FAST_RECONNECT, FastReconnectWindow, type FastReconnectOptions } from './fast-reconnect.js';
import { Publisher } from './publisher.js';
import { PresenceWatch } from './presence-watch.js';
import {
  SipRequestError,
  TIMEOUT,
  TRANSPORT_ERROR,
  finalResponse,
  sendRequest,
  type FinalResponse,
} from './request.js';
import { ensureMediaScope } from './media-scope.js';
import { toAor } from '../../../wire/sip/uri.js';
import { sanitizeReasonPhrase } from '../../../wire/sip/headers.js';
import { TEXT_PLAIN, TEXT_PLAIN_UTF8 } from '../../../wire/content-types.js';

export interface SipAccount {
  /** The KW's address of record, e.g. `sip:kw1@lab.local`. */
  readonly uri: string;
  readonly displayName?: string;
  /** Digest user name when it differs from the URI's user part. */
  readonly authUser?: string;
  /** Comes from the secret store; never logged. */
  readonly password?: string;
  /** WebSocket servers in failover order. */
  readonly servers: readonly string[];
  readonly registerExpires?: number;
  readonly tls?: TlsOptions;
  /** How this PC reaches the servers (the host's proxy settings): not a setting of the account. */
  readonly resolveProxy?: ProxyResolver;
}

export interface SipAgentOptions {
  readonly account: SipAccount;
  readonly logger: Logger;
  readonly keepAlive?: KeepAliveOptions;
  /** Bounds of every retry delay: reconnect, re-register, re-publish, re-subscribe. */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
  /**
   * Bounds of the delay after a REGISTER refused for the credentials or the
   * address (only the person can fix those), and between connection rounds
   * that ended on a refused server certificate; default 5 to 30 minutes.
   */
  readonly refusedRetry?: { readonly initialMs: number; readonly maxMs: number };
  /** The short waits right after a lost connection (fast-reconnect.ts); default FAST_RECONNECT. */
  readonly fastReconnect?: FastReconnectOptions;
  readonly connectTimeoutMs?: number;
  readonly userAgent?: string;
}

export interface Party {
  readonly uri: string;
  readonly displayName: string | undefined;
}

export interface IncomingSipMessage {
  readonly from: Party;
  readonly to: string;
  readonly contentType: string;
  readonly body: string;
  /** First value of a header, case-insensitive name. */
  header(name: string): string | undefined;
  /** The message as received, for reading header names with their case. */
  readonly raw: string;
  /** Its bytes were not valid UTF-8: `body` has U+FFFD where they were, and must not be taken as sent. */
  readonly invalidUtf8?: boolean;
}

export interface SipReply {
  /** Any 2xx goes on the wire as 200 OK (JsSIP's Message.accept): answer 200 so logs say what was sent. */
  readonly status: number;
  readonly reason?: string;
  readonly headers?: readonly string[];
}

/**
 * Answers synchronously, or with a promise (the router asks its shared store
 * first): the final response then goes out when the promise settles, a
 * rejection as 500. See `deferReply` for how JsSIP is kept from answering 200.
 */
export type MessageHandler = (message: IncomingSipMessage) => SipReply | Promise<SipReply>;

export interface IncomingInvite {
  readonly from: Party;
  readonly to: string;
  header(name: string): string | undefined;
  readonly raw: string;
}

export type InviteDecision =
  | { readonly kind: 'redirect'; readonly contacts: readonly string[] }
  | { readonly kind: 'reject'; readonly status: number; readonly reason?: string }
  /** The handler keeps the session: it rings, and the handler answers or terminates it. */
  | { readonly kind: 'take' };

export type InviteHandler = (invite: IncomingInvite, session: RTCSession) => InviteDecision | undefined;

/** What JsSIP needs to place a call from main: the bridge's stand-in for the host's stream. */
export interface CallOptions {
  /** A stand-in stream whose tracks are the media host's real ones (the bridge makes it). */
  readonly mediaStream: unknown;
  readonly headers?: readonly string[];
  readonly iceServers?: readonly { urls: string | string[] }[];
  /** Extra pcConfig fields, e.g. the media bridge's marker (`MediaBridge.pcConfig()`). */
  readonly pcConfig?: Readonly<Record<string, unknown>>;
}

export interface SendOptions {
  readonly contentType?: string;
  readonly headers?: readonly string[];
}

export interface SentResult {
  readonly status: number;
  readonly reason: string;
}

interface AgentEvents extends Record<string, unknown> {
  state: ConnectionState;
  /** The transport came back after a loss: state held by servers may be gone. */
  reconnected: undefined;
}

// JsSIP's floor: it reconnects after a loss the fast window does not cover (a connection
// that lasted under a second); our socket does the real backoff, and the fast reconnects.
const JSSIP_RECOVERY_SECONDS = 1;

export class SipAgent extends TypedEmitter<AgentEvents> {
  private ua: UA | undefined;
  private socket: WsFailoverSocket | undefined;
  private current: ConnectionState = { phase: 'stopped' };
  private messageHandler: MessageHandler | undefined;
  private inviteHandler: InviteHandler | undefined;
  private reRegisterTimer: NodeJS.Timeout | undefined;
  private readonly registerRetry: RegistrationRetryPolicy;
  /** Why the last attempt failed, until registered: the states in between carry it. */
  private lastProblem: ConnectionProblem | undefined;
  private readonly publishers = new Set<Publisher>();
  private readonly watches = new Set<PresenceWatch>();
  private everConnected = false;
  private watchesStale = false;
  private readonly log: Logger;
  private readonly addressOfRecord: string;

  constructor(private readonly options: SipAgentOptions) {
    super();
    this.log = options.logger;
    const aor = toAor(options.account.uri);
    if (!aor) throw new RangeError(`not a SIP address: ${options.account.uri}`);
    this.addressOfRecord = aor;
    this.registerRetry = new RegistrationRetryPolicy({
      transient: this.newBackoff(),
      refused: this.refusedBackoff(),
    });
  }

  get state(): ConnectionState {
    return this.current;
  }

  get aor(): string {
    return this.addressOfRecord;
  }

  get isRegistered(): boolean {
    return this.current.phase === 'registered';
  }

  onMessage(handler: MessageHandler): Unsubscribe {
    this.messageHandler = handler;
    return () => {
      if (this.messageHandler === handler) this.messageHandler = undefined;
    };
  }

  onInvite(handler: InviteHandler): Unsubscribe {
    this.inviteHandler = handler;
    return () => {
      if (this.inviteHandler === handler) this.inviteHandler = undefined;
    };
  }

  /** Connects and registers; resolves once the UA is started (not registered: watch `state`). */
  start(): void {
    if (this.ua) return;
    ensureMediaScope();
    const { account } = this.options;
    const socket = new WsFailoverSocket({
      urls: account.servers,
      ...(account.tls ? { tls: account.tls } : {}),
      ...(account.resolveProxy ? { resolveProxy: account.resolveProxy } : {}),
      ...(this.options.keepAlive ? { keepAlive: this.options.keepAlive } : {}),
      ...(this.options.connectTimeoutMs ? { connectTimeoutMs: this.options.connectTimeoutMs } : {}),
      // A refused certificate waits minutes between rounds, like a refused password.
      backoff: new ConnectionRetryPolicy({
        transient: this.newBackoff(),
        refused: this.refusedBackoff(),
        fast: new FastReconnectWindow(this.options.fastReconnect ?? FAST_RECONNECT),
      }),
      logger: this.log.child('ws'),
    });
    socket.on('event', (e) => this.onSocketEvent(e));
    const ua = new JsSIP.UA({
      sockets: [socket as unknown as InstanceType<typeof JsSIP.Socket>],
      uri: account.uri,
      ...(account.displayName ? { display_name: account.displayName } : {}),
      ...(account.authUser ? { authorization_user: account.authUser } : {}),
      ...(account.password !== undefined ? { password: account.password } : {}),
      register: true,
      register_expires: account.registerExpires ?? 600,
      connection_recovery_min_interval: JSSIP_RECOVERY_SECONDS,
      connection_recovery_max_interval: JSSIP_RECOVERY_SECONDS,
      user_agent: this.options.userAgent ?? 'KW-Desktop',
      session_timers: false,
    });
    this.ua = ua;
    this.socket = socket;
    this.wireUa(ua);
    this.log.info('starting SIP agent', { uri: account.uri, servers: account.servers });
    this.lastProblem = undefined;
    this.setState({ phase: 'connecting', server: socket.url });
    ua.start();
  }

  /** Withdraws publications, ends subscriptions, unregisters and disconnects. */
  async stop(timeoutMs = 3000): Promise<void> {
    const ua = this.ua;
    if (!ua) return;
    this.setState({ phase: 'stopping' });
    this.cancelReRegister();
    for (const watch of this.watches) watch.stop();
    this.watches.clear();
    const withdrawals = [...this.publishers].map((p) =>
      ua.isConnected() ? p.unpublish() : Promise.resolve(p.dispose()),
    );
    // Publishers stay attached: after a new start() they publish what they are given next.
    await withTimeout(Promise.allSettled(withdrawals), timeoutMs);
    if (ua.isRegistered()) {
      const unregistered = new Promise<void>((resolve) => {
        ua.once('unregistered', () => resolve());
        ua.once('registrationFailed', () => resolve());
      });
      ua.unregister();
      await withTimeout(unregistered, timeoutMs);
    }
    const disconnected = new Promise<void>((resolve) => ua.once('disconnected', () => resolve()));
    ua.stop();
    await withTimeout(disconnected, timeoutMs);
    this.socket?.disconnect();
    this.ua = undefined;
    this.socket = undefined;
    this.everConnected = false;
    this.watchesStale = false;
    this.lastProblem = undefined;
    this.setState({ phase: 'stopped' });
    this.log.info('SIP agent stopped');
  }

  /**
   * The person asked to try again now ("Retry now"): ends the wait before the
   * next REGISTER or the next connection round. False when nothing waits
   * (registered, stopped, or an attempt already under way).
   */
  retryNow(): boolean {
    const ua = this.ua;
    if (!ua || this.current.phase !== 'retrying') return false;
    if (this.reRegisterTimer && ua.isConnected()) {
      this.log.info('retry now: registering again');
      this.cancelReRegister();
      this.registerAgain(ua);
      return true;
    }
    const woken = this.socket?.retryNow() ?? false;
    if (woken) this.log.info('retry now: connecting again');
    return woken;
  }

  /** Sends a MESSAGE; resolves on 2xx, rejects with SipRequestError otherwise. */
  sendMessage(target: string, body: string, options: SendOptions = {}): Promise<SentResult> {
    const ua = this.requireUa();
    return new Promise((resolve, reject) => {
      ua.sendMessage(target, body, {
        contentType: options.contentType ?? TEXT_PLAIN_UTF8,
        extraHeaders: [...(options.headers ?? [])],
        eventHandlers: {
          succeeded: (e) => {
            const response = e.response as { status_code: number; reason_phrase: string } | null;
            resolve({ status: response?.status_code ?? 200, reason: response?.reason_phrase ?? 'OK' });
          },
          failed: (e) => {
            const status =
              e.response?.status_code ?? (e.cause === 'Request Timeout' ? TIMEOUT : TRANSPORT_ERROR);
            reject(
              new SipRequestError(
                status,
                e.response?.reason_phrase ?? String(e.cause ?? 'failed'),
                e.response ? finalResponse(e.response) : undefined,
              ),
            );
          },
        },
      });
    });
  }

  /** Places a call (JsSIP RTCSession over the media bridge); audio only. */
  call(target: string, options: CallOptions): RTCSession {
    const ua = this.requireUa();
    return ua.call(target, {
      mediaStream: options.mediaStream as NonNullable<JsSipCallOptions['mediaStream']>,
      mediaConstraints: { audio: true, video: false },
      extraHeaders: [...(options.headers ?? [])],
      pcConfig: { ...options.pcConfig, iceServers: [...(options.iceServers ?? [])] },
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
    });
  }

  /**
   * Sends any out-of-dialog request and resolves with its final response
   * (OPTIONS probes; signalling tests of INVITE routing before media exists).
   */
  request(
    method: string,
    target: string,
    options: SendOptions & { body?: string } = {},
  ): Promise<FinalResponse> {
    const ua = this.requireUa();
    const headers = [...(options.headers ?? [])];
    // Dialog-creating requests need our Contact (servers alias WebSocket flows from it).
    if (method === 'INVITE' || method === 'SUBSCRIBE') headers.push(`Contact: ${ua.contact.toString()}`);
    if (options.body !== undefined) headers.push(`Content-Type: ${options.contentType ?? TEXT_PLAIN}`);
    return sendRequest(ua, method, target, headers, options.body);
  }

  /**
   * A publisher for this account's presence; it may be made before start() and
   * publishes once registered. Withdrawn automatically on stop().
   */
  createPublisher(options: { expires?: number; event?: string; contentType?: string } = {}): Publisher {
    const publisher = new Publisher(() => this.ua, {
      target: this.aor,
      ...options,
      logger: this.log.child('publish'),
      retry: this.newBackoff(),
    });
    this.publishers.add(publisher);
    return publisher;
  }

  /** Watches the presence of `target` (from registration on); ended automatically on stop(). */
  watchPresence(target: string, options: { expires?: number } = {}): PresenceWatch {
    const watch = new PresenceWatch(() => this.ua, {
      target,
      ...options,
      logger: this.log.child('watch'),
      retry: this.newBackoff(),
    });
    this.watches.add(watch);
    if (this.ua?.isRegistered()) watch.start();
    return watch;
  }

  unwatch(watch: PresenceWatch): void {
    watch.stop();
    this.watches.delete(watch);
  }

  private wireUa(ua: UA): void {
    ua.on('connected', () => {
      this.setState(this.attempt('registering'));
      if (this.everConnected) {
        // The server may have lost our subscriptions with the connection (a restarted
        // Kamailio has): subscribe afresh once registered, not on a dead dialog.
        this.watchesStale = true;
        this.emit('reconnected', undefined);
      }
      this.everConnected = true;
    });
    ua.on('disconnected', () => {
      // The socket's own events carry the reason and the retry time.
    });
    ua.on('registered', () => {
      this.registerRetry.reset();
      this.lastProblem = undefined;
      this.setState({ phase: 'registered', server: this.socket?.url ?? '', since: Date.now() });
      const stale = this.watchesStale;
      this.watchesStale = false;
      for (const watch of this.watches) {
        if (stale) watch.restart();
        else watch.start();
      }
      for (const publisher of this.publishers) void publisher.republish();
    });
    ua.on('unregistered', () => {
      if (this.current.phase === 'registered')
        this.setState({ phase: 'registering', server: this.socket?.url ?? '' });
    });
    ua.on('registrationFailed', (e) => {
      const status = e.response?.status_code;
      // A lost connection is retried by the transport, which re-registers by itself.
      if (e.cause === 'Connection Error' || !ua.isConnected() || this.current.phase === 'stopping') return;
      const { delayMs, problem } = this.registerRetry.decide(status, e.cause);
      this.log.warn('registration failed: retrying', { status, cause: e.cause, retryInMs: delayMs });
      this.fail(problem, delayMs, problem.detail);
      this.cancelReRegister();
      this.reRegisterTimer = setTimeout(() => {
        this.reRegisterTimer = undefined;
        if (this.ua === ua && ua.isConnected()) this.registerAgain(ua);
      }, delayMs);
    });
    ua.on('newMessage', ((e: IncomingMessageEvent | OutgoingMessageEvent) => {
      if (e.originator !== 'remote') return;
      this.receiveMessage(e.message, e.request);
    }) as IncomingMessageListener);
    ua.on('newRTCSession', ((e: IncomingRTCSessionEvent | OutgoingRTCSessionEvent) => {
      if (e.originator !== 'remote') return;
      this.receiveInvite(e.session, e.request);
    }) as IncomingRTCSessionListener);
  }

  private receiveMessage(
    message: { accept(o: object): void; reject(o: object): void },
    request: IncomingRequest,
  ): void {
    const incoming: IncomingSipMessage = {
      from: party(request),
      to: request.to.uri.toString(),
      contentType: request.hasHeader('Content-Type') ? request.getHeader('Content-Type') : '',
      body: request.body ?? '',
      header: (name) => (request.hasHeader(name) ? request.getHeader(name) : undefined),
      raw: rawOf(request),
      invalidUtf8: this.socket?.frameIsInvalidUtf8 ?? false,
    };
    let reply: SipReply | Promise<SipReply>;
    try {
      reply = this.answerMessage(incoming, request);
    } catch (error) {
      this.log.error('MESSAGE handler threw: answering 500', { error: String(error) });
      reply = { status: 500, reason: 'Internal Error' };
    }
    if (reply instanceof Promise) {
      const send = deferReply(message, request);
      reply
        .catch((error: unknown): SipReply => {
          this.log.error('MESSAGE handler failed: answering 500', { error: String(error) });
          return { status: 500, reason: 'Internal Error' };
        })
        .then(send)
        .catch((error: unknown) => this.log.warn('MESSAGE reply not sent', { error: String(error) }));
      return;
    }
    const extraHeaders = [...(reply.headers ?? [])];
    if (reply.status >= 200 && reply.status < 300) message.accept({ extraHeaders });
    else {
      message.reject({
        status_code: reply.status,
        ...(reply.reason ? { reason_phrase: sanitizeReasonPhrase(reply.reason) } : {}),
        extraHeaders,
      });
    }
  }

  private answerMessage(
    incoming: IncomingSipMessage,
    request: IncomingRequest,
  ): SipReply | Promise<SipReply> {
    // Nothing here keeps MESSAGE dialogs, and JsSIP hands a MESSAGE with a To-tag to its
    // listeners before any dialog lookup: one claiming a dialog is made up (servers do not
    // authenticate in-dialog requests, so its From is unchecked) and never reaches the app.
    if (request.to.hasParam('tag')) {
      this.log.warn('MESSAGE claiming a dialog refused', { from: incoming.from.uri });
      return { status: 481, reason: 'No Such Dialog' };
    }
    return this.messageHandler ? this.messageHandler(incoming) : { status: 480, reason: 'Not Ready' };
  }

  private receiveInvite(session: RTCSession, request: IncomingRequest): void {
    const invite: IncomingInvite = {
      from: party(request),
      to: request.to.uri.toString(),
      header: (name) => (request.hasHeader(name) ? request.getHeader(name) : undefined),
      raw: rawOf(request),
    };
    let decision: InviteDecision | undefined;
    try {
      decision = this.inviteHandler?.(invite, session);
    } catch (error) {
      this.log.error('INVITE handler threw', { error: String(error) });
      decision = { kind: 'reject', status: 500, reason: 'Internal Error' };
    }
    decision ??= { kind: 'reject', status: 480, reason: 'No Media Host' };
    if (decision.kind === 'take') {
      this.log.info('INVITE taken', { from: invite.from.uri });
    } else if (decision.kind === 'redirect') {
      const contacts = decision.contacts.map((c) => `Contact: <${c}>`);
      this.log.info('INVITE redirected', { from: invite.from.uri, to: decision.contacts });
      session.terminate({ status_code: 302, reason_phrase: 'Moved Temporarily', extraHeaders: contacts });
    } else {
      this.log.info('INVITE refused', { from: invite.from.uri, status: decision.status });
      session.terminate({
        status_code: decision.status,
        ...(decision.reason ? { reason_phrase: decision.reason } : {}),
      });
    }
  }

  private onSocketEvent(e: SocketEvent): void {
    if (this.current.phase === 'stopping' || this.current.phase === 'stopped') return;
    switch (e.kind) {
      case 'connecting':
        if (!this.isReconnecting(e.url)) this.setState(this.attempt('connecting', e.url));
        break;
      case 'waiting':
        if (e.recovering) this.stillReconnecting(e.reason);
        else this.fail({ kind: waitingProblem(e), detail: e.reason }, e.delayMs, e.reason);
        break;
      case 'closed': {
        this.log.warn('SIP connection lost', { url: e.url, reason: e.reason, reconnecting: e.reconnecting });
        const reason = `${e.reason} (${e.url})`;
        const delayMs = e.reconnecting ? 0 : JSSIP_RECOVERY_SECONDS * 1000;
        this.fail({ kind: 'lost', detail: reason }, delayMs, reason);
        break;
      }
      case 'connect-failed':
      case 'connected':
        break;
    }
  }

  /**
   * A wait of the fast window after a loss (a tenth of a second): the state stays
   * "connecting, connection lost" through the window instead of flickering between
   * retrying and connecting ten times a second; after it, the server is unreachable.
   */
  private stillReconnecting(detail: string): void {
    this.lastProblem = { kind: 'lost', detail };
    if (!this.isReconnecting(this.socket?.url ?? '')) this.setState(this.attempt('connecting'));
  }

  private isReconnecting(server: string): boolean {
    const s = this.current;
    return s.phase === 'connecting' && s.server === server && s.problem?.kind === 'lost';
  }

  /** Not reachable: `problem` until registered, the next attempt in `delayMs`. */
  private fail(problem: ConnectionProblem, delayMs: number, reason: string): void {
    this.lastProblem = problem;
    this.setState({ phase: 'retrying', retryAt: Date.now() + delayMs, reason, problem });
  }

  /** A connecting or registering state, carrying the last failure while there is one. */
  private attempt(phase: 'connecting' | 'registering', server = this.socket?.url ?? ''): ConnectionState {
    const problem = this.lastProblem;
    return problem ? { phase, server, problem } : { phase, server };
  }

  private registerAgain(ua: UA): void {
    this.setState(this.attempt('registering'));
    ua.register();
  }

  private cancelReRegister(): void {
    if (this.reRegisterTimer) clearTimeout(this.reRegisterTimer);
    this.reRegisterTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.emit('state', state);
  }

  private requireUa(): UA {
    if (!this.ua) throw new Error('the SIP agent is not started');
    return this.ua;
  }

  private refusedBackoff(): Backoff {
    const refused = this.options.refusedRetry ?? REFUSED_RETRY;
    return new Backoff({ initialMs: refused.initialMs, maxMs: refused.maxMs });
  }

  private newBackoff(): Backoff {
    const retry = this.options.retry ?? { initialMs: 1000, maxMs: 30_000 };
    return new Backoff({ initialMs: retry.initialMs, maxMs: retry.maxMs });
  }
}

/**
 * JsSIP answers a MESSAGE its listeners did not answer inside the `newMessage`
 * event twice over: Message.init_incoming sends 200 unless `_is_replied` is
 * set, and UA.receiveRequest then falls through to a 405 for any method it has
 * no dialog handling for (harmless when the transaction already has its final
 * response). To answer later through the same server transaction, the flag is
 * set and this request's `reply` is replaced by one that ignores JsSIP's own
 * calls until ours comes. Both are JsSIP internals (jssip 3.13, pinned in
 * package-lock); test/integration/sip-core.lab.test.ts ("a MESSAGE answered
 * later") fails if an upgrade changes them.
 */
function deferReply(message: object, request: IncomingRequest): (reply: SipReply) => void {
  (message as { _is_replied?: boolean })._is_replied = true;
  // IncomingRequest.reply exists in JsSIP but not in its type definitions.
  type Reply = (code: number, reason?: string, extraHeaders?: string[]) => void;
  const server = request as unknown as { reply: Reply };
  const original = server.reply.bind(request);
  server.reply = () => undefined;
  return (reply) => {
    server.reply = original;
    original(reply.status, reply.reason ? sanitizeReasonPhrase(reply.reason) : undefined, [
      ...(reply.headers ?? []),
    ]);
  };
}

function waitingProblem(e: { certificate: boolean }): 'certificate' | 'unreachable' {
  return e.certificate ? 'certificate' : 'unreachable';
}

function party(request: IncomingRequest): Party {
  return { uri: request.from.uri.toString(), displayName: request.from.display_name || undefined };
}

function rawOf(request: IncomingRequest): string {
  const data = (request as unknown as { data?: unknown }).data;
  return typeof data === 'string' ? data : request.toString();
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  if (timer) clearTimeout(timer);
}
