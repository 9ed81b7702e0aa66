import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { LoadSocket, type FrameSink } from '../../bench/ws-load-socket.js';

/** A sink that keeps every frame as text and whether the socket closed. */
class Kept implements FrameSink {
  readonly frames: string[] = [];
  isClosed = false;
  frame(buf: Buffer, start: number, end: number): void {
    this.frames.push(buf.toString('latin1', start, end));
  }
  closed(): void {
    this.isClosed = true;
  }
}

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A ws server (the real library checks our frames) on an ephemeral loopback port. */
async function server(protocol = 'sip'): Promise<{ url: string; peer: Promise<WebSocket> }> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (p) => (p.has(protocol) ? protocol : false),
  });
  servers.push(wss);
  await once(wss, 'listening');
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/`, peer: once(wss, 'connection').then(([ws]) => ws as WebSocket) };
}

const send = (s: LoadSocket, text: string): void => {
  const at = s.reserve(text.length);
  s.buffer.write(text, at, 'latin1');
  s.commit(text.length);
};

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
};

describe('load socket (the generator’s own WebSocket client)', () => {
  it('sends short and long frames, several in one tick, that a real WebSocket server reads whole and in order', async () => {
    const { url, peer } = await server();
    const s = new LoadSocket(url, 'sip', new Kept());
    await s.opened;
    const ws = await peer;
    const got: string[] = [];
    ws.on('message', (d: Buffer) => got.push(d.toString('latin1')));
    const long = 'L'.repeat(300);
    send(s, 'one');
    send(s, long);
    send(s, 'x'.repeat(125));
    await until(() => got.length === 3);
    expect(got).toEqual(['one', long, 'x'.repeat(125)]);
    s.close();
  });

  it('hands on every frame the server sends, short and long, and answers a ping with a pong', async () => {
    const { url, peer } = await server();
    const kept = new Kept();
    const s = new LoadSocket(url, 'sip', kept);
    await s.opened;
    const ws = await peer;
    const pong = once(ws, 'pong');
    const long = 'y'.repeat(70_000);
    ws.send('a');
    ws.send(long);
    ws.ping('p1');
    ws.send('b');
    expect(String((await pong)[0])).toBe('p1');
    await until(() => kept.frames.length === 3);
    expect(kept.frames).toEqual(['a', long, 'b']);
    s.close();
  });

  it('tells its sink when the server closes, and refuses a server that does not speak the protocol', async () => {
    const { url, peer } = await server();
    const kept = new Kept();
    const s = new LoadSocket(url, 'sip', kept);
    await s.opened;
    (await peer).close();
    await until(() => kept.isClosed);
    expect(kept.isClosed).toBe(true);
    expect(s.open).toBe(false);

    const other = await server('not-sip');
    await expect(new LoadSocket(other.url, 'sip', new Kept()).opened).rejects.toThrow(/load socket/);
    expect(() => new LoadSocket('wss://127.0.0.1:1/', 'sip', new Kept())).toThrow(/ws:\/\/ only/);
  });
});
