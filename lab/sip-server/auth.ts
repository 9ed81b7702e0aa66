/**
 * Digest authentication (RFC 2617 / RFC 3261 §22): MD5, qop=auth. Nonces are
 * stateless — a timestamp signed with a per-server HMAC key — so they expire
 * without bookkeeping and a restarted server sees old ones as stale.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SipRequest } from './message.js';
import { parseAuthParams, quote } from './syntax.js';

export interface DigestOptions {
  readonly realm: string;
  readonly users: ReadonlyMap<string, string>;
  readonly nonceTtlMs?: number;
  readonly now?: () => number;
  readonly secret?: Buffer;
}

export type AuthOutcome =
  /** no credentials for this realm: challenge */
  | { readonly kind: 'none' }
  /** credentials carried an expired or foreign nonce: challenge with stale=true */
  | { readonly kind: 'stale' }
  | { readonly kind: 'failed'; readonly user: string | undefined; readonly reason: string }
  | { readonly kind: 'ok'; readonly user: string };

export function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** The expected `response` of RFC 2617 §3.2.2.1 (with or without qop=auth). */
export function digestResponse(p: {
  user: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: string | undefined;
  nc?: string | undefined;
  cnonce?: string | undefined;
}): string {
  const ha1 = md5(`${p.user}:${p.realm}:${p.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  return p.qop === undefined
    ? md5(`${ha1}:${p.nonce}:${ha2}`)
    : md5(`${ha1}:${p.nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:${p.qop}:${ha2}`);
}

export class DigestAuth {
  readonly realm: string;
  private readonly users: ReadonlyMap<string, string>;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly secret: Buffer;

  constructor(opts: DigestOptions) {
    this.realm = opts.realm;
    this.users = opts.users;
    this.ttl = opts.nonceTtlMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    this.secret = opts.secret ?? randomBytes(32);
  }

  hasUser(user: string): boolean {
    return this.users.has(user);
  }

  newNonce(): string {
    const ts = this.now().toString(36);
    return `${ts}.${this.sign(ts)}`;
  }

  /** 'valid', 'expired' or 'foreign' (not signed by this server instance). */
  nonceState(nonce: string): 'valid' | 'expired' | 'foreign' {
    const dot = nonce.indexOf('.');
    if (dot <= 0) return 'foreign';
    const ts = nonce.slice(0, dot);
    const sig = Buffer.from(nonce.slice(dot + 1));
    const expected = Buffer.from(this.sign(ts));
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return 'foreign';
    const issued = parseInt(ts, 36);
    const age = this.now() - issued;
    return Number.isFinite(issued) && age >= 0 && age <= this.ttl ? 'valid' : 'expired';
  }

  /** Header value for WWW-Authenticate / Proxy-Authenticate. */
  challenge(stale = false): string {
    const parts = [
      `Digest realm=${quote(this.realm)}`,
      `nonce=${quote(this.newNonce())}`,
      'algorithm=MD5',
      'qop="auth"',
    ];
    if (stale) parts.push('stale=true');
    return parts.join(', ');
  }

  /** Checks the Authorization (REGISTER) or Proxy-Authorization (others) credentials for this realm. */
  check(req: SipRequest, headerName: 'Authorization' | 'Proxy-Authorization'): AuthOutcome {
    for (const value of req.headers.getAll(headerName)) {
      const parsed = parseAuthParams(value);
      if (!parsed || parsed.scheme.toLowerCase() !== 'digest') continue;
      const p = parsed.params;
      if (p.get('realm') !== this.realm) continue;
      return this.verify(req.method, p);
    }
    return { kind: 'none' };
  }

  private verify(method: string, p: Map<string, string>): AuthOutcome {
    const user = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    if (user === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return { kind: 'failed', user, reason: 'incomplete credentials' };
    }
    const algorithm = p.get('algorithm');
    if (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5') {
      return { kind: 'failed', user, reason: `unsupported algorithm ${algorithm}` };
    }
    const qop = p.get('qop');
    if (qop !== undefined && qop !== 'auth')
      return { kind: 'failed', user, reason: `unsupported qop ${qop}` };
    if (this.nonceState(nonce) !== 'valid') return { kind: 'stale' };
    const password = this.users.get(user);
    if (password === undefined) return { kind: 'failed', user, reason: 'unknown user' };
    const expected = digestResponse({
      user,
      realm: this.realm,
      password,
      method,
      uri,
      nonce,
      qop,
      nc: p.get('nc'),
      cnonce: p.get('cnonce'),
    });
    const a = Buffer.from(expected);
    const b = Buffer.from(response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b))
      return { kind: 'failed', user, reason: 'wrong password' };
    return { kind: 'ok', user };
  }

  private sign(ts: string): string {
    return createHmac('sha256', this.secret).update(`${this.realm}:${ts}`).digest('base64url').slice(0, 22);
  }
}
