/**
 * Least privilege in the browser harness: a page's contract socket connects
 * as its window kind (`/kw?window=preview`) and may call only that kind's
 * commands, as in Electron. Real harness server and app layer on loopback;
 * the core is real and never started (nothing here needs SIP).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { KwApp } from '../../../main/app/kw-app.js';
import { MemorySecretStore, MemorySettingsStore } from '../../../main/app/ports.js';
import { labSettings } from '../../support/lab-settings.js';
import { kwCoreFactory } from '../../../main/core/core-factory.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { memoryLogger } from '../../../main/core/log.js';
import { startHarness } from '../../../main/harness/harness-server.js';
import { cleanupAfterEach } from '../../support/cleanup.js';

const later = cleanupAfterEach();

async function setup() {
  const log = memoryLogger();
  const settings = new MemorySettingsStore(
    labSettings(['ws://127.0.0.1:5080'], { trustedRoutingPoints: ['sip:rp@lab.local'] }),
  );
  const app = new KwApp({
    settings,
    secrets: new MemorySecretStore('pw'),
    createCore: kwCoreFactory({ history: new MemoryHistoryStore(), logger: log.logger }),
    links: { open: () => Promise.resolve() },
    windows: { showMain: () => undefined, setCallPopup: () => undefined },
    logger: log.logger,
  });
  const harness = await startHarness({
    app,
    rendererDir: await mkdtemp(join(tmpdir(), 'kw-renderer-')),
    clientScript: '',
    logger: log.logger,
  });
  later(() => harness.close());
  return { harness, settings, log };
}

function connect(base: string, query: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/kw${query}`, { origin: base });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    later(async () => ws.terminate());
  });
}

let nextId = 1;
function call(
  ws: WebSocket,
  name: string,
  input: unknown,
): Promise<{ ok: boolean; value?: unknown; error?: string }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const { id: replyTo, ...reply } = JSON.parse(data.toString()) as { id?: number; ok: boolean };
      if (replyTo !== id) return;
      ws.off('message', onMessage);
      resolve(reply);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, name, input }));
  });
}

const SAVE = {
  account: { uri: 'sip:mallory@lab.local', authUser: '', displayName: 'Mallory' },
  servers: ['ws://127.0.0.1:9'],
  idleMinutes: 10,
  startAtLogin: false,
  sounds: true,
  trustedRoutingPoints: ['sip:mallory@lab.local'],
};

describe('browser harness: each page calls only its window kind’s commands', () => {
  it('the preview page reads the sounds setting and may not save settings or start as main', async () => {
    const { harness, settings, log } = await setup();
    const preview = await connect(harness.url, '?window=preview');
    expect(await call(preview, 'app.ready', { window: 'main' })).toEqual({
      ok: false,
      error: 'the preview window may not start as the main window',
    });
    expect(await call(preview, 'app.ready', { window: 'preview' })).toMatchObject({ ok: true });
    expect(await call(preview, 'settings.get', {})).toMatchObject({ ok: true, value: { sounds: true } });
    const before = settings.load();
    expect(await call(preview, 'settings.save', SAVE)).toEqual({
      ok: false,
      error: 'the preview window may not call settings.save',
    });
    expect(await call(preview, 'presence.set', { state: 'busy' })).toEqual({
      ok: false,
      error: 'the preview window may not call presence.set',
    });
    expect(settings.load()).toBe(before);
    expect(log.records).toContainEqual(
      expect.objectContaining({
        msg: 'command refused',
        fields: expect.objectContaining({ command: 'settings.save', window: 'preview' }) as unknown,
      }),
    );
  });

  it('the call page may answer and decline, not chat', async () => {
    const { harness } = await setup();
    const callPage = await connect(harness.url, '?window=call');
    expect(await call(callPage, 'chats.send', { interactionId: 'ix-1', text: 'hi' })).toEqual({
      ok: false,
      error: 'the call window may not call chats.send',
    });
    // Allowed, so the core answers (there is no such call).
    expect(await call(callPage, 'calls.decline', { callId: 'c-1' })).not.toMatchObject({
      error: expect.stringMatching(/may not call/) as unknown,
    });
  });

  it('a page that names no kind is the main window; an unknown kind is refused at the door', async () => {
    const { harness, settings } = await setup();
    const main = await connect(harness.url, '');
    // The same account, servers and routing points (no sign-in again: nothing connects anywhere).
    const stored = settings.load();
    const save = { ...SAVE, account: stored.account, servers: stored.servers, sounds: false };
    expect(
      await call(main, 'settings.save', { ...save, trustedRoutingPoints: stored.trustedRoutingPoints }),
    ).toMatchObject({
      ok: true,
      value: { sounds: false, trustedRoutingPoints: ['sip:rp@lab.local'] },
    });
    expect(settings.load().sounds).toBe(false);
    await expect(connect(harness.url, '?window=admin')).rejects.toThrow(/403/);
    await expect(connect(harness.url, '?window=')).rejects.toThrow(/403/);
    await expect(connect(harness.url, '?window=__proto__')).rejects.toThrow(/403/);
  });
});
