/**
 * The app's side of the Requests section: the `requests` view in the snapshot
 * and as an event, `requests.markSeen`, `showRequests` for the tray, a preview
 * still pending at stop recorded, and the list kept by its store across a new
 * app. The app and its core are real; the SIP server is a closed loopback
 * port (nothing is sent: previews are fed to the core's inbox).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { kwCoreFactory } from '../../../main/core/core-factory.js';
import { KwApp } from '../../../main/app/kw-app.js';
import { MemorySecretStore, MemorySettingsStore } from '../../../main/app/ports.js';
import { labSettings } from '../../support/lab-settings.js';
import { MemoryHistoryStore } from '../../../main/core/history/history-store.js';
import { memoryLogger } from '../../../main/core/log.js';
import type { RequestStore } from '../../../main/core/requests/request-log.js';
import type { RequestRecord } from '../../../main/core/requests/request-record.js';
import type { EventName, RequestsView } from '../../../preload/contract.js';
import { runCommand } from '../../../main/app/run-command.js';

const RP = 'sip:billing@lab.local';
const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 9;
}

class MemoryRequestStore implements RequestStore {
  saved: readonly RequestRecord[] = [];
  load(): Promise<readonly RequestRecord[]> {
    return Promise.resolve(this.saved);
  }
  save(records: readonly RequestRecord[]): Promise<void> {
    this.saved = structuredClone(records);
    return Promise.resolve();
  }
}

async function startApp(store: RequestStore) {
  const shown: Array<string | undefined> = [];
  const events: Array<{ event: EventName; payload: unknown }> = [];
  const app = new KwApp({
    settings: new MemorySettingsStore(
      labSettings([`ws://127.0.0.1:${await closedPort()}`], { trustedRoutingPoints: [RP] }),
    ),
    secrets: new MemorySecretStore(),
    createCore: kwCoreFactory({ history: new MemoryHistoryStore(), logger: memoryLogger().logger }),
    links: { open: () => Promise.resolve() },
    windows: { showMain: (id) => shown.push(id), setCallPopup: () => undefined },
    logger: memoryLogger().logger,
    requests: store,
  });
  app.onEvent((event, payload) => events.push({ event, payload }));
  await app.start();
  const offer = (interactionId: string) =>
    app.kwCore.previews.receive({
      v: 1,
      type: 'preview',
      interactionId,
      agent: { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent' },
      routingPoint: RP,
      subject: 'Invoice dispute',
      text: 'Can you help?',
      userData: {},
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
  const lastRequests = () =>
    events.filter((e) => e.event === 'requests').at(-1)?.payload as RequestsView | undefined;
  return { app, shown, events, offer, lastRequests };
}

describe('KwApp: requests', () => {
  it('a request taken by someone else: in the snapshot and the event, with its sentence; markSeen clears the count', async () => {
    const { app, offer, lastRequests, events } = await startApp(new MemoryRequestStore());
    expect(app.snapshot().requests).toEqual({ entries: [], unseen: 0 });
    const before = events.length;
    offer(ID);
    app.kwCore.previews.cancel({ v: 1, type: 'preview-cancel', interactionId: ID, reason: 'taken' }, RP);
    // The preview's status goes out at once; the request list once the burst is over, as one event.
    const burst = () => events.slice(before).map((e) => e.event);
    expect(burst()).not.toContain('requests');
    expect(burst()).toContain('status');
    await Promise.resolve();
    expect(burst().filter((e) => e === 'requests')).toHaveLength(1);
    expect(burst().at(-1)).toBe('requests');
    const view = lastRequests();
    expect(view?.unseen).toBe(1);
    expect(view?.entries).toEqual([
      expect.objectContaining({
        kind: 'chat',
        interactionId: ID,
        agent: { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent' },
        subject: 'Invoice dispute',
        outcome: 'taken',
        text: 'Taken by another expert before you answered.',
        seen: false,
      }),
    ]);
    expect(app.snapshot().requests).toEqual(view);

    // Through the command path a window uses: main may, the preview popup may not.
    const log = memoryLogger().logger;
    expect(await runCommand(app.handlers, 'requests.markSeen', {}, log, 'preview')).toEqual({
      ok: false,
      error: 'the preview window may not call requests.markSeen',
    });
    expect(lastRequests()?.unseen).toBe(1);
    expect(await runCommand(app.handlers, 'requests.markSeen', { all: true }, log, 'main')).toMatchObject({
      ok: false,
    });
    expect(await runCommand(app.handlers, 'requests.markSeen', {}, log, 'main')).toEqual({
      ok: true,
      value: null,
    });
    expect(lastRequests()?.unseen).toBe(0);
    expect(lastRequests()?.entries[0]?.seen).toBe(true);
    await app.stop();
  });

  it('showRequests: the main window, and the event that opens the section', async () => {
    const { app, shown, events } = await startApp(new MemoryRequestStore());
    app.showRequests();
    expect(shown).toEqual([undefined]);
    expect(events.at(-1)).toEqual({ event: 'showRequests', payload: {} });
    await app.stop();
  });

  it('a preview still pending at stop is recorded, saved, and there for the next app', async () => {
    const store = new MemoryRequestStore();
    const first = await startApp(store);
    first.offer(ID);
    first.offer(ID2);
    first.app.kwCore.previews.cancel(
      { v: 1, type: 'preview-cancel', interactionId: ID2, reason: 'withdrawn' },
      RP,
    );
    await first.app.stop();
    expect(store.saved.map((r) => [r.interactionId, r.outcome])).toEqual([
      [ID, 'closed'],
      [ID2, 'withdrawn'],
    ]);

    const second = await startApp(store);
    expect(second.app.snapshot().requests.entries.map((e) => e.text)).toEqual([
      'Still waiting when KW Desktop closed or signed in again.',
      'Withdrawn by the agent or the routing point before you answered.',
    ]);
    expect(second.app.snapshot().requests.unseen).toBe(2);
    await second.app.stop();
  });
});
