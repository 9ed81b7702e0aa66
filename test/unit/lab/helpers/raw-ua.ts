/**
 * A hand-driven SIP-over-WebSocket endpoint for testing the lab server: it
 * sends the text it is given and lets the test await what comes back. It
 * behaves like JsSIP where that matters (random `.invalid` host, one Via).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { digestResponse } from '../../../../lab/sip-server/auth.js';
import {
  encodeMessage,
  parseMessage,
  serializeMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../../lab/sip-server/message.js';
import { createResponse } from '../../../../lab/sip-server/responses.js';
import { parseAuthParams } from '../../../../lab/sip-server/syntax.js';

export const rand = (n = 6): string => randomBytes(n).toString('hex');

interface Waiter {
  pred: (m: SipMessage) => boolean;
  resolve: (m: SipMessage) => void;
}

export class RawWs {
  readonly inbox: SipMessage[] = [];
  readonly raw: string[] = [];
  /** every frame as received, with its WebSocket frame type */
  readonly frames: Array<{ readonly data: Buffer; readonly binary: boolean }> = [];
  private waiters: Waiter[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, binary: boolean) => {
      const text = data.toString('utf8');
      this.frames.push({ data, binary });
      this.raw.push(text);
      // Only well-formed messages are awaited (a keep-alive pong is not one); `raw` keeps everything.
      const parsed = parseMessage(data);
      const msg = parsed.error ? undefined : parsed.message;
      if (!msg) return;
      const w = this.waiters.find((x) => x.pred(msg));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(msg);
      } else {
        this.inbox.push(msg);
      }
    });
  }

  static connect(url: string, opts: { ca?: string; protocol?: string | null } = {}): Promise<RawWs> {
    const protocol = opts.protocol === undefined ? 'sip' : opts.protocol;
    const ws = new WebSocket(
      url,
      protocol === null ? [] : [protocol],
      opts.ca === undefined ? {} : { ca: opts.ca },
    );
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawWs(ws)));
      ws.once('error', reject);
    });
  }

  /** A string goes in a text frame, a Buffer in a binary one, a message as the server would send it. */
  send(msg: string | Buffer | SipMessage): void {
    if (typeof msg === 'string' || Buffer.isBuffer(msg)) this.ws.send(msg);
    else if (msg.bodyIsBinary === true) this.ws.send(encodeMessage(msg), { binary: true });
    else this.ws.send(serializeMessage(msg));
  }

  /** These bytes as one frame of the given type (a text frame must hold UTF-8). */
  sendFrame(data: Buffer, binary: boolean): void {
    this.ws.send(data, { binary });
  }

  /** The next message matching `pred` (already received or still to come). */
  next<T extends SipMessage>(pred: (m: SipMessage) => m is T, timeoutMs?: number): Promise<T>;
  next(pred?: (m: SipMessage) => boolean, timeoutMs?: number): Promise<SipMessage>;
  next(pred: (m: SipMessage) => boolean = () => true, timeoutMs = 2000): Promise<SipMessage> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as SipMessage);
    return new Promise<SipMessage>((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(
          new Error(
            `timeout waiting for a message (inbox: ${this.inbox.map(describe).join(' | ') || 'empty'})`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Resolves if nothing matching arrives within `ms`. */
  async nothing(pred: (m: SipMessage) => boolean, ms = 300): Promise<void> {
    try {
      const m = await this.next(pred, ms);
      throw new Error(`unexpected message: ${describe(m)}`);
    } catch (err) {
      if ((err as Error).message.startsWith('unexpected')) throw err;
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export function describe(m: SipMessage): string {
  return m.kind === 'request'
    ? `${m.method} ${m.uri}`
    : `${m.status} ${m.reason} (${m.headers.get('CSeq') ?? ''})`;
}

export const isResponse =
  (method: string, status?: number) =>
  (m: SipMessage): m is SipResponse =>
    m.kind === 'response' &&
    (m.headers.get('CSeq') ?? '').toUpperCase().endsWith(` ${method}`) &&
    (status === undefined ? m.status >= 200 : m.status === status);

export const isRequest =
  (method: string) =>
  (m: SipMessage): m is SipRequest =>
    m.kind === 'request' && m.method === method;

export interface SendOptions {
  uri?: string;
  to?: string;
  toTag?: string;
  callId?: string;
  cseq?: number;
  fromTag?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
  contentType?: string;
  contact?: boolean;
  branch?: string;
}

/** A user agent on a RawWs: enough of UAC/UAS behaviour to script scenarios. */
export class TestUa {
  readonly host = `${rand(4)}.invalid`;
  readonly contactUser = rand(4);
  private cseq = 1;

  constructor(
    readonly ws: RawWs,
    readonly user: string,
    readonly domain = 'lab.local',
    readonly password?: string,
  ) {}

  get aor(): string {
    return `sip:${this.user}@${this.domain}`;
  }

  get contactUri(): string {
    return `sip:${this.contactUser}@${this.host};transport=ws`;
  }

  /** Builds (does not send) a request as JsSIP would. */
  build(method: string, target: string, o: SendOptions = {}): SipRequest {
    const branch = o.branch ?? `z9hG4bK${rand()}`;
    const lines = [
      `${method} ${o.uri ?? target} SIP/2.0`,
      `Via: SIP/2.0/WSS ${this.host};branch=${branch}`,
      `To: <${o.to ?? target}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `From: <${this.aor}>;tag=${o.fromTag ?? rand(4)}`,
      `Call-ID: ${o.callId ?? rand(10)}`,
      `CSeq: ${o.cseq ?? this.cseq++} ${method}`,
    ];
    if (!(o.headers ?? []).some(([k]) => k.toLowerCase() === 'max-forwards')) lines.push('Max-Forwards: 69');
    if (o.contact !== false) lines.push(`Contact: <${this.contactUri}>`);
    for (const [k, v] of o.headers ?? []) lines.push(`${k}: ${v}`);
    if (o.contentType) lines.push(`Content-Type: ${o.contentType}`);
    const body = o.body ?? '';
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const msg = parseMessage(`${lines.join('\r\n')}\r\n\r\n${body}`).message;
    if (msg?.kind !== 'request') throw new Error('bad test request');
    return msg;
  }

  /** Sends and waits for the final response, answering one digest challenge if a password is set. */
  async request(method: string, target: string, o: SendOptions = {}): Promise<SipResponse> {
    const req = this.build(method, target, o);
    this.ws.send(req);
    const res = (await this.ws.next(isResponse(method))) as SipResponse;
    if ((res.status === 401 || res.status === 407) && this.password !== undefined) {
      const retry = this.withCredentials(req, res, this.password);
      this.ws.send(retry);
      return (await this.ws.next(isResponse(method))) as SipResponse;
    }
    return res;
  }

  withCredentials(req: SipRequest, challenge: SipResponse, password: string, user = this.user): SipRequest {
    const header = challenge.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const params = parseAuthParams(challenge.headers.get(header) ?? '')?.params;
    if (!params) throw new Error('no challenge');
    const realm = params.get('realm') ?? '';
    const nonce = params.get('nonce') ?? '';
    const cnonce = rand(4);
    const nc = '00000001';
    const response = digestResponse({
      user,
      realm,
      password,
      method: req.method,
      uri: req.uri,
      nonce,
      qop: 'auth',
      nc,
      cnonce,
    });
    const retry = parseMessage(serializeMessage(req)).message as SipRequest;
    const seq = Number(retry.headers.get('CSeq')?.split(' ')[0]) + 1;
    retry.headers.set('CSeq', `${seq} ${req.method}`);
    retry.headers.set('Via', `SIP/2.0/WSS ${this.host};branch=z9hG4bK${rand()}`);
    retry.headers.set(
      challenge.status === 401 ? 'Authorization' : 'Proxy-Authorization',
      `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${req.uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`,
    );
    return retry;
  }

  register(expires = 600): Promise<SipResponse> {
    return this.request('REGISTER', `sip:${this.domain}`, {
      to: this.aor,
      headers: [['Expires', String(expires)]],
    });
  }

  respond(
    req: SipRequest,
    status: number,
    o: { toTag?: string; headers?: ReadonlyArray<readonly [string, string]>; body?: string } = {},
  ): void {
    const headers: Array<readonly [string, string]> = [...(o.headers ?? [])];
    if (status >= 200 && status < 300 && req.method !== 'MESSAGE' && req.method !== 'NOTIFY') {
      headers.push(['Contact', `<${this.contactUri}>`]);
    }
    const res = createResponse(req, status, { toTag: o.toTag, headers, body: o.body });
    // Record-Route is echoed in responses to dialog-creating requests (RFC 3261 §12.1.1).
    for (const rr of req.headers.getAll('Record-Route')) res.headers.add('Record-Route', rr);
    this.ws.send(res);
  }
}
