/**
 * e2e of the media host runtime by itself (renderer/media): the built
 * media.html in Debian's Chromium, served with the harness's CSP by a small
 * HTTP + WebSocket server in this test, which plays main's part with raw
 * protocol messages over `/media`. Two peer connections in the page call each
 * other through the protocol (offer/answer via snapshots, as JsSIP does: no
 * trickle). The microphone is Chromium's fake device fed with a steady tone,
 * so a disabled track shows as a level drop on the other side.
 *
 * Needs `node scripts/build-renderer.mjs` first (npm run test:e2e does it).
 */
import { test, expect } from '@playwright/test';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import * as v from 'valibot';
import { WebSocketServer, type WebSocket } from 'ws';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import {
  FromHostSchema,
  HostResultSchemas,
  type FromHost,
  type HostOp,
  type HostRequest,
  type HostResults,
  type Snapshot,
} from '../../wire/media-host.js';
import { harnessCsp } from '../../main/harness/harness-server.js';

const rendererDir = resolve('dist/renderer');

/** A 440 Hz tone, 48 kHz mono 16-bit, 2 s (Chromium loops it). */
function toneWav(): string {
  const rate = 48_000;
  const samples = rate * 2;
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 0.5 * 32767), 44 + i * 2);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'kw-tone-')), 'tone.wav');
  writeFileSync(file, buf);
  return file;
}

