/**
 * SIP message model, parser and serializer (RFC 3261 §7, carried one message
 * per WebSocket frame as in RFC 7118). The parser is lenient where it can be
 * and precise about what it rejects, so the server can answer with a reason.
 */
import { splitList } from './syntax.js';

export interface Header {
  readonly name: string;
  readonly value: string;
}

const COMPACT: Record<string, string> = {
  i: 'Call-ID',
  f: 'From',
  t: 'To',
  m: 'Contact',
  v: 'Via',
  l: 'Content-Length',
  c: 'Content-Type',
  k: 'Supported',
  s: 'Subject',
  e: 'Content-Encoding',
  o: 'Event',
  u: 'Allow-Events',
  r: 'Refer-To',
  b: 'Referred-By',
  x: 'Session-Expires',
  a: 'Accept-Contact',
  j: 'Reject-Contact',
  d: 'Request-Disposition',
  y: 'Identity',
};

const CANONICAL = new Map<string, string>(
  [
    'Accept',
    'Allow',
    'Allow-Events',
    'Authorization',
    'Call-ID',
    'Contact',
    'Content-Length',
    'Content-Type',
    'CSeq',
    'Event',
    'Expires',
    'From',
    'Max-Forwards',
    'Min-Expires',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Record-Route',
    'Refer-To',
    'Route',
    'Server',
    'SIP-ETag',
    'SIP-If-Match',
    'Subscription-State',
    'Supported',
    'To',
    'User-Agent',
    'Via',
    'WWW-Authenticate',
    ...Object.values(COMPACT),
  ].map((n) => [n.toLowerCase(), n]),
);

/** Headers whose comma-separated values are separate entries (RFC 3261 §7.3.1). */
const LIST_HEADERS = new Set(['via', 'contact', 'route', 'record-route']);

/** Compact forms expand; known names get their usual spelling; others keep the sender's case. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  const expanded = name.length === 1 ? COMPACT[lower] : undefined;
  return expanded ?? CANONICAL.get(lower) ?? name;
}

/** An ordered header list with case-insensitive lookups. */
export class HeaderList {
  private items: Header[];

  constructor(items: readonly Header[] = []) {
    this.items = [...items];
  }

  get(name: string): string | undefined {
    const n = canonicalName(name).toLowerCase();
    return this.items.find((h) => h.name.toLowerCase() === n)?.value;
  }

