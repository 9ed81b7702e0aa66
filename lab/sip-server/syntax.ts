/**
 * Grammar helpers for the header values the server reads: URIs, name-addr,
 * Via, CSeq, parameter lists, comma lists, digest credentials. Pure functions;
 * they return undefined on bad input instead of throwing.
 */

export type Params = Array<[name: string, value: string | undefined]>;

export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | undefined;
  password: string | undefined;
  /** lower-cased; IPv6 keeps its brackets */
  host: string;
  port: number | undefined;
  params: Params;
  /** the raw `?a=b` part without the `?` */
  headers: string | undefined;
}

export interface NameAddr {
  display: string | undefined;
  uri: string;
  params: Params;
}

export interface Via {
  transport: string;
  host: string;
  port: number | undefined;
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
}

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

const isLws = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Strips SP and HTAB only: String.trim() would also eat CR, VT and FF, and
 * with them the evidence of a smuggled control character. A loop, not
 * /[ \t]+$/, which backtracks quadratically on long runs of spaces.
 */
export function trimLws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isLws(s[start])) start++;
  while (end > start && isLws(s[end - 1])) end--;
  return s.slice(start, end);
}

/**
 * Splits on `sep` outside double quotes and angle brackets: Via/Contact/Route
 * lists, parameter lists and digest credentials all share this lexing.
 */
export function splitOutside(value: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (quoted) {
      cur += ch;
      if (ch === '\\' && i + 1 < value.length) {
        cur += value[++i] as string;
      } else if (ch === '"') {
        quoted = false;
      }
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '<') angle = true;
    else if (ch === '>') angle = false;
    else if (ch === sep && !angle) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/** Comma list → trimmed, non-empty items. */
export function splitList(value: string): string[] {
  return splitOutside(value, ',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    return t.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return t;
}

/**
 * `;a=1;b;c="x"` (leading `;` optional) → ordered pairs, names lower-cased,
 * LWS around `;` and `=` allowed (RFC 3261 §25.1 SEMI, EQUAL). Undefined for
 * an empty parameter (`;;`, a trailing `;`), a nameless one or `a=` with no
 * value: extraneous separators make a header invalid (RFC 4475 §3.1.2.1).
 */
export function parseParams(text: string): Params | undefined {
  const t = text.trim();
  if (t === '') return [];
  const out: Params = [];
  for (const part of splitOutside(t.startsWith(';') ? t.slice(1) : t, ';')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : p.slice(eq + 1).trim();
    if (name === '' || /\s/.test(name) || value === '') return undefined;
    out.push([name.toLowerCase(), value]);
  }
  return out;
}

export function formatParams(params: Params): string {
  return params.map(([k, v]) => (v === undefined ? `;${k}` : `;${k}=${v}`)).join('');
}

export function getParam(params: Params, name: string): string | undefined {
  const n = name.toLowerCase();
  return params.find(([k]) => k === n)?.[1];
}

export function withoutParam(params: Params, name: string): Params {
  const n = name.toLowerCase();
  return params.filter(([k]) => k !== n);
}

const HOSTPORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/;

function parsePort(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

/**
 * The userinfo ends at the first `@` (it cannot contain one unescaped), so
 * `;`, `?` and `/` are taken as part of the user there (RFC 3261 §25.1
 * user-unreserved, RFC 4475 §3.1.1.2 and §3.1.1.9); parameters and headers
 * start after the host.
 */
export function parseUri(text: string): SipUri | undefined {
  const m = /^(sips?):(.*)$/i.exec(text.trim());
  if (!m) return undefined;
  const scheme = (m[1] as string).toLowerCase() as 'sip' | 'sips';
  let rest = m[2] as string;
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    password = colon >= 0 ? userinfo.slice(colon + 1) : undefined;
    if (user === '') return undefined;
  }
  let headers: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const semi = rest.indexOf(';');
  const hostport = semi >= 0 ? rest.slice(0, semi) : rest;
  const params = semi >= 0 ? parseParams(rest.slice(semi)) : [];
  const hp = HOSTPORT.exec(hostport);
  if (!hp || !params) return undefined;
  const port = parsePort(hp[2]);
  if (port === null) return undefined;
  return { scheme, user, password, host: (hp[1] as string).toLowerCase(), port, params, headers };
}

export function formatUri(u: SipUri): string {
  const userinfo =
    u.user === undefined ? '' : `${u.user}${u.password === undefined ? '' : `:${u.password}`}@`;
  const port = u.port === undefined ? '' : `:${u.port}`;
  const headers = u.headers === undefined ? '' : `?${u.headers}`;
  return `${u.scheme}:${userinfo}${u.host}${port}${formatParams(u.params)}${headers}`;
}

/**
 * `"Name" <uri>;p=1`, `Name <uri>`, `<uri>` or a bare addr-spec (whose `;`
 * parameters then belong to the header, RFC 3261 §20.10). Undefined for what
 * the grammar forbids and a proxy would otherwise pass on: an unquoted display
 * name that is not tokens (RFC 4475 §3.1.2.15), spaces inside `<>` (§3.1.2.14),
 * a bare addr-spec with `?` or `,` (§3.1.2.13), text between `>` and `;`.
 */
export function parseNameAddr(text: string): NameAddr | undefined {
  const t = text.trim();
  const lt = findUnquoted(t, '<');
  if (lt >= 0) {
    const gt = t.indexOf('>', lt);
    if (gt < 0) return undefined;
    const displayRaw = t.slice(0, lt).trim();
    const uri = t.slice(lt + 1, gt);
    const tail = t.slice(gt + 1).trim();
    const params = tail === '' || tail.startsWith(';') ? parseParams(tail) : undefined;
    if (uri === '' || /\s/.test(uri) || !params || !validDisplayName(displayRaw)) return undefined;
    return { display: displayRaw === '' ? undefined : displayRaw, uri, params };
  }
  if (t === '' || t.includes('"')) return undefined;
  const semi = t.indexOf(';');
  const uri = (semi >= 0 ? t.slice(0, semi) : t).trim();
  const params = semi >= 0 ? parseParams(t.slice(semi)) : [];
  if (uri === '' || /[\s?,]/.test(uri) || !params) return undefined;
  return { display: undefined, uri, params };
}

/** `"quoted string"` (closed, escapes allowed) or tokens separated by whitespace, or nothing. */
function validDisplayName(display: string): boolean {
  if (display === '') return true;
  if (display.startsWith('"')) return closingQuote(display) === display.length - 1;
  return display.split(/[ \t]+/).every(isToken);
}

/** Index of the `"` that closes the quoted string opening at 0, or -1. */
function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

function findUnquoted(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ch) return i;
  }
  return -1;
}