test.use({
  permissions: ['microphone'],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      ...CHROMIUM_ARGS,
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${toneWav()}`,
      // Raw host candidates (eth0) rather than mDNS names the page cannot resolve here.
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  },
});

type Received = FromHost & { readonly at: number };

/** Main's side of one host connection: requests by id, every message kept in order. */
class FakeMain {
  readonly messages: Received[] = [];
  private nextId = 1;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const parsed = v.safeParse(FromHostSchema, JSON.parse(data.toString()));
      if (!parsed.success) throw new Error(`host sent an invalid message: ${data.toString().slice(0, 300)}`);
      this.messages.push({ ...parsed.output, at: Date.now() });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async waitFor<T extends Received>(pred: (m: Received) => m is T, timeoutMs?: number): Promise<T>;
  async waitFor(pred: (m: Received) => boolean, timeoutMs?: number): Promise<Received>;
  async waitFor(pred: (m: Received) => boolean, timeoutMs = 15_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for a host message');
      await new Promise<void>((ok) => {
        this.waiters.push(ok);
        setTimeout(ok, 200);
      });
    }
  }

  sendRaw(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Sends a request; resolves with its answer (result or error envelope). */
  async raw(request: HostRequest): Promise<Extract<Received, { kind: 'result' | 'error' }>> {
    const id = this.nextId++;
    this.sendRaw({ kind: 'request', id, request });
    return this.waitFor(
      (m): m is Extract<Received, { kind: 'result' | 'error' }> =>
        (m.kind === 'result' || m.kind === 'error') && m.id === id,
    );
  }

  async request<K extends HostOp>(
    request: Extract<HostRequest, { op: K }>,
  ): Promise<{ result: HostResults[K]; snapshot?: Snapshot }> {
    const reply = await this.raw(request);
    if (reply.kind === 'error') throw new Error(`${request.op} failed: ${reply.name}: ${reply.message}`);
    const result = v.parse(HostResultSchemas[request.op as K], reply.result) as HostResults[K];
    return { result, ...(reply.snapshot ? { snapshot: reply.snapshot } : {}) };
  }

  /** Every snapshot of one peer connection, in arrival order. */
  snapshots(pcId: string): Snapshot[] {
    return this.messages.flatMap((m) => ('snapshot' in m && m.snapshot?.pcId === pcId ? [m.snapshot] : []));
  }

  latest(pcId: string): Snapshot | undefined {
    return this.snapshots(pcId).at(-1);
  }

  events(pcId: string, type?: string): Extract<Received, { kind: 'event' }>[] {
    return this.messages.filter(
      (m): m is Extract<Received, { kind: 'event' }> =>
        m.kind === 'event' && m.pcId === pcId && (type === undefined || m.event.type === type),
    );
  }
}

interface TestServer {
  readonly origin: string;
  /** Resolves with the next host connection, after its hello. */
  nextHost(): Promise<FakeMain>;
  close(): Promise<void>;
}

async function startServer(): Promise<TestServer> {
  let origin = '';
  const http: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = {
      'Content-Security-Policy': harnessCsp(origin),
      'Cache-Control': 'no-store',
    };
    const file = normalize(join(rendererDir, path));
    const type = { '.html': 'text/html', '.js': 'text/javascript' }[extname(file)];
    if (!file.startsWith(rendererDir) || !type) {
      res.writeHead(404, headers).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { ...headers, 'Content-Type': `${type}; charset=utf-8` }).end(body),
      () => res.writeHead(404, headers).end(),
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  const waiting: ((main: FakeMain) => void)[] = [];
  http.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/media' || req.headers.origin !== origin) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const main = new FakeMain(ws);
      void main.waitFor((m) => m.kind === 'hello').then(() => waiting.shift()?.(main));
    });
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    origin,
    nextHost: () => new Promise((ok) => waiting.push(ok)),
    close: () =>
      new Promise<void>((ok) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.close(() => ok());
        http.closeAllConnections();
      }),
  };
}

/** setLocalDescription, then the SDP once gathering completed (the snapshot carries the candidates). */
async function describe(main: FakeMain, pcId: string, type: 'offer' | 'answer'): Promise<string> {
  const { result } =
    type === 'offer'
      ? await main.request({ op: 'createOffer', pcId })
      : await main.request({ op: 'createAnswer', pcId });
  await main.request({ op: 'setLocalDescription', pcId, description: result });
  await expect.poll(() => main.latest(pcId)?.iceGatheringState, { timeout: 10_000 }).toBe('complete');
  const sdp = main.latest(pcId)?.localDescription?.sdp ?? '';
  expect(sdp).toContain('a=candidate');
  return sdp;
}

async function maxLevel(main: FakeMain, pcId: string, ms: number): Promise<number> {
  let max = 0;
  for (const end = Date.now() + ms; Date.now() < end;) {
    max = Math.max(max, (await main.request({ op: 'stats', pcId })).result.audioLevel);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return max;
}

let server: TestServer;
test.beforeAll(async () => {
  if (!existsSync(join(rendererDir, 'media.html')))
    throw new Error('dist/renderer/media.html is missing: run node scripts/build-renderer.mjs first');
  server = await startServer();
});
test.afterAll(async () => {
  await server.close();
});

test('media host: two peer connections call each other through the protocol; mute drops the level; bad requests change nothing; close and release leave nothing live', async ({
  page,
}) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  const hosted = server.nextHost();
  await page.goto(`${server.origin}/media.html?processing=off`);
  const main = await hosted;
  const hello = main.messages[0];
  expect(hello).toMatchObject({ kind: 'hello', protocol: 1, host: 'media-page' });
  const html = page.locator('html');

  // Two microphones (the same fake device), one per side.
  const a = (await main.request({ op: 'capture', streamId: 'sa' })).result.tracks;
  const b = (await main.request({ op: 'capture', streamId: 'sb' })).result.tracks;
  expect(a).toHaveLength(1);
  expect(a[0]?.kind).toBe('audio');
  const trackA = a[0]?.trackId ?? '';
  const trackB = b[0]?.trackId ?? '';
  expect(trackA).not.toBe(trackB);

  const created = await main.request({ op: 'create', pcId: 'pcA', iceServers: [] });
  expect(created.snapshot).toMatchObject({
    pcId: 'pcA',
    signalingState: 'stable',
    iceConnectionState: 'new',
  });
  await main.request({ op: 'create', pcId: 'pcB', iceServers: [] });
  await main.request({ op: 'addTrack', pcId: 'pcA', trackId: trackA, streamId: 'sa' });
  await main.request({ op: 'addTrack', pcId: 'pcB', trackId: trackB, streamId: 'sb' });

  const offer = await describe(main, 'pcA', 'offer');
  expect(main.latest('pcA')?.signalingState).toBe('have-local-offer');
  await main.request({ op: 'setRemoteDescription', pcId: 'pcB', description: { type: 'offer', sdp: offer } });
  const answer = await describe(main, 'pcB', 'answer');
  const applied = await main.request({
    op: 'setRemoteDescription',
    pcId: 'pcA',
    description: { type: 'answer', sdp: answer },
  });
  expect(applied.snapshot?.signalingState).toBe('stable');
  expect(applied.snapshot?.remoteDescription?.type).toBe('answer');

  for (const pcId of ['pcA', 'pcB']) {
    await main.waitFor(
      (m) =>
        m.kind === 'event' &&
        m.pcId === pcId &&
        m.event.type === 'iceconnectionstatechange' &&
        ['connected', 'completed'].includes(m.snapshot.iceConnectionState),
    );
    // Versions never go back, and grow whenever the state differs.
    const snaps = main.snapshots(pcId);
    for (let i = 1; i < snaps.length; i++) {
      const [prev, next] = [snaps[i - 1] as Snapshot, snaps[i] as Snapshot];
      expect(next.version).toBeGreaterThanOrEqual(prev.version);
      const { version: _pv, ...prevState } = prev;
      const { version: _nv, ...nextState } = next;
      if (JSON.stringify(prevState) !== JSON.stringify(nextState))
        expect(next.version).toBeGreaterThan(prev.version);
      else expect(next.version).toBe(prev.version);
    }
    expect(main.events(pcId, 'icecandidate').length).toBeGreaterThan(0);
    expect(main.events(pcId, 'icecandidate').at(-1)?.event).toEqual({
      type: 'icecandidate',
      candidate: null,
    });
    expect(main.events(pcId, 'signalingstatechange').length).toBeGreaterThan(0);
    // One remote audio track each, reported once.
    const tracks = main.events(pcId, 'track');
    expect(tracks).toHaveLength(1);
    expect(tracks[0]?.event).toMatchObject({ kind: 'audio' });
  }
  await expect(html).toHaveAttribute('data-audio-elements', '2');
  await expect(html).toHaveAttribute('data-pcs', '2');

  // Packets both ways on both sides.
  for (const pcId of ['pcA', 'pcB']) {
    await expect
      .poll(
        async () => {
          const s = (await main.request({ op: 'stats', pcId })).result;
          return s.packetsReceived > 10 && s.packetsSent > 10;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
  }
  const rtt = (await main.request({ op: 'stats', pcId: 'pcA' })).result.roundTripTimeMs;
  expect(rtt === undefined || rtt >= 0).toBe(true);

  // A's tone reaches B; muted A falls silent at B; unmuted it is back.
  await expect.poll(() => maxLevel(main, 'pcB', 600), { timeout: 10_000 }).toBeGreaterThan(0.05);
  await main.request({ op: 'setTrackEnabled', trackId: trackA, enabled: false });
  await expect.poll(() => maxLevel(main, 'pcB', 400), { timeout: 10_000 }).toBeLessThan(0.01);
  expect(await maxLevel(main, 'pcA', 600)).toBeGreaterThan(0.05); // B still talks
  await main.request({ op: 'setTrackEnabled', trackId: trackA, enabled: true });
  await expect.poll(() => maxLevel(main, 'pcB', 600), { timeout: 10_000 }).toBeGreaterThan(0.05);

  // Malformed and impossible requests: an error each, nothing changes.
  const before = {
    a: (await main.request({ op: 'stats', pcId: 'pcA' })).snapshot?.version,
    b: (await main.request({ op: 'stats', pcId: 'pcB' })).snapshot?.version,
    attrs: await html.evaluate((el) => ({
      ...(el as unknown as { dataset: Record<string, string> }).dataset,
    })),
  };
  main.sendRaw({
    kind: 'request',
    id: 900,
    request: { op: 'setTrackEnabled', trackId: 'no such!', enabled: false },
  });
  main.sendRaw({ kind: 'request', id: 901, request: { op: 'explode', pcId: 'pcA' } });
  main.sendRaw({ kind: 'request', id: 902, request: { op: 'close', pcId: 'pcA', extra: 1 } });
  main.sendRaw({ kind: 'nonsense' });
  for (const id of [900, 901, 902]) {
    const reply = await main.waitFor((m) => (m.kind === 'error' || m.kind === 'result') && m.id === id);
    expect(reply).toMatchObject({ kind: 'error', name: 'BadRequest' });
  }
  const unknownTrack = await main.raw({ op: 'setTrackEnabled', trackId: 't999', enabled: false });
  expect(unknownTrack).toMatchObject({ kind: 'error', name: 'NotFoundError' });
  const unknownPc = await main.raw({ op: 'createOffer', pcId: 'pcZ' });
  expect(unknownPc).toMatchObject({ kind: 'error', name: 'NotFoundError' });
  const badSdp = await main.raw({
    op: 'setRemoteDescription',
    pcId: 'pcB',
    description: { type: 'offer', sdp: 'v=0\r\nnot sdp\r\n' },
  });
  expect(badSdp.kind).toBe('error');
  expect(badSdp.snapshot?.signalingState).toBe('stable');
  expect((await main.request({ op: 'stats', pcId: 'pcA' })).snapshot?.version).toBe(before.a);
  expect((await main.request({ op: 'stats', pcId: 'pcB' })).snapshot?.version).toBe(before.b);
  expect(
    await html.evaluate((el) => ({ ...(el as unknown as { dataset: Record<string, string> }).dataset })),
  ).toEqual(before.attrs);
  expect(await maxLevel(main, 'pcB', 600)).toBeGreaterThan(0.05); // still talking

  // Devices: what there is (labels may be empty); the fake device is there after capture.
  const devices = (await main.request({ op: 'devices' })).result;
  expect(devices.inputs.length).toBeGreaterThan(0);

  // Close and release: nothing live, no audio elements left.
  const closed = await main.request({ op: 'close', pcId: 'pcA' });
  expect(closed.snapshot).toMatchObject({ pcId: 'pcA', signalingState: 'closed' });
  expect((await main.raw({ op: 'stats', pcId: 'pcA' })).kind).toBe('error');
  await main.request({ op: 'close', pcId: 'pcB' });
  await main.request({ op: 'release', streamId: 'sa' });
  await main.request({ op: 'release', streamId: 'sb' });
  await main.request({ op: 'release', streamId: 'sb' }); // twice is fine
  await expect(html).toHaveAttribute('data-pcs', '0');
  await expect(html).toHaveAttribute('data-streams', '0');
  await expect(html).toHaveAttribute('data-live-local-tracks', '0');
  await expect(html).toHaveAttribute('data-live-remote-tracks', '0');
  await expect(html).toHaveAttribute('data-audio-elements', '0');
  expect(await page.evaluate('document.querySelectorAll("audio").length')).toBe(0);
  expect(problems).toEqual([]);
});

test('media host: a capture on Answer goes straight onto the prepared sender, silent or sounding as setSending says; the later addTrack is a no-op', async ({
  page,
}) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const hosted = server.nextHost();
  await page.goto(`${server.origin}/media.html?processing=off`);
  const main = await hosted;

  // The caller (A) sends its microphone; B prepares its answer with no microphone.
  const trackA = (await main.request({ op: 'capture', streamId: 'sa' })).result.tracks[0]?.trackId ?? '';
  await main.request({ op: 'create', pcId: 'pcA', iceServers: [] });
  await main.request({ op: 'create', pcId: 'pcB', iceServers: [] });
  await main.request({ op: 'addTrack', pcId: 'pcA', trackId: trackA, streamId: 'sa' });
  const offer = await describe(main, 'pcA', 'offer');
  const answer = (await main.request({ op: 'prepareAnswer', pcId: 'pcB', offer })).result;
  await main.request({ op: 'setRemoteDescription', pcId: 'pcA', description: answer });
  await expect.poll(() => maxLevel(main, 'pcB', 400), { timeout: 10_000 }).toBeGreaterThan(0.05);
  expect(await maxLevel(main, 'pcA', 600)).toBeLessThan(0.01); // B sends nothing yet

  // Answer: B's microphone opens onto the prepared sender, silent (muted meanwhile)…
  const captured = await main.request({
    op: 'capture',
    streamId: 'sb',
    sendOn: { pcId: 'pcB', enabled: false },
  });
  const trackB = captured.result.tracks[0]?.trackId ?? '';
  await expect
    .poll(async () => (await main.request({ op: 'stats', pcId: 'pcB' })).result.packetsSent, {
      timeout: 10_000,
    })
    .toBeGreaterThan(10);
  expect(await maxLevel(main, 'pcA', 600)).toBeLessThan(0.01);
  // …then sounding, without main's addTrack; which, when it comes, changes nothing.
  await main.request({ op: 'setSending', streamId: 'sb', enabled: true });
  await expect.poll(() => maxLevel(main, 'pcA', 400), { timeout: 10_000 }).toBeGreaterThan(0.05);
  expect((await main.raw({ op: 'addTrack', pcId: 'pcB', trackId: trackB, streamId: 'sb' })).kind).toBe(
    'result',
  );
  await main.request({ op: 'setTrackEnabled', trackId: trackB, enabled: false });
  await expect.poll(() => maxLevel(main, 'pcA', 400), { timeout: 10_000 }).toBeLessThan(0.01);

  // A capture onto a connection that is gone is still a capture: main's addTrack decides.
  const orphan = await main.request({
    op: 'capture',
    streamId: 'sc',
    sendOn: { pcId: 'pcGone', enabled: true },
  });
  expect(orphan.result.tracks).toHaveLength(1);
  expect((await main.raw({ op: 'setSending', streamId: 'nope', enabled: true })).kind).toBe('error');
  for (const pcId of ['pcA', 'pcB']) await main.request({ op: 'close', pcId });
  for (const streamId of ['sa', 'sb', 'sc']) await main.request({ op: 'release', streamId });
  await expect(page.locator('html')).toHaveAttribute('data-live-local-tracks', '0');
  expect(problems).toEqual([]);
});

test('media host: when main goes away the host drops its media, reconnects and greets again', async ({
  page,
}) => {
  const hosted = server.nextHost();
  await page.goto(`${server.origin}/media.html?processing=off`);
  const first = await hosted;
  await first.request({ op: 'capture', streamId: 's1' });
  await first.request({ op: 'create', pcId: 'p1', iceServers: [] });
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-live-local-tracks', '1');

  const again = server.nextHost();
  first.ws.terminate();
  const second = await again;
  expect(second.messages[0]).toMatchObject({ kind: 'hello', protocol: 1 });
  await expect(html).toHaveAttribute('data-pcs', '0');
  await expect(html).toHaveAttribute('data-live-local-tracks', '0');
  // The new main starts from nothing: the old ids are free again.
  await second.request({ op: 'capture', streamId: 's1' });
  await second.request({ op: 'release', streamId: 's1' });
});
