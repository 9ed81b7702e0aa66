/**
 * A TCP path to a SIP server through an HTTP proxy: CONNECT host:port, then,
 * for wss, TLS over the tunnel, verified against the server's own name (the
 * proxy never sees inside). Proxy authentication is not supported: a proxy
 * that asks for it (407) fails the attempt with that reason.
 */
import { request } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface TunnelTarget {
  readonly proxyHost: string;
  readonly proxyPort: number;
  /** The server's URL: ws:// or wss:// (SIP), or https:// (provisioning). */
  readonly url: string;
  readonly timeoutMs: number;
}

export interface TunnelTls {
  readonly ca?: readonly string[];
  readonly rejectUnauthorized: boolean;
}

/** The server's host (no IPv6 brackets) and port, the scheme's default when the URL has none. */
export function serverAddress(url: string): { host: string; port: number; secure: boolean } {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'wss:' || parsed.protocol === 'https:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : secure ? 443 : 80;
  return { host, port, secure };
}

/** Opens the tunnel, and TLS inside it for wss; rejects with the proxy's or TLS's reason. */
export async function openTunnel(target: TunnelTarget, tls: TunnelTls): Promise<Socket> {
  const server = serverAddress(target.url);
  const deadline = Date.now() + target.timeoutMs;
  const socket = await connectThroughProxy(target, server);
  if (!server.secure) return socket;
  return secureOver(socket, server.host, tls, Math.max(1, deadline - Date.now()));
}

function authority(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

function connectThroughProxy(target: TunnelTarget, server: { host: string; port: number }): Promise<Socket> {
  const path = authority(server.host, server.port);
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.proxyHost,
      port: target.proxyPort,
      method: 'CONNECT',
      path,
      headers: { host: path },
      timeout: target.timeoutMs,
    });
    const proxy = authority(target.proxyHost, target.proxyPort);
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`proxy ${proxy} refused the tunnel to ${path} (HTTP ${res.statusCode ?? '?'})`));
        return;
      }
      // Bytes the server sent right after the proxy's answer belong to the stream.
      if (head.length > 0) socket.unshift(head);
      socket.setTimeout(0);
      resolve(quiet(socket));
    });
    req.once('timeout', () => req.destroy(new Error(`proxy ${proxy} did not open the tunnel in time`)));
    req.once('error', (error) => reject(new Error(`proxy ${proxy}: ${error.message}`)));
    req.end();
  });
}

/** TLS over a connected socket, verified against `host`; also the direct path of main/core/provisioning. */
export function secureOver(
  socket: Socket,
  host: string,
  tls: TunnelTls,
  timeoutMs: number,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      host,
      // SNI carries names only (RFC 6066); the certificate is still checked against an IP host.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(tls.ca ? { ca: [...tls.ca] } : {}),
      rejectUnauthorized: tls.rejectUnauthorized,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new Error(`TLS handshake with ${host} did not finish in time`));
    }, timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      resolve(quiet(secure));
    });
    secure.once('error', (error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(error); // keeps its code: tls-failure.ts tells a certificate problem by it
    });
  });
}

/**
 * Until ws's request takes the socket (next tick) an error must not crash the
 * process; the request then sees the socket closed and reports it.
 */
function quiet<T extends Socket>(socket: T): T {
  socket.on('error', () => undefined);
  return socket;
}
