/**
 * Location service: AOR → contact bindings, each remembering the WebSocket
 * connection (flow) it was registered from, since a WS client can only be
 * reached through that connection. Pure state with an injected clock.
 */
import { formatNameAddr, getParam, parseUri, withoutParam, type NameAddr } from './syntax.js';

export interface Binding {
  readonly aor: string;
  /** +sip.instance (+reg-id) when given (RFC 5626), else the contact URI without parameters */
  readonly key: string;
  /** the contact URI: the Request-URI of requests sent to this binding */
  readonly uri: string;
  /** the Contact as registered, without its expires parameter */
  readonly addr: NameAddr;
  readonly expiresAt: number;
  readonly connId: number;
  /** increases with every (re-)registration: the most recent binding wins */
  readonly seq: number;
}

export interface ContactUpdate {
  readonly addr: NameAddr;
  readonly expires: number;
}

export interface RegistrarOptions {
  readonly now?: () => number;
  readonly defaultExpires?: number;
  readonly maxExpires?: number;
}

export function bindingKey(addr: NameAddr): string {
  const instance = getParam(addr.params, '+sip.instance');
  if (instance !== undefined) return `instance:${instance}|${getParam(addr.params, 'reg-id') ?? ''}`;
  const u = parseUri(addr.uri);
  if (!u) return `uri:${addr.uri}`;
  return `uri:${u.scheme}:${u.user ?? ''}@${u.host}:${u.port ?? ''}`;
}

export class Registrar {
  private readonly byAor = new Map<string, Map<string, Binding>>();
  private readonly seen = new Set<string>();
  private readonly now: () => number;
  private seq = 0;
  readonly defaultExpires: number;
  readonly maxExpires: number;

  constructor(opts: RegistrarOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.defaultExpires = opts.defaultExpires ?? 600;
    this.maxExpires = opts.maxExpires ?? 3600;
  }

  /** Contact `expires` parameter, else the Expires header, else the default; capped at the maximum. */
  grantedExpires(contactParam: string | undefined, header: string | undefined): number {
    const pick = [contactParam, header].find((v) => v !== undefined && /^\d+$/.test(v.trim()));
    const requested = pick === undefined ? this.defaultExpires : Number(pick);
    return Math.min(requested, this.maxExpires);
  }

  /** Applies adds/refreshes (expires > 0) and removals (expires 0); returns the AOR's live bindings. */
  update(aor: string, connId: number, updates: readonly ContactUpdate[]): Binding[] {
    this.seen.add(aor);
    const map = this.byAor.get(aor) ?? new Map<string, Binding>();
    const now = this.now();
    for (const u of updates) {
      const key = bindingKey(u.addr);
      if (u.expires <= 0) {
        map.delete(key);
        continue;
      }
      map.set(key, {
        aor,
        key,
        uri: u.addr.uri,
        addr: { ...u.addr, params: withoutParam(u.addr.params, 'expires') },
        expiresAt: now + u.expires * 1000,
        connId,
        seq: ++this.seq,
      });
    }
    if (map.size > 0) this.byAor.set(aor, map);
    else this.byAor.delete(aor);
    return this.lookup(aor);
  }

  removeAll(aor: string): void {
    this.seen.add(aor);
    this.byAor.delete(aor);
  }

  /** Live bindings, most recently registered first. */
  lookup(aor: string): Binding[] {
    const map = this.byAor.get(aor);
    if (!map) return [];
    const now = this.now();
    return [...map.values()].filter((b) => b.expiresAt > now).sort((a, b) => b.seq - a.seq);
  }

  /** Whether this AOR ever registered (an offline known user gets 480, a stranger 404). */
  hasSeen(aor: string): boolean {
    return this.seen.has(aor);
  }

  remaining(b: Binding): number {
    return Math.max(0, Math.ceil((b.expiresAt - this.now()) / 1000));
  }

  /** The Contact header value listed in a 200 to REGISTER. */
  contactHeader(b: Binding): string {
    return `${formatNameAddr(b.addr)};expires=${this.remaining(b)}`;
  }

  /** A binding whose contact URI is `uri` (user, host and port compared). */
  findByUri(uri: string): Binding | undefined {
    const want = bindingKey({ display: undefined, uri, params: [] });
    let best: Binding | undefined;
    const now = this.now();
    for (const map of this.byAor.values()) {
      for (const b of map.values()) {
        if (b.expiresAt <= now) continue;
        if (bindingKey({ display: undefined, uri: b.uri, params: [] }) !== want) continue;
        if (!best || b.seq > best.seq) best = b;
      }
    }
    return best;
  }

  /** Drops the bindings registered through a connection that closed. */
  dropConnection(connId: number): Binding[] {
    return this.removeWhere((b) => b.connId === connId);
  }

  /** Removes expired bindings; returns them. */
  sweep(): Binding[] {
    const now = this.now();
    return this.removeWhere((b) => b.expiresAt <= now);
  }

  get size(): number {
    let n = 0;
    for (const m of this.byAor.values()) n += m.size;
    return n;
  }

  private removeWhere(pred: (b: Binding) => boolean): Binding[] {
    const removed: Binding[] = [];
    for (const [aor, map] of this.byAor) {
      for (const [key, b] of map) {
        if (pred(b)) {
          map.delete(key);
          removed.push(b);
        }
      }
      if (map.size === 0) this.byAor.delete(aor);
    }
    return removed;
  }
}