  getAll(name: string): string[] {
    const n = canonicalName(name).toLowerCase();
    return this.items.filter((h) => h.name.toLowerCase() === n).map((h) => h.value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Appends; list headers are split into one entry per value. */
  add(name: string, value: string): void {
    const canon = canonicalName(name);
    for (const v of this.explode(canon, value)) this.items.push({ name: canon, value: v });
  }

  /** Inserts before the first header of that name (or at the top): Via and Record-Route order matters. */
  prepend(name: string, value: string): void {
    const canon = canonicalName(name);
    const n = canon.toLowerCase();
    const at = this.items.findIndex((h) => h.name.toLowerCase() === n);
    this.items.splice(at < 0 ? 0 : at, 0, { name: canon, value });
  }

  /** Replaces every header of that name by one value, kept at the first one's position. */
  set(name: string, value: string): void {
    const canon = canonicalName(name);
    const n = canon.toLowerCase();
    const at = this.items.findIndex((h) => h.name.toLowerCase() === n);
    this.items = this.items.filter((h) => h.name.toLowerCase() !== n);
    if (at < 0) this.items.push({ name: canon, value });
    else this.items.splice(at, 0, { name: canon, value });
  }

  remove(name: string): number {
    const n = canonicalName(name).toLowerCase();
    const before = this.items.length;
    this.items = this.items.filter((h) => h.name.toLowerCase() !== n);
    return before - this.items.length;
  }

  /** Removes entries of that name for which `pred` holds. */
  removeWhere(name: string, pred: (value: string) => boolean): number {
    const n = canonicalName(name).toLowerCase();
    const before = this.items.length;
    this.items = this.items.filter((h) => h.name.toLowerCase() !== n || !pred(h.value));
    return before - this.items.length;
  }

  removeFirst(name: string): string | undefined {
    const n = canonicalName(name).toLowerCase();
    const at = this.items.findIndex((h) => h.name.toLowerCase() === n);
    if (at < 0) return undefined;
    const [h] = this.items.splice(at, 1);
    return h?.value;
  }

  entries(): readonly Header[] {
    return this.items;
  }

  clone(): HeaderList {
    return new HeaderList(this.items);
  }

  private explode(canon: string, value: string): string[] {
    if (!LIST_HEADERS.has(canon.toLowerCase())) return [value.trim()];
    const parts = splitList(value);
    return parts.length > 0 ? parts : [value.trim()];
  }
}

export interface SipRequest {
  readonly kind: 'request';
  method: string;
  uri: string;
  headers: HeaderList;
  body: string;
}

export interface SipResponse {
  readonly kind: 'response';
  status: number;
  reason: string;
  headers: HeaderList;
  body: string;
}

export type SipMessage = SipRequest | SipResponse;

export interface ParseError {
  readonly status: number;
  readonly reason: string;
}

/**
 * `message` is set whenever the start line could be read, even if `error` is
 * set too: a request with a bad header still carries what is needed to answer.
 */
export interface ParseResult {
  readonly message?: SipMessage;
  readonly error?: ParseError;
}

const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) +(\S+) +SIP\/(\d+\.\d+)$/;
const STATUS_LINE = /^SIP\/(\d+\.\d+) +(\d{3})(?: (.*))?$/;
const HEADER_NAME = /^[A-Za-z0-9.!%*_+`'~-]+$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function findHeaderEnd(buf: Buffer): { end: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return undefined;
}

export function parseMessage(input: Buffer | string): ParseResult {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const split = findHeaderEnd(buf);
  // A frame without the empty line is taken as headers only (no body).
  const head = buf.subarray(0, split ? split.end : buf.length).toString('utf8');
  const bodyBytes = split ? buf.subarray(split.bodyStart) : Buffer.alloc(0);

  const lines = head.replace(/^(\r?\n)+/, '').split(/\r?\n/);
  const startLine = (lines.shift() ?? '').trim();
  const headers = new HeaderList();
  let message: SipMessage;
  let error: ParseError | undefined;

  const req = REQUEST_LINE.exec(startLine);
  const res = req ? null : STATUS_LINE.exec(startLine);
  if (req) {
    message = {
      kind: 'request',
      method: (req[1] as string).toUpperCase(),
      uri: req[2] as string,
      headers,
      body: '',
    };
    if (req[3] !== '2.0') error = { status: 505, reason: 'Version Not Supported' };
    else if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(req[2] as string))
      error = { status: 400, reason: 'Bad Request-URI' };
  } else if (res) {
    if (res[1] !== '2.0') return { error: { status: 505, reason: 'Version Not Supported' } };
    message = { kind: 'response', status: Number(res[2]), reason: res[3] ?? '', headers, body: '' };
    if (message.status < 100) return { error: { status: 400, reason: 'Bad Status-Line' } };
  } else {
    return { error: { status: 400, reason: startLine === '' ? 'Empty message' : 'Bad start line' } };
  }

  // Unfold continuation lines (RFC 3261 §7.3.1) before splitting name/value.
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length > 0) unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    else unfolded.push(line);
  }
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!HEADER_NAME.test(name)) {
      error ??= { status: 400, reason: `Malformed header line: ${truncate(line, 40)}` };
      continue;
    }
    headers.add(name, line.slice(colon + 1).trim());
  }

  const cl = headers.get('Content-Length');
  if (cl !== undefined) {
    if (!/^\d{1,9}$/.test(cl)) error ??= { status: 400, reason: 'Bad Content-Length' };
    else if (Number(cl) !== bodyBytes.length) {
      error ??= {
        status: 400,
        reason: `Content-Length mismatch (header ${cl}, body ${bodyBytes.length} bytes)`,
      };
    }
  }
  try {
    message.body = utf8.decode(bodyBytes);
  } catch {
    message.body = bodyBytes.toString('utf8');
    error ??= { status: 400, reason: 'Body is not valid UTF-8' };
  }
  return error ? { message, error } : { message };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Serializes with a fresh Content-Length (bytes of the UTF-8 body) as the last header. */
export function serializeMessage(msg: SipMessage): string {
  const start =
    msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const h of msg.headers.entries()) {
    if (h.name.toLowerCase() === 'content-length') continue;
    lines.push(`${h.name}: ${h.value}`);
  }
  lines.push(`Content-Length: ${Buffer.byteLength(msg.body, 'utf8')}`);
  return `${lines.join('\r\n')}\r\n\r\n${msg.body}`;
}

export function cloneRequest(req: SipRequest): SipRequest {
  return { kind: 'request', method: req.method, uri: req.uri, headers: req.headers.clone(), body: req.body };
}

export function cloneResponse(res: SipResponse): SipResponse {
  return {
    kind: 'response',
    status: res.status,
    reason: res.reason,
    headers: res.headers.clone(),
    body: res.body,
  };
}
