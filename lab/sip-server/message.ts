/**
 * SIP message model, parser and serializer (RFC 3261 §7, carried one message
 * per WebSocket frame as in RFC 7118). The parser is lenient where it can be
 * and precise about what it rejects, so the server can answer with a reason.
 */
import { hasControlCharacter, hasEmptyListElement } from './header-rules.js';
import { reasonPhrase } from './sanitize.js';
import { parseStartLine } from './start-line.js';
import { splitList, trimLws } from './syntax.js';

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

/**
 * A body that is not UTF-8 (a binary MIME part, RFC 4475 §3.1.1.11) is kept
 * as one character per byte (latin1) with `bodyIsBinary` set, so it is
 * forwarded byte for byte and sent in a binary WebSocket frame.
 */
export interface SipRequest {
  readonly kind: 'request';
  method: string;
  uri: string;
  headers: HeaderList;
  body: string;
  bodyIsBinary?: boolean;
}

export interface SipResponse {
  readonly kind: 'response';
  status: number;
  reason: string;
  headers: HeaderList;
  body: string;
  bodyIsBinary?: boolean;
}

export type SipMessage = SipRequest | SipResponse;

export interface ParseError {
  readonly status: number;
  readonly reason: string;
}

/**
 * `message` is set whenever the frame is a request (even one whose request
 * line could not be read) or a readable response, even if `error` is set too:
 * a request with a bad header still carries what is needed to answer.
 * `discarded` counts octets after the body that Content-Length left out.
 */
export interface ParseResult {
  readonly message?: SipMessage;
  readonly error?: ParseError;
  readonly discarded?: number;
}

