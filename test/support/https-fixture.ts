/**
 * A tiny https server on loopback for tests of clients that must refuse what
 * it sends (bad JSON, bad UTF-8, endless bodies, redirects), with the lab's
 * throw-away certificate so the client can be made to trust it.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { generateCertificate, type TlsMaterial } from '../../lab/sip-server/tls.js';

export type FixtureHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpsFixture {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly caPem: string;
  close(): Promise<void>;
}

let shared: Promise<TlsMaterial> | undefined;

/** One certificate per test process: generating a 2048-bit key takes a while. */
export function fixtureCertificate(): Promise<TlsMaterial> {
  shared ??= generateCertificate();
  return shared;
}

export async function startHttpsFixture(handler: FixtureHandler, tls?: TlsMaterial): Promise<HttpsFixture> {
  const material = tls ?? (await fixtureCertificate());
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: material.key, cert: material.cert }, handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caPem: material.cert,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers 200 with no Content-Length and writes `totalBytes` in small chunks,
 * paced so a client that stops reading is seen at once; resolves with the
 * bytes actually handed to the connection before it closed.
 */
export function streamSlowly(
  res: ServerResponse,
  totalBytes: number,
  chunkBytes = 8 * 1024,
  everyMs = 2,
): Promise<number> {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(chunkBytes, 0x20);
  let written = 0;
  return new Promise((resolve) => {
    const done = (): void => {
      clearInterval(timer);
      resolve(written);
    };
    const timer = setInterval(() => {
      if (res.destroyed || res.socket === null || res.socket.destroyed) return done();
      if (written >= totalBytes) {
        res.end();
        return done();
      }
      res.write(chunk);
      written += chunk.length;
    }, everyMs);
    res.once('close', done);
  });
}
