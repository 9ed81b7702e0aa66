/**
 * SIP header helpers for our wire protocol: header lines we send, reading headers
 * from a raw SIP message with their original case (JsSIP normalises names, which
 * would mangle user-data keys), and safe reason phrases.
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