const HEADER_NAME = /^[A-Za-z0-9.!%*_+`'~-]+$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** CRLFs before the start line are ignored (RFC 3261 §7.5): where the message really starts. */
function skipLeadingLineBreaks(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

function findHeaderEnd(buf: Buffer, from: number): { end: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from);
  const lf = buf.indexOf('\n\n', from);
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return undefined;
}

interface Line {
  readonly text: string;
  /** 1-based line number in the frame, for a reason that points at it without echoing it */
  readonly no: number;
}

/** Folded continuation lines (RFC 3261 §7.3.1) joined to their header line. */
function unfold(lines: readonly string[], firstNo: number): Line[] {
  const out: Array<{ text: string; no: number }> = [];
  lines.forEach((text, i) => {
    const last = out[out.length - 1];
    if (/^[ \t]/.test(text) && last) last.text += ` ${trimLws(text)}`;
    else out.push({ text, no: firstNo + i });
  });
  return out;
}

function startMessage(line: string): { message?: SipMessage; error?: ParseError } {
  const start = parseStartLine(line);
  const headers = new HeaderList();
  if (start.kind === 'bad-response') return { error: start.error };
  if (start.kind === 'response') {
    return { message: { kind: 'response', status: start.status, reason: start.reason, headers, body: '' } };
  }
  const message: SipRequest = { kind: 'request', method: start.method, uri: start.uri, headers, body: '' };
  return start.error ? { message, error: start.error } : { message };
}

/** Adds each header line; the first problem found is returned (the others are still added when readable). */
function addHeaders(headers: HeaderList, lines: readonly Line[]): ParseError | undefined {
  let error: ParseError | undefined;
  for (const { text, no } of lines) {
    const colon = text.indexOf(':');
    const name = colon > 0 ? trimLws(text.slice(0, colon)) : '';
    if (!HEADER_NAME.test(name)) {
      error ??= {
        status: 400,
        reason: `Malformed header line ${no}: ${colon < 0 ? 'no colon' : 'bad name'}`,
      };
      continue;
    }
    const value = trimLws(text.slice(colon + 1));
    const canon = canonicalName(name);
    if (hasControlCharacter(value))
      error ??= { status: 400, reason: `Control character in the ${canon} header` };
    else if (LIST_HEADERS.has(canon.toLowerCase()) && hasEmptyListElement(value))
      error ??= { status: 400, reason: `Empty element in the ${canon} header` };
    headers.add(name, value);
  }
  return error;
}

/**
 * The body is what Content-Length says (RFC 3261 §18.3): fewer octets in the
 * frame is an error, more are discarded. Without Content-Length the frame's
 * rest is the body (a WebSocket message is one SIP message, RFC 7118 §5).
 */
function frameBody(
  headers: HeaderList,
  bytes: Buffer,
): { body?: Buffer; discarded?: number; error?: ParseError } {
  const values = headers.getAll('Content-Length');
  if (values.length === 0) return { body: bytes };
  if (values.length > 1) {
    const conflicting = new Set(values).size > 1;
    return {
      error: { status: 400, reason: `${conflicting ? 'Conflicting' : 'Duplicate'} Content-Length headers` },
    };
  }
  const cl = values[0] as string;
  if (!/^\d{1,9}$/.test(cl)) return { error: { status: 400, reason: 'Bad Content-Length' } };
  const n = Number(cl);
  if (n > bytes.length) {
    return {
      error: { status: 400, reason: `Content-Length mismatch (header ${n}, body ${bytes.length} bytes)` },
    };
  }
  return { body: bytes.subarray(0, n), discarded: bytes.length - n };
}

function setBody(message: SipMessage, bytes: Buffer): void {
  const text = decodeUtf8(bytes);
  message.body = text ?? bytes.toString('latin1');
  if (text === undefined) message.bodyIsBinary = true;
}

export function parseMessage(input: Buffer | string): ParseResult {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const from = skipLeadingLineBreaks(buf);
  const split = findHeaderEnd(buf, from);
  // A frame without the empty line is taken as headers only (no body).
  const headBytes = buf.subarray(from, split ? split.end : buf.length);
  const bodyBytes = split ? buf.subarray(split.bodyStart) : Buffer.alloc(0);
  const strictHead = decodeUtf8(headBytes);
  const head = strictHead ?? headBytes.toString('utf8');

  const lines = head.split(/\r?\n/);
  // Without the empty line, a final CRLF still ends the last header (RFC 4475 §3.1.2.15's message).
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const { message, error: startError } = startMessage(lines[0] ?? '');
  if (!message) return { error: startError ?? { status: 400, reason: 'Bad start line' } };

  let error: ParseError | undefined =
    strictHead === undefined ? { status: 400, reason: 'Header section is not valid UTF-8' } : startError;
  const firstNo = buf.subarray(0, from).filter((b) => b === 0x0a).length + 2;
  const headerError = addHeaders(message.headers, unfold(lines.slice(1), firstNo));
  error ??= headerError;
  const framed = frameBody(message.headers, bodyBytes);
  error ??= framed.error;
  setBody(message, framed.body ?? bodyBytes);
  const discarded = framed.discarded ?? 0;
  const result: ParseResult = error ? { message, error } : { message };
  return discarded > 0 ? { ...result, discarded } : result;
}

/** The message on the wire: UTF-8 head, Content-Length (bytes) last, the body's own bytes. */
export function encodeMessage(msg: SipMessage): Buffer {
  const start =
    msg.kind === 'request'
      ? `${msg.method} ${msg.uri} SIP/2.0`
      : `SIP/2.0 ${msg.status} ${reasonPhrase(msg.reason)}`;
  const body = Buffer.from(msg.body, msg.bodyIsBinary === true ? 'latin1' : 'utf8');
  const lines = [start];
  for (const h of msg.headers.entries()) {
    if (h.name.toLowerCase() === 'content-length') continue;
    // Last guard against a line break smuggled into a header value.
    lines.push(`${h.name}: ${h.value.replace(/[\r\n]+/g, ' ')}`);
  }
  lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), body]);
}

/** Text form of a message whose body is text (a binary body needs `encodeMessage`). */
export function serializeMessage(msg: SipMessage): string {
  return encodeMessage(msg).toString('utf8');
}

export function cloneRequest(req: SipRequest): SipRequest {
  const copy: SipRequest = {
    kind: 'request',
    method: req.method,
    uri: req.uri,
    headers: req.headers.clone(),
    body: req.body,
  };
  if (req.bodyIsBinary === true) copy.bodyIsBinary = true;
  return copy;
}

export function cloneResponse(res: SipResponse): SipResponse {
  return {
    kind: 'response',
    status: res.status,
    reason: res.reason,
    headers: res.headers.clone(),
    body: res.body,
    ...(res.bodyIsBinary === true ? { bodyIsBinary: true } : {}),
  };
}
