/**
 * The history warning end to end through the app layer, on the lab SIP server:
 * a KW whose history folder cannot be created starts and signs in, its status
 * says why history is not saved (a sentence), and a `status` event clears it
 * once a retry can write. The folder's path goes through a regular file
 * (ENOTDIR), which fails for root too.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import { startSipServer } from '../../lab/sip-server/index.js';
import { kwCoreFactory } from '../../main/core/core-factory.js';
import { FileHistoryStore } from '../../main/core/history/file-history-store.js';
import { KwApp } from '../../main/app/kw-app.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/app/ports.js';
import { labSettings } from '../support/lab-settings.js';
import type { StatusView } from '../../preload/contract.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { waitForState, withDeadline } from '../support/agents.js';

const later = cleanupAfterEach();

function until(done: () => boolean, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return withDeadline(
    new Promise<void>((resolve) => {
      timer = setInterval(() => done() && resolve(), 20);
    }),
    ms,
    () => what,
  ).finally(() => clearInterval(timer));
}

describe('history status in the app', () => {
  it('starts with a history warning and clears it when the folder can be written', async () => {
    const log = memoryLogger('info');
    const sip = await startSipServer({ port: 0, logger: log.logger });
    later(() => sip.close());
    const root = await mkdtemp(join(tmpdir(), 'kw-history-status-'));
    later(() => rm(root, { recursive: true, force: true }));
    const blocker = join(root, 'data');
    await writeFile(blocker, 'a file where a folder should be');
    const dir = join(blocker, 'history');
    const app = new KwApp({
      settings: new MemorySettingsStore(labSettings([sip.url])),
      secrets: new MemorySecretStore(),
      createCore: kwCoreFactory({
        history: new FileHistoryStore({ dir, logger: log.logger, retryMs: 200 }),
        logger: log.logger,
      }),
      links: { open: () => Promise.resolve() },
      windows: { showMain: () => undefined, setCallPopup: () => undefined },
      logger: log.logger,
    });
    const statuses: StatusView[] = [];
    app.onEvent((event, payload) => {
      if (event === 'status') statuses.push(payload as StatusView);
    });
    await app.start();
    later(() => app.stop());
    expect(app.snapshot().status.history).toEqual({
      saving: false,
      problem: `History can't be saved: the folder ${dir} cannot be created because a file is in its way. Chats are kept until you quit.`,
    });
    await waitForState(app.kwCore.agent, (state) => state.phase === 'registered');

    // Status events from before (the connection's, sent while history was still loading) do not count.
    const before = statuses.length;
    await rm(blocker);
    await mkdir(blocker);
    await until(
      () => statuses.slice(before).some((s) => s.history.saving),
      5_000,
      'the warning never cleared',
    );
    expect(app.snapshot().status.history).toEqual({ saving: true });
  });
});
