/**
 * A WebSocket relay on loopback between a client and a real SIP server that
 * can also push frames of its own to the client: how the tests deliver
 * garbage to the agent through an otherwise real path.
 */
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

export interface WsTap {
  readonly url: string;
  /** Sends a frame to every client connected through the tap. */
  inject(frame: string | Buffer): number;
  close(): Promise<void>;
}

export async function startWsTap(upstreamUrl: string): Promise<WsTap> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const clients = new Set<WebSocket>();
  wss.on('connection', (client) => {
    const upstream = new WebSocket(upstreamUrl, 'sip');
    const pending: Array<{ data: WebSocket.RawData; binary: boolean }> = [];
    clients.add(client);
    upstream.on('open', () => {
      for (const p of pending.splice(0)) upstream.send(p.data, { binary: p.binary });
    });
    upstream.on(
      'message',
      (data, binary) => client.readyState === WebSocket.OPEN && client.send(data, { binary }),
    );
    client.on('message', (data, binary) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else pending.push({ data, binary });
    });
    const closeBoth = (): void => {
      clients.delete(client);
      client.terminate();
      upstream.terminate();
    };
    upstream.on('close', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', closeBoth);
    client.on('error', closeBoth);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    inject(frame) {
      let n = 0;
      for (const c of clients) {
        if (c.readyState === WebSocket.OPEN) {
          c.send(frame, { binary: Buffer.isBuffer(frame) });
          n += 1;
        }
      }
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
