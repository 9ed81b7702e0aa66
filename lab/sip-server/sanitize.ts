/**
 * The two ways text from the network leaves the server: in a reason phrase
 * (a status line the peer parses) and in a log line (read by people). Every
 * reason phrase is built through `reasonPhrase`, so a CR, LF or NUL in a
 * request can never split or forge a line of a reply.
 */

/** Longest reason phrase we send: enough for a precise sentence, too short to carry a payload. */
export const MAX_REASON_LENGTH = 100;
const MAX_LOG_LENGTH = 160;
const ELLIPSIS = '...';

/** Printable ASCII only (anything else becomes `?`), trimmed, at most MAX_REASON_LENGTH characters. */
export function reasonPhrase(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    out += c >= 0x20 && c <= 0x7e ? ch : '?';
  }
  return cap(out.trim(), MAX_REASON_LENGTH);
}

/** For a log line: control characters escaped (`\r`, `\x00`), length capped; other Unicode kept. */
export function forLog(text: string, max = MAX_LOG_LENGTH): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0))
      out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
    if (out.length > max) break;
  }
  return cap(out, max);
}

function cap(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - ELLIPSIS.length)}${ELLIPSIS}` : s;
}
