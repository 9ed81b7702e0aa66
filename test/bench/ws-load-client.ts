/**
 * The leanest SIP user agent over one raw WebSocket (RFC 7118) for the
 * WebSocket load generator: REGISTER, out-of-dialog MESSAGEs matched to their
 * final response by Via branch, and a 200 to every incoming request. It reads
 * only what it needs (status, top Via branch; the headers a response copies)
 * so that the generator, not the server, is never the bottleneck; raw-ua.ts is
 * the full-parsing client of the router benches.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/** A final response, or why there was none. */
export type LoadOutcome = { readonly status: number } | { readonly failure: 'timeout' | 'closed' };

type Done = (outcome: LoadOutcome) => void;

const token = (bytes: number): string => randomBytes(bytes).toString('hex');

const BRANCH_RE = /^(?:Via|v)[ \t]*:[^\r\n]*?;[ \t]*branch=([^;,\s]+)/im;
/** Headers a response copies from its request (RFC 3261 8.2.6.2), full and compact names. */
const COPIED_RE = /^(?:via|v|from|f|to|t|call-id|i|cseq)[ \t]*:/i;
const TO_RE = /^(?:to|t)[ \t]*:/i;

/** The top Via branch of a message's head, or undefined. */
export function topBranch(text: string): string | undefined {
  return BRANCH_RE.exec(text)?.[1];
}

/** A 200 OK to a request (its head text): Via, From, To (+ tag), Call-ID and CSeq copied. */
export function okResponse(request: string, toTag: string): string {
  const end = request.indexOf('\r\n\r\n');
  const lines = (end < 0 ? request : request.slice(0, end)).split('\r\n').slice(1);
  const copied = lines
    .filter((l) => COPIED_RE.test(l))
    .map((l) => (TO_RE.test(l) && !/;\s*tag=/i.test(l) ? `${l};tag=${toTag}` : l));
  return `SIP/2.0 200 OK\r\n${copied.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

export class LoadClient {
  private readonly host = `${token(4)}.invalid`;
  private readonly tag = token(4);
  private readonly pending = new Map<string, { done: Done; timer: NodeJS.Timeout }>();
  private seq = 0;
  /** Incoming requests answered (MESSAGEs from the peer). */
  answered = 0;

  private constructor(
    private readonly ws: WebSocket,
    readonly user: string,
    readonly domain: string,
  ) {
    ws.on('message', (data: Buffer) => this.receive(data.toString('latin1')));
    ws.on('close', () => this.failAll());
    ws.on('error', () => undefined);
  }

  static async connect(url: string, user: string, domain: string): Promise<LoadClient> {
    const ws = new WebSocket(url, 'sip', { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new LoadClient(ws, user, domain);
  }

  get aor(): string {
    return `sip:${this.user}@${this.domain}`;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** REGISTER this connection as the AOR's contact; resolves with the final status. */
  register(timeoutMs: number): Promise<LoadOutcome> {
    const contact = `Contact: <sip:${this.user}@${this.host};transport=ws>;expires=600\r\nExpires: 600\r\n`;
    return new Promise((resolve) =>
      this.send(
        'REGISTER',
        `sip:${this.domain}`,
        this.aor,
        `reg-${this.tag}`,
        contact,
        '',
        timeoutMs,
        resolve,
      ),
    );
  }

  /** One MESSAGE to `to` (an AOR); `done` gets its final response or the failure. */
  message(to: string, body: string, timeoutMs: number, done: Done): void {
    this.send(
      'MESSAGE',
      to,
      to,
      `${this.tag}-${this.seq}`,
      'Content-Type: text/plain\r\n',
      body,
      timeoutMs,
      done,
    );
  }

  close(): void {
    this.ws.terminate();
  }

  private send(
    method: string,
    ruri: string,
    to: string,
    callId: string,
    extra: string,
    body: string,
    timeoutMs: number,
    done: Done,
  ): void {
    if (this.ws.readyState !== WebSocket.OPEN) {
      done({ failure: 'closed' });
      return;
    }
    const n = ++this.seq;
    const branch = `z9hG4bK${this.tag}${n.toString(36)}`;
    const timer = setTimeout(() => {
      this.pending.delete(branch);
      done({ failure: 'timeout' });
    }, timeoutMs);
    this.pending.set(branch, { done, timer });
    this.ws.send(
      `${method} ${ruri} SIP/2.0\r\nVia: SIP/2.0/WS ${this.host};branch=${branch};rport\r\n` +
        `Max-Forwards: 70\r\nFrom: <${this.aor}>;tag=${this.tag}\r\nTo: <${to}>\r\n` +
        `Call-ID: ${callId}\r\nCSeq: ${n} ${method}\r\n${extra}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  private receive(text: string): void {
    if (text.startsWith('SIP/2.0 ')) {
      const status = Number(text.slice(8, 11));
      if (status < 200) return;
      const branch = topBranch(text);
      const p = branch === undefined ? undefined : this.pending.get(branch);
      if (p === undefined || branch === undefined) return;
      this.pending.delete(branch);
      clearTimeout(p.timer);
      p.done({ status });
      return;
    }
    if (text.trim() === '' || text.startsWith('ACK ')) return; // keep-alive, or an ACK
    this.answered += 1;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(okResponse(text, this.tag));
  }

  private failAll(): void {
    for (const [branch, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(branch);
      p.done({ failure: 'closed' });
    }
  }
}
