/**
 * A tiny HTTP CONNECT proxy on loopback for tests: it opens real TCP tunnels
 * and counts them, so a test can prove the SIP connection went through it.
 * `refuseWith` makes it answer every CONNECT with that status instead;
 * `aliases` are host names only it knows (as a corporate proxy resolves
 * names the PC cannot), each to a loopback address.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ConnectProxy {
  readonly port: number;
  /** The `host:port` of every CONNECT, tunnelled or refused. */
  readonly requests: readonly string[];
  /** How many tunnels were opened to a target. */
  readonly tunnels: number;
  refuseWith: number | undefined;
  close(): Promise<void>;
}

export async function startConnectProxy(
  aliases: Readonly<Record<string, string>> = {},
): Promise<ConnectProxy> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let tunnels = 0;
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  const state = {
    refuseWith: undefined as number | undefined,
  };
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    requests.push(target);
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('close', () => sockets.delete(client));
    if (state.refuseWith !== undefined) {
      client.end(`HTTP/1.1 ${state.refuseWith} Refused\r\n\r\n`);
      return;
    }
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const host = match[1] ?? '';
    const upstream = connect(Number(match[2]), aliases[host] ?? host, () => {
      tunnels += 1;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    get tunnels() {
      return tunnels;
    },
    get refuseWith() {
      return state.refuseWith;
    },
    set refuseWith(status) {
      state.refuseWith = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
