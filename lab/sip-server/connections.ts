/**
 * The WebSocket connections (flows) and what was learned about them: the
 * Contact and Via addresses each client uses (JsSIP invents a random
 * `xxxx.invalid` host), so an in-dialog request to such an address can be
 * sent down the connection it belongs to (RFC 7118 §5: no other way in).
 */
import type { WebSocket } from 'ws';
import { encodeMessage, type SipMessage } from './message.js';
import { parseNameAddr, parseUri, parseVia, type SipUri } from './syntax.js';

export interface Connection {
  readonly id: number;
  readonly remote: string;
  isOpen(): boolean;
  send(msg: SipMessage): boolean;
  sendText(text: string): boolean;
  close(): void;
}

export function wrapSocket(id: number, ws: WebSocket, remote: string): Connection {
  const sendFrame = (data: string | Buffer, binary: boolean): boolean => {
    if (ws.readyState !== ws.OPEN) return false;
    ws.send(data, { binary });
    return true;
  };
  return {
    id,
    remote,
    isOpen: () => ws.readyState === ws.OPEN,
    // A text frame must be UTF-8 (RFC 6455 §5.6): a binary body goes in a binary frame.
    send: (msg) => sendFrame(encodeMessage(msg), msg.bodyIsBinary === true),
    sendText: (text) => sendFrame(text, false),
    close: () => ws.terminate(),
  };
}

/** Most learned addresses a single connection may claim (a client can't grow the map unboundedly). */
const MAX_KEYS_PER_CONNECTION = 64;

export class ConnectionTable {
  private readonly conns = new Map<number, Connection>();
  private readonly keyToConn = new Map<string, number>();
  private readonly connKeys = new Map<number, string[]>();
  private nextId = 1;

  /** `isSelf(host, port)` tells addresses of this server, which are never learned as a client's. */
  constructor(private readonly isSelf: (host: string, port: number | undefined) => boolean) {}

  newId(): number {
    return this.nextId++;
  }

  add(conn: Connection): void {
    this.conns.set(conn.id, conn);
    this.connKeys.set(conn.id, []);
  }

  get(id: number): Connection | undefined {
    const c = this.conns.get(id);
    return c?.isOpen() ? c : undefined;
  }

  all(): Connection[] {
    return [...this.conns.values()];
  }

  remove(id: number): void {
    this.conns.delete(id);
    for (const key of this.connKeys.get(id) ?? []) {
      if (this.keyToConn.get(key) === id) this.keyToConn.delete(key);
    }
    this.connKeys.delete(id);
  }

  get size(): number {
    return this.conns.size;
  }

  /**
   * Records the addresses a client announces in its Contact and (requests)
   * top Via. The Contacts of a 3xx name other parties, so they are skipped.
   */
  learn(conn: Connection, msg: SipMessage): void {
    if (msg.kind === 'response' && msg.status >= 300) return;
    for (const c of msg.headers.getAll('Contact')) {
      const na = parseNameAddr(c);
      const uri = na ? parseUri(na.uri) : undefined;
      if (uri) this.learnUri(conn.id, uri);
    }
    if (msg.kind === 'request') {
      const top = msg.headers.get('Via');
      const via = top === undefined ? undefined : parseVia(top);
      if (via && !this.isSelf(via.host, via.port))
        this.remember(conn.id, `h:${hostport(via.host, via.port)}`);
    }
  }

  /** The open connection that announced exactly this user@host:port (JsSIP: a random user per UA). */
  lookupExact(uri: SipUri): Connection | undefined {
    return uri.user === undefined ? undefined : this.find(`u:${uri.user}@${hostport(uri.host, uri.port)}`);
  }

  /**
   * The last open connection that used this host:port. A weaker match: JsSIP
   * UAs of one process share their random `.invalid` host, so callers try
   * everything else first.
   */
  lookupHost(uri: SipUri): Connection | undefined {
    return this.find(`h:${hostport(uri.host, uri.port)}`);
  }

  private find(key: string): Connection | undefined {
    const id = this.keyToConn.get(key);
    return id === undefined ? undefined : this.get(id);
  }

  private learnUri(connId: number, uri: SipUri): void {
    const hp = hostport(uri.host, uri.port);
    if (uri.user !== undefined) this.remember(connId, `u:${uri.user}@${hp}`);
    if (!this.isSelf(uri.host, uri.port)) this.remember(connId, `h:${hp}`);
  }

  private remember(connId: number, key: string): void {
    const keys = this.connKeys.get(connId);
    if (!keys) return;
    if (this.keyToConn.get(key) === connId) return;
    this.keyToConn.set(key, connId);
    if (!keys.includes(key)) keys.push(key);
    while (keys.length > MAX_KEYS_PER_CONNECTION) {
      const old = keys.shift() as string;
      if (this.keyToConn.get(old) === connId) this.keyToConn.delete(old);
    }
  }
}

function hostport(host: string, port: number | undefined): string {
  return port === undefined ? host : `${host}:${port}`;
}
