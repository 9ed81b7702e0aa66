/**
 * Header helpers for our wire protocol (DESIGN.md §4): extra headers we send,
 * user data headers, and reading headers from a raw SIP message with their
 * original case (JsSIP normalises names, which would mangle user-data keys).
 */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export class HeaderError extends Error {
  override readonly name = 'HeaderError';
}

/** One `Name: value` line; refuses names that are not tokens and values that could inject a line. */
export function headerLine(name: string, value: string): string {
  if (!TOKEN.test(name)) throw new HeaderError(`invalid header name ${JSON.stringify(name)}`);
  if (/[\r\n\0]/.test(value)) throw new HeaderError(`header ${name} value contains a line break or NUL`);
  return `${name}: ${value}`;
}

export const DEFAULT_USER_DATA_PREFIX = 'X-UserData-';

/** Percent-encodes what a header value cannot carry as is (non-ASCII, controls, '%'). */
export function encodeHeaderValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out +=
      byte < 0x20 || byte > 0x7e || ch === '%' ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

export function decodeHeaderValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // A stray '%' from a client that did not encode: keep the text as sent.
    return value;
  }
}

export type UserData = Readonly<Record<string, string>>;

export function userDataHeaders(data: UserData, prefix = DEFAULT_USER_DATA_PREFIX): string[] {
  return Object.entries(data).map(([key, value]) => headerLine(`${prefix}${key}`, encodeHeaderValue(value)));
}

export interface RawHeader {
  readonly name: string;
  readonly value: string;
}

/** Header lines of a raw SIP message (start line skipped, folded lines joined, body ignored). */
export function rawHeaders(raw: string): RawHeader[] {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end === -1 ? raw : raw.slice(0, end);
  const lines = head.split(/\r?\n/).slice(1);
  const out: { name: string; value: string }[] = [];
  for (const line of lines) {
    const last = out.at(-1);
    if (/^[ \t]/.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return out;
}

/** User data from a raw message, keys in the case the sender wrote them. */
export function readUserData(raw: string, prefix = DEFAULT_USER_DATA_PREFIX): Record<string, string> {
  const lower = prefix.toLowerCase();
  const data: Record<string, string> = {};
  for (const { name, value } of rawHeaders(raw)) {
    if (name.length > prefix.length && name.toLowerCase().startsWith(lower)) {
      data[name.slice(prefix.length)] = decodeHeaderValue(value);
    }
  }
  return data;
}

/**
 * A reason phrase that every SIP parser accepts (RFC 3261 Reason-Phrase:
 * reserved / unreserved / escaped / UTF-8 / SP / HTAB). JsSIP drops a response
 * whose phrase has e.g. a double quote, and the sender then waits 32 s for a
 * timeout: quotes become apostrophes, other characters outside the grammar go.
 */
export function sanitizeReasonPhrase(reason: string): string {
  return reason
    .replace(/\s+/g, ' ')
    .replace(/["`]/g, "'")
    .replace(/[<>]/g, '')
    .replace(/[^A-Za-z0-9\-_.!~*'() \t;/?:@&=+$,%\u0080-\uffff]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, 120);
}
