/**
 * Where a request goes: an AOR of this domain → its most recently registered
 * contact (documented choice: no forking); any other URI → the connection
 * that announced exactly that user@host, else a registered binding with that
 * URI, else the flow token of our Record-Route, else the connection last seen
 * using that host.
 */
import type { Connection, ConnectionTable } from './connections.js';
import type { Identity } from './identity.js';
import type { Registrar } from './registrar.js';
import { parseUri } from './syntax.js';

export interface Target {
  /** the Request-URI to send with */
  readonly uri: string;
  readonly conn: Connection;
  readonly aor: string | undefined;
}

export type Resolution =
  | { readonly kind: 'found'; readonly target: Target }
  /** a known user (users file, or registered before) with no live binding */
  | { readonly kind: 'offline'; readonly aor: string | undefined }
  | { readonly kind: 'unknown'; readonly aor: string | undefined };

export interface ResolveHints {
  /** the two connection ids of our Record-Route's flow token, when the request carried it */
  readonly flow?: readonly [number, number] | undefined;
  readonly arrivalConnId?: number | undefined;
}

export class Locator {
  constructor(
    private readonly identity: Identity,
    private readonly registrar: Registrar,
    private readonly conns: ConnectionTable,
    private readonly isKnownUser: (user: string) => boolean,
  ) {}

  resolve(uriText: string, hints: ResolveHints = {}): Resolution {
    const uri = parseUri(uriText);
    if (!uri) return { kind: 'unknown', aor: undefined };
    const aor = this.identity.aorOf(uri);
    if (aor !== undefined) {
      for (const b of this.registrar.lookup(aor)) {
        const conn = this.conns.get(b.connId);
        if (conn) return { kind: 'found', target: { uri: b.uri, conn, aor } };
      }
      const known = this.registrar.hasSeen(aor) || (uri.user !== undefined && this.isKnownUser(uri.user));
      return known ? { kind: 'offline', aor } : { kind: 'unknown', aor };
    }
    const found = (conn: Connection, aor?: string): Resolution => ({
      kind: 'found',
      target: { uri: uriText, conn, aor },
    });
    const exact = this.conns.lookupExact(uri);
    if (exact) return found(exact);
    const binding = this.registrar.findByUri(uriText);
    const bound = binding ? this.conns.get(binding.connId) : undefined;
    if (binding && bound) return found(bound, binding.aor);
    if (hints.flow && hints.arrivalConnId !== undefined) {
      const [a, b] = hints.flow;
      const other = hints.arrivalConnId === a ? b : hints.arrivalConnId === b ? a : undefined;
      const conn = other === undefined ? undefined : this.conns.get(other);
      if (conn) return found(conn);
    }
    const byHost = this.conns.lookupHost(uri);
    if (byHost) return found(byHost);
    return { kind: 'offline', aor: undefined };
  }
}
