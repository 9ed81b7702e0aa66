/**
 * A minimal SIP user agent over one raw WebSocket (RFC 7118) for the router
 * benchmarks: sends out-of-dialog requests and matches their final responses
 * by Via branch, answers incoming requests through a handler, and can
 * REGISTER its address of record. No JsSIP, no retransmissions (WebSocket is
 * reliable), no dialogs: just enough to stand in for many KWs and agents
 * without spending the benchmark's CPU on user agents.
 *
 * Messages are parsed and answered with the lab SIP server's own message
 * model (lab/sip-server/message.ts, responses.ts).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  parseMessage,
  serializeMessage,
  type SipRequest,
  type SipResponse,
} from '../../lab/sip-server/message.js';
import { createResponse } from '../../lab/sip-server/responses.js';

export interface RawReply {
  readonly status: number;
  readonly reason?: string;
}

/** Called for every incoming request (ACK excepted) with the time the frame arrived. */
export type RawRequestHandler = (request: SipRequest, receivedAt: number) => RawReply;

export interface RawRequestOptions {
  /** Default: the UA's address of record. */
  readonly from?: string;
  readonly fromDisplayName?: string;
  /** Default: the Request-URI. */
  readonly to?: string;
  readonly headers?: readonly string[];
  readonly contentType?: string;
  readonly body?: string;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const token = (bytes = 6): string => randomBytes(bytes).toString('hex');

interface Pending {
  resolve(response: SipResponse): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  what: string;
}

export class RawUa {
  /** The host part of our Via and Contact: never resolved, the server answers on the connection. */
  private readonly host = `${token(4)}.invalid`;
  private readonly pending = new Map<string, Pending>();
  private handler: RawRequestHandler = () => ({ status: 200 });
  private closed = false;
  private registerCallId: string | undefined;
  private registerCseq = 0;

  private constructor(
    private readonly ws: WebSocket,
    /** `sip:user@domain` */
    readonly aor: string,
  ) {
    ws.on('message', (data: Buffer) => this.receive(data, performance.now()));
    ws.on('close', () => this.fail(new Error(`connection of ${aor} closed`)));
    ws.on('error', () => undefined);
  }

  static async connect(url: string, aor: string): Promise<RawUa> {
    const ws = new WebSocket(url, 'sip');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawUa(ws, aor);
  }

  /** Replaces the handler of incoming requests (default: 200 to everything). */
  onRequest(handler: RawRequestHandler): void {
    this.handler = handler;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with its final response (any status); rejects on timeout or close. */
  request(method: string, ruri: string, options: RawRequestOptions = {}): Promise<SipResponse> {
    const callId = method === 'REGISTER' ? (this.registerCallId ??= `reg-${token(8)}`) : token(10);
    const cseq = method === 'REGISTER' ? ++this.registerCseq : 1;
    return this.send(method, ruri, callId, cseq, options);
  }

  /** REGISTER the address of record on this connection; rejects on anything but 2xx. */
  async register(expires = 600): Promise<void> {
    const domain = this.aor.slice(this.aor.indexOf('@') + 1);
    const user = this.aor.slice(4, this.aor.indexOf('@'));
    const response = await this.request('REGISTER', `sip:${domain}`, {
      to: this.aor,
      headers: [`Contact: <sip:${user}@${this.host};transport=ws>;expires=${expires}`, `Expires: ${expires}`],
    });
    if (response.status < 200 || response.status >= 300)
      throw new Error(`REGISTER ${this.aor}: ${response.status} ${response.reason}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error(`connection of ${this.aor} closed`));
    this.ws.terminate();
  }

  private send(
    method: string,
    ruri: string,
    callId: string,
    cseq: number,
    options: RawRequestOptions,
  ): Promise<SipResponse> {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN)
      return Promise.reject(new Error(`connection of ${this.aor} is not open`));
    const branch = `z9hG4bK${token(8)}`;
    const body = options.body ?? '';
    const from = options.from ?? this.aor;
    const display = options.fromDisplayName !== undefined ? `"${options.fromDisplayName}" ` : '';
    const lines = [
      `${method} ${ruri} SIP/2.0`,
      `Via: SIP/2.0/WS ${this.host};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: ${display}<${from}>;tag=${token(5)}`,
      `To: <${options.to ?? ruri}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      ...(options.headers ?? []),
      ...(options.contentType !== undefined ? [`Content-Type: ${options.contentType}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const what = `${method} ${ruri} from ${from}`;
    return new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(branch);
        reject(new Error(`${what}: no final response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(branch, { resolve, reject, timer, what });
      this.ws.send(lines.join('\r\n'));
    });
  }

  private receive(data: Buffer, at: number): void {
    if (data.length <= 4 && data.toString('latin1').trim() === '') return; // keep-alive
    const { message } = parseMessage(data);
    if (message === undefined) return;
    if (message.kind === 'response') {
      if (message.status < 200) return;
      const branch = /branch=([^;,\s]+)/i.exec(message.headers.get('Via') ?? '')?.[1];
      const p = branch === undefined ? undefined : this.pending.get(branch);
      if (!p || branch === undefined) return;
      this.pending.delete(branch);
      clearTimeout(p.timer);
      p.resolve(message);
      return;
    }
    if (message.method === 'ACK') return;
    let reply: RawReply;
    try {
      reply = this.handler(message, at);
    } catch {
      reply = { status: 500, reason: 'Handler Failed' };
    }
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(
      serializeMessage(createResponse(message, reply.status, reply.reason ? { reason: reply.reason } : {})),
    );
  }

  private fail(error: Error): void {
    for (const [branch, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(branch);
      p.reject(new Error(`${p.what}: ${error.message}`));
    }
  }
}