export function formatNameAddr(na: NameAddr): string {
  const display = na.display === undefined ? '' : `${na.display} `;
  return `${display}<${na.uri}>${formatParams(na.params)}`;
}

export function parseVia(text: string): Via | undefined {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;\s]+)\s*(;.*)?$/i.exec(text);
  if (!m) return undefined;
  const hp = HOSTPORT.exec(m[2] as string);
  if (!hp) return undefined;
  const port = parsePort(hp[2]);
  const params = parseParams(m[3] ?? '');
  if (port === null || !params) return undefined;
  return {
    transport: (m[1] as string).toUpperCase(),
    host: (hp[1] as string).toLowerCase(),
    port,
    params,
  };
}

export function viaSentBy(v: Via): string {
  return v.port === undefined ? v.host : `${v.host}:${v.port}`;
}

const MAX_CSEQ = 2 ** 31 - 1;

export function parseCSeq(text: string): CSeq | undefined {
  const m = /^\s*(\d{1,10})\s+(\S+)\s*$/.exec(text);
  if (!m) return undefined;
  const seq = Number(m[1]);
  const method = m[2] as string;
  if (seq > MAX_CSEQ || !isToken(method)) return undefined;
  return { seq, method };
}

/** `Digest a=b, c="d"` → scheme and lower-cased parameter map (values unquoted). */
export function parseAuthParams(text: string): { scheme: string; params: Map<string, string> } | undefined {
  const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(text);
  if (!m) return undefined;
  const params = new Map<string, string>();
  for (const part of splitOutside(m[2] as string, ',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) return undefined;
    params.set(p.slice(0, eq).trim().toLowerCase(), unquote(p.slice(eq + 1)));
  }
  return { scheme: m[1] as string, params };
}

/** Quotes a value for a header parameter (escapes `"` and `\`). */
export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}
