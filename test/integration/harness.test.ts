/**
 * The browser harness's own rules, with a real app layer on the lab server:
 * pages are served with the bridge injected and a strict CSP, only our origin
 * may open the contract socket, inputs are validated, events wait for ready.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import { startHarnessKw } from '../../main/harness/compose.js';
import { cleanupAfterEach } from '../support/cleanup.js';

const later = cleanupAfterEach();

async function setup() {
  const log = memoryLogger('info');
  const sip = await startSipServer({ port: 0, logger: log.logger });
  later(() => sip.close());
  const rendererDir = await mkdtemp(join(tmpdir(), 'kw-renderer-'));
  await writeFile(
    join(rendererDir, 'main.html'),
    '<html><head><!-- kw-bridge --><script type="module" src="./main.js"></script></head></html>',
  );
  await writeFile(join(rendererDir, 'main.js'), 'console.log(1)');
  await writeFile(join(rendererDir, 'preview.html'), '<html><head><!-- kw-bridge --></head></html>');
  const kw = await startHarnessKw({
    account: { uri: 'sip:kw1@lab.local', displayName: 'Kim' },
    servers: [sip.url],
    trustedRoutingPoints: [],
    historyDir: await mkdtemp(join(tmpdir(), 'kw-h-')),
    rendererDir,
    logger: log.logger,
    agentOptions: { retry: { initialMs: 100, maxMs: 500 } },
  });
  later(() => kw.close());
  return { kw, log };
}

function connect(url: string, origin: string, path = '/kw'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + path, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(
  ws: WebSocket,
  id: number,
  name: string,
  input: unknown,
): Promise<{ ok: boolean; value?: unknown; error?: string }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const msg = JSON.parse(data.toString()) as { id?: number; ok: boolean };
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, name, input }));
  });
}

describe('browser harness', () => {
  it('serves pages with the bridge script injected and a strict CSP; nothing outside the renderer', async () => {
    const { kw } = await setup();
    const res = await fetch(kw.harness.mainUrl);
    expect(await res.text()).toContain('<script src="/harness-client.js"></script>');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe/);
    expect((await fetch(`${kw.harness.url}/harness-client.js`)).status).toBe(200);
    expect((await fetch(`${kw.harness.url}/../package.json`)).status).toBe(404);
    expect((await fetch(`${kw.harness.url}/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
  });

  it('refuses a contract socket from another origin', async () => {
    const { kw } = await setup();
    await expect(connect(kw.harness.url, 'http://evil.example')).rejects.toThrow(/403/);
  });

  it('only the main page hosts the media; GET only; sockets only on /kw and /media', async () => {
    const { kw } = await setup();
    const main = await (await fetch(kw.harness.mainUrl)).text();
    expect(main).toContain('<script src="/harness-client.js"></script><script src="/harness-media.js">');
    const preview = await (await fetch(kw.harness.previewUrl)).text();
    expect(preview).toContain('<script src="/harness-client.js"></script>');
    expect(preview).not.toContain('harness-media.js');
    expect((await fetch(`${kw.harness.url}/harness-media.js`)).status).toBe(200);
    expect((await fetch(kw.harness.mainUrl, { method: 'POST' })).status).toBe(405);
    await expect(connect(kw.harness.url, kw.harness.url, '/other')).rejects.toThrow(/403/);
    await expect(connect(kw.harness.url, 'http://evil.example', '/media')).rejects.toThrow(/403/);
    const media = await connect(kw.harness.url, kw.harness.url, '/media');
    later(async () => media.terminate());
    expect(media.readyState).toBe(WebSocket.OPEN);
  });

  it('drops frames that are not commands and answers the next one', async () => {
    const { kw, log } = await setup();
    const ws = await connect(kw.harness.url, kw.harness.url);
    later(async () => ws.terminate());
    ws.send('not json');
    ws.send(JSON.stringify({ name: 'app.ready', input: { window: 'main' } }));
    ws.send('null');
    const ready = await call(ws, 7, 'app.ready', { window: 'main' });
    expect(ready.ok).toBe(true);
    const warnings = log.records.filter((e) => e.level === 'warn').map((e) => e.msg);
    expect(warnings).toContain('harness frame is not JSON: dropped');
    expect(warnings.filter((m) => m === 'harness frame without id/name: dropped')).toHaveLength(2);
  });

  it('validates inputs and queues events until the page is ready', async () => {
    const { kw } = await setup();
    const ws = await connect(kw.harness.url, kw.harness.url);
    later(async () => ws.terminate());
    const frames: string[] = [];
    ws.on('message', (d) => frames.push(d.toString()));
    const bad = await call(ws, 1, 'presence.set', { state: 'invisible' });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/presence\.set at state/) });
    // Events produced before app.ready are held back...
    await call(ws, 2, 'presence.set', { state: 'busy' });
    expect(frames.filter((f) => f.includes('"event"'))).toEqual([]);
    // ...and delivered after it, with the snapshot first.
    const ready = await call(ws, 3, 'app.ready', { window: 'main' });
    expect(ready.ok).toBe(true);
    expect(ready.value).toMatchObject({ status: { presence: { manual: 'busy' } } });
    await expect.poll(() => frames.some((f) => f.includes('"event":"status"'))).toBe(true);
  });
});
