/**
 * The first line of a frame: a Status-Line (the frame is a response) or
 * anything else, read as a Request-Line (RFC 3261 §7.1, §7.2). A request line
 * that cannot be read still yields what is needed to answer it 400 with the
 * precise reason; a response is never answered, so a bad status line only
 * yields the reason to log.
 */
import type { ParseError } from './message.js';
import { isToken, trimLws } from './syntax.js';

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string; readonly error?: ParseError }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string }
  | { readonly kind: 'bad-response'; readonly error: ParseError };

const VERSION = /^SIP\/(\d+)\.(\d+)$/;
const STATUS_LINE = /^SIP\/(\d+\.\d+) (\d{3})(?: (.*))?$/;

const bad = (reason: string, status = 400): ParseError => ({ status, reason });

function hasControl(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function parseStartLine(line: string): StartLine {
  return line.startsWith('SIP/') ? parseStatusLine(line) : parseRequestLine(line);
}

function parseStatusLine(line: string): StartLine {
  const m = STATUS_LINE.exec(trimLws(line));
  if (!m) return { kind: 'bad-response', error: bad('Bad Status-Line') };
  if (m[1] !== '2.0') return { kind: 'bad-response', error: bad('Version Not Supported', 505) };
  const status = Number(m[2]);
  if (status < 100) return { kind: 'bad-response', error: bad('Bad Status-Line') };
  return { kind: 'response', status, reason: m[3] ?? '' };
}

/**
 * `Method SP Request-URI SP SIP-Version`. Extra SP between the elements and
 * after the version are tolerated (RFC 4475 §3.1.2.9 and §3.1.2.10 allow it;
 * we write our own request line when forwarding, so they do not travel on).
 * Split by hand, not by a backtracking regex: a line can be 64 KiB long.
 */
function parseRequestLine(line: string): StartLine {
  const t = trimLws(line);
  const firstSp = t.indexOf(' ');
  const lastSp = t.lastIndexOf(' ');
  const head = firstSp < 0 ? t : t.slice(0, firstSp);
  const method = isToken(head) ? head : '?';
  const req = (error?: ParseError, uri = ''): StartLine =>
    error ? { kind: 'request', method, uri, error } : { kind: 'request', method, uri };

  if (t === '') return req(bad('Empty Request-Line'));
  if (hasControl(t)) return req(bad('Control character in the Request-Line'));
  const version = firstSp < 0 ? '' : t.slice(lastSp + 1);
  const v = VERSION.exec(version);
  if (!v) return req(bad(version.startsWith('SIP/') ? 'Malformed SIP-Version' : 'Not a SIP Request-Line'));
  if (method === '?') return req(bad('Malformed method in the Request-Line'));
  const uri = trimLws(t.slice(firstSp + 1, lastSp));
  if (uri === '') return req(bad('Missing Request-URI'));
  if (/\s/.test(uri)) return req(bad('Whitespace in the Request-URI'));
  if (`${v[1]}.${v[2]}` !== '2.0') return req(bad('Version Not Supported', 505), uri);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) return req(bad('Bad Request-URI'), uri);
  return req(undefined, uri);
}
