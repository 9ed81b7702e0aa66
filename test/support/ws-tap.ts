/**
 * A WebSocket relay on loopback between a client and a real SIP server that
 * can also push frames of its own to the client: how the tests deliver
 * garbage to the agent through an otherwise real path.
 */
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

export interface WsTap {
  readonly url: string;
  /**
   * Sends a frame to every client connected through the tap: a Buffer as a binary
   * frame unless `binary: false` (a text frame with exactly those bytes, valid UTF-8 or not).
   */
  inject(frame: string | Buffer, options?: { binary?: boolean }): number;
  /** Frames the clients sent (as UTF-8 text), oldest first. */
  readonly fromClients: readonly string[];
  /** Waits for a frame from a client that matches. */
  nextFromClient(match: (text: string) => boolean, timeoutMs?: number): Promise<string>;
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
  const fromClients: string[] = [];
  const waiters = new Set<(text: string) => void>();
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
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      fromClients.push(text);
      for (const w of [...waiters]) w(text);
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
    fromClients,
    nextFromClient(match, timeoutMs = 5000) {
      const already = fromClients.find(match);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching frame from a client within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (text: string): void => {
          if (!match(text)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(text);
        };
        waiters.add(waiter);
      });
    },
    inject(frame, options = {}) {
      let n = 0;
      for (const c of clients) {
        if (c.readyState === WebSocket.OPEN) {
          c.send(frame, { binary: options.binary ?? Buffer.isBuffer(frame) });
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
