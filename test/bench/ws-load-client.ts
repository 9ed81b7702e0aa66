/**
 * The leanest SIP user agent over one raw WebSocket (RFC 7118) for the
 * WebSocket load generator: REGISTER, out-of-dialog MESSAGEs, and a 200 to
 * every incoming request. Per MESSAGE it only patches a prebuilt request and
 * reads a response's status and CSeq by index (ws-load-sip.ts), with no
 * closure, timer or string: the generator, not the server, must never be the
 * bottleneck. A MESSAGE is known by the number its sender gave it (sent as its
 * CSeq, minus one); raw-ua.ts is the full-parsing client of the router benches.
 */
import { randomBytes } from 'node:crypto';
import { LoadSocket, type FrameSink } from './ws-load-socket.js';
import { cseqOf, isResponse, MessageTemplate, statusOf, writeOk } from './ws-load-sip.js';

/** A final response, or why there was none. */
export type LoadOutcome = { readonly status: number } | { readonly failure: 'timeout' | 'closed' };

/** Who hears the final responses to a client's MESSAGEs (the driver). */
export interface OutcomeSink {
  /** The final response to MESSAGE `id`; may come more than once or for an unknown id (ignore it). */
  outcome(id: number, status: number): void;
  /** The client's connection is gone: its MESSAGEs in flight will get no answer. */
  closed(client: LoadClient): void;
}

const BODY =
  'Load test message: the text of an agent asking an expert about a customer case, about 100 bytes.';

const token = (bytes: number): string => randomBytes(bytes).toString('hex');

export class LoadClient implements FrameSink {
  private readonly host = `${token(4)}.invalid`;
  private readonly tag = token(4);
  private readonly tagBytes = Buffer.from(this.tag, 'latin1');
  private readonly socket: LoadSocket;
  /** One prebuilt MESSAGE per target AOR. */
  private readonly templates = new Map<string, MessageTemplate>();
  private registering: ((outcome: LoadOutcome) => void) | undefined;
  /** Gets the final responses to MESSAGEs; set by the driver. */
  sink: OutcomeSink | undefined;
  /** Incoming requests answered (MESSAGEs from the peer). */
  answered = 0;

  private constructor(
    url: string,
    readonly user: string,
    readonly domain: string,
  ) {
    this.socket = new LoadSocket(url, 'sip', this);
  }

  static async connect(url: string, user: string, domain: string): Promise<LoadClient> {
    const client = new LoadClient(url, user, domain);
    await client.socket.opened;
    return client;
  }

  get aor(): string {
    return `sip:${this.user}@${this.domain}`;
  }

  /** REGISTER this connection as the AOR's contact; resolves with the final status. */
  register(timeoutMs: number): Promise<LoadOutcome> {
    if (!this.socket.open) return Promise.resolve({ failure: 'closed' });
    const request =
      `REGISTER sip:${this.domain} SIP/2.0\r\nVia: SIP/2.0/WS ${this.host};branch=z9hG4bK${token(6)};rport\r\n` +
      `Max-Forwards: 70\r\nFrom: <${this.aor}>;tag=${this.tag}\r\nTo: <${this.aor}>\r\n` +
      `Call-ID: reg-${this.tag}\r\nCSeq: 1 REGISTER\r\n` +
      `Contact: <sip:${this.user}@${this.host};transport=ws>;expires=600\r\nExpires: 600\r\n` +
      'Content-Length: 0\r\n\r\n';
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish({ failure: 'timeout' }), timeoutMs);
      const finish = (outcome: LoadOutcome): void => {
        clearTimeout(timer);
        this.registering = undefined;
        resolve(outcome);
      };
      this.registering = finish;
      this.sendText(request);
    });
  }

  /** Sends MESSAGE number `id` to `to` (an AOR); false if the connection is gone. */
  message(to: string, id: number): boolean {
    if (!this.socket.open) return false;
    const template = this.templates.get(to) ?? this.template(to);
    const at = this.socket.reserve(template.bytes.length);
    this.socket.commit(template.writeInto(this.socket.buffer, at, id + 1));
    return true;
  }

  close(): void {
    this.socket.close();
  }

  /** A frame read: a response to one of ours, or a request to answer 200. */
  frame(buf: Buffer, start: number, end: number): void {
    if (isResponse(buf, start, end)) {
      const status = statusOf(buf, start);
      if (status < 200) return;
      if (this.registering) this.registering({ status });
      else this.sink?.outcome(cseqOf(buf, start, end) - 1, status);
      return;
    }
    if (end - start < 8 || isAck(buf, start)) return; // a keep-alive, or an ACK
    this.answered += 1;
    const at = this.socket.reserve(end - start + 64);
    this.socket.commit(writeOk(buf, start, end, this.tagBytes, this.socket.buffer, at));
  }

  closed(): void {
    this.registering?.({ failure: 'closed' });
    this.sink?.closed(this);
  }

  private template(to: string): MessageTemplate {
    const template = new MessageTemplate(
      `MESSAGE ${to} SIP/2.0\r\nVia: SIP/2.0/WS ${this.host};branch=z9hG4bK${this.tag}@@ID@@;rport\r\n` +
        `Max-Forwards: 70\r\nFrom: <${this.aor}>;tag=${this.tag}\r\nTo: <${to}>\r\n` +
        `Call-ID: ${this.tag}-@@ID@@\r\nCSeq: @@ID@@ MESSAGE\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`,
    );
    this.templates.set(to, template);
    return template;
  }

  private sendText(text: string): void {
    const bytes = Buffer.from(text, 'latin1');
    const at = this.socket.reserve(bytes.length);
    bytes.copy(this.socket.buffer, at);
    this.socket.commit(bytes.length);
  }
}

const isAck = (buf: Buffer, at: number): boolean =>
  buf[at] === 0x41 && buf[at + 1] === 0x43 && buf[at + 2] === 0x4b && buf[at + 3] === 0x20;

/** A 200 OK to a request (its text), as the client sends it: for tests. */
export function okResponse(request: string, toTag: string): string {
  const src = Buffer.from(request, 'latin1');
  const dst = Buffer.alloc(src.length + 64);
  return dst.toString('latin1', 0, writeOk(src, 0, src.length, Buffer.from(toTag, 'latin1'), dst, 0));
}
