/**
 * The reference every figure is divided by: a WebSocket echo round trip on
 * loopback, measured in the same run, so ratios stay comparable across machines.
 */
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { sample } from './stats.js';

export async function wsEchoRoundTrips(runs: number): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  server.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise<void>((r) => client.once('open', () => r()));
  const payload = 'x'.repeat(600); // about the size of a SIP MESSAGE
  try {
    return await sample(runs, async () => {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        client.once('message', () => resolve());
        client.send(payload);
      });
      return performance.now() - t0;
    });
  } finally {
    client.terminate();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
