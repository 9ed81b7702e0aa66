/**
 * Export of history from the app: one conversation or all, as JSON (the
 * conversation view fields) or a self-contained HTML page whose text is
 * escaped (a hostile `<script>` stays text); handed to the page (harness) or
 * to the host's target (Electron's save dialog). And the unreadable-history
 * state: encrypted history the key does not open reaches the status view,
 * "Keep it aside and start fresh" clears it, "Quit" quits. Real KwApp and
 * core; the SIP server is a closed loopback port (nothing is sent).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { kwCoreFactory } from '../../../main/core/core-factory.js';
import { KwApp } from '../../../main/app/kw-app.js';
import { MemorySecretStore, MemorySettingsStore } from '../../../main/app/ports.js';
import { exportFile, type ExportFile } from '../../../main/app/history-export.js';
import { MemoryHistoryStore, type HistoryStore } from '../../../main/core/history/history-store.js';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import { SealedHistoryFiles } from '../../../main/core/history/sealed-history-files.js';
import type { Conversation } from '../../../main/core/conversations/model.js';
import { memoryLogger } from '../../../main/core/log.js';
import { conversationView } from '../../../main/app/views.js';
import type { ConversationView, StatusView } from '../../../preload/contract.js';
import { labSettings } from '../../support/lab-settings.js';
import { tempDirs } from './history-fixtures.js';
import { unreadableNotice } from '../../../renderer/main/history-notice.js';

const tempDir = tempDirs();
const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

function chat(id: string, subject: string): Conversation {
  return {
    interactionId: id,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Alex <b>Agent</b>' },
    routingPoint: 'sip:billing@lab.local',
    subject,
    userData: { Customer: 'Ann "A" O\'Neil', Note: HOSTILE },
    state: 'ended',
    startedAt: '2026-11-20T10:00:00.000Z',
    endedAt: '2026-11-20T10:05:00.000Z',
    messages: [
      { id: 'i1', direction: 'in', text: HOSTILE, at: '2026-11-20T10:01:00.000Z' },
      {
        id: 'o1',
        direction: 'out',
        text: 'Line one\nline two',
        at: '2026-11-20T10:02:00.000Z',
        delivery: 'delivered',
      },
    ],
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 9;
}

async function startApp(history: HistoryStore, extra: Partial<ConstructorParameters<typeof KwApp>[0]> = {}) {
  const app = new KwApp({
    settings: new MemorySettingsStore(labSettings([`ws://127.0.0.1:${await closedPort()}`])),
    secrets: new MemorySecretStore(),
    createCore: kwCoreFactory({ history, logger: memoryLogger().logger }),
    links: { open: () => Promise.resolve() },
    windows: { showMain: () => undefined, setCallPopup: () => undefined },
    logger: memoryLogger().logger,
    ...extra,
  });
  await app.start();
  return app;
}

describe('history export: the file', () => {
  const views: ConversationView[] = [conversationView(chat(ID, 'Invoice <dispute>'))];
  const now = new Date('2026-12-05T08:00:00Z');

  it('JSON: the conversation view fields, readable back', () => {
    const file = exportFile(views, 'json', now, true);
    expect(file.fileName).toBe('kw-chat-invoice-dispute-2026-12-05.json');
    expect(file.mimeType).toBe('application/json');
    const parsed = JSON.parse(file.content) as { exportedAt: string; conversations: ConversationView[] };
    expect(parsed.exportedAt).toBe(now.toISOString());
    expect(parsed.conversations).toEqual(views);
  });

  it('HTML: self-contained, no script, every text escaped', () => {
    const file = exportFile(views, 'html', now, true);
    expect(file.mimeType).toBe('text/html');
    expect(file.content).not.toMatch(/<script/i);
    expect(file.content).not.toContain('<img');
    expect(file.content).not.toContain('<b>');
    expect(file.content).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;',
    );
    expect(file.content).toContain('Ann &quot;A&quot; O&#39;Neil');
    expect(file.content).toContain('<h2>Invoice &lt;dispute&gt;</h2>');
    expect(file.content).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(file.content).not.toMatch(/\b(src|href)=["']?https?:/);
  });

  it('all conversations: one file named for the history', () => {
    const file = exportFile([...views, conversationView(chat(ID2, ''))], 'html', now, false);
    expect(file.fileName).toBe('kw-history-2026-12-05.html');
    expect(file.content).toContain('2 conversations');
  });
});

describe('history export: the command', () => {
  it('hands the file to the page without a host target (harness), one conversation or all', async () => {
    const history = new MemoryHistoryStore();
    await history.save(chat(ID, 'Invoice'));
    await history.save(chat(ID2, 'Refund'));
    const app = await startApp(history);
    try {
      const one = await app.handlers['history.export']({ interactionId: ID, format: 'html' });
      expect(one.kind).toBe('download');
      if (one.kind !== 'download') return;
      expect(one.fileName).toMatch(/^kw-chat-invoice-\d{4}-\d\d-\d\d\.html$/);
      expect(one.content).toContain('Invoice');
      expect(one.content).not.toContain('Refund');
      expect(one.content).not.toMatch(/<script/i);

      const all = await app.handlers['history.export']({ format: 'json' });
      if (all.kind !== 'download') throw new Error('expected a download');
      const ids = (JSON.parse(all.content) as { conversations: ConversationView[] }).conversations.map(
        (c) => c.interactionId,
      );
      expect(ids.sort()).toEqual([ID, ID2]);

      await expect(
        app.handlers['history.export']({
          interactionId: '33333333-3333-4333-8333-333333333333',
          format: 'json',
        }),
      ).rejects.toThrow('That conversation is no longer in your history.');
    } finally {
      await app.stop();
    }
  });

  it('gives the file to the host target when there is one (Electron: the save dialog)', async () => {
    const history = new MemoryHistoryStore();
    await history.save(chat(ID, 'Invoice'));
    const delivered: ExportFile[] = [];
    const app = await startApp(history, {
      exports: {
        deliver: (file) => {
          delivered.push(file);
          return Promise.resolve({ kind: 'saved', path: `/docs/${file.fileName}` });
        },
      },
    });
    try {
      const result = await app.handlers['history.export']({ interactionId: ID, format: 'json' });
      expect(result).toEqual({ kind: 'saved', path: `/docs/${delivered[0]?.fileName ?? ''}` });
      expect(delivered[0]?.mimeType).toBe('application/json');
    } finally {
      await app.stop();
    }
  });
});

describe('unreadable history: the banner state', () => {
  it('reaches the status view; "Keep it aside" clears it, "Quit" quits', async () => {
    const dir = await tempDir();
    const before = new FileHistoryStore({
      dir,
      logger: memoryLogger().logger,
      files: new SealedHistoryFiles({ state: 'ready', key: randomBytes(32) }),
    });
    await before.loadAll();
    await before.save(chat(ID, 'Invoice'));
    await before.flushed();

    let quits = 0;
    const app = await startApp(
      new FileHistoryStore({
        dir,
        logger: memoryLogger().logger,
        files: new SealedHistoryFiles({
          state: 'replaced',
          key: randomBytes(32),
          reason: 'the key that protects it is missing',
        }),
      }),
      { quit: () => (quits += 1) },
    );
    const statuses: StatusView[] = [];
    app.onEvent((event, payload) => {
      if (event === 'status') statuses.push(payload as StatusView);
    });
    try {
      const snapshot = app.snapshot();
      expect(snapshot.conversations).toEqual([]);
      expect(snapshot.status.history.unreadable).toEqual({
        folder: expect.stringMatching(/unreadable-\d{4}-\d\d-\d\d-\d{6}$/) as unknown,
        reason: 'the key that protects it is missing',
      });
      expect(snapshot.status.history.saving).toBe(true);

      expect(unreadableNotice(snapshot.status.history)).toBe(
        "Your chat history from before can't be read on this computer (the key that protects it is missing). " +
          `It was kept aside in ${snapshot.status.history.unreadable?.folder ?? ''}.`,
      );

      await app.handlers['history.keepAside']({});
      expect(statuses.at(-1)?.history.unreadable).toBeUndefined();
      expect(app.snapshot().status.history.unreadable).toBeUndefined();

      await app.handlers['app.quit']({});
      expect(quits).toBe(1);
    } finally {
      await app.stop();
    }
  });
});
