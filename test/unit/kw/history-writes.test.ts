/**
 * The bytes history writes grow with the chat, not with its square: 2,000
 * messages through the real conversation service (1,000 in, 1,000 out with
 * their delivery updates) into a real journal on disk, counted at the store's
 * file port, against the final conversation as compact JSON. Rewriting the
 * whole file per change (the old store) wrote about 1,500 × that for such a
 * chat (test/bench/history-writes.bench.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileHistoryStore } from '../../../main/core/history/file-history-store.js';
import { ConversationService } from '../../../main/core/conversations/conversation-service.js';
import { TrustedRoutingPoints } from '../../../main/core/previews/trusted-routing-points.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeClock } from '../../support/fake-clock.js';
import { countingFiles } from '../../support/counting-files.js';
import { tempDirs } from './history-fixtures.js';

const tempDir = tempDirs();
const ID = '44444444-4444-4444-8444-444444444444';
const AGENT = { uri: 'sip:agent1@lab.local', displayName: 'Agent One' };

describe('history writes', () => {
  it(
    '2,000 messages through the conversation service write less than 4 × what the chat holds',
    { timeout: 30_000 },
    async () => {
      const dir = await tempDir();
      const files = countingFiles();
      const clock = new FakeClock();
      const history = new FileHistoryStore({ dir, logger: memoryLogger().logger, clock, files });
      const service = new ConversationService({
        transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
        control: { send: () => Promise.resolve() },
        history,
        logger: memoryLogger().logger,
        clock,
        trustedRoutingPoints: new TrustedRoutingPoints(['sip:billing@lab.local']),
      });
      await service.restore();
      service.open({
        v: 1,
        type: 'preview',
        interactionId: ID,
        agent: AGENT,
        routingPoint: 'sip:billing@lab.local',
        subject: 'A long chat',
        text: '',
        userData: { CaseNumber: '42' },
        expiresAt: '2030-01-01T00:00:00Z',
      });
      for (let i = 0; i < 1000; i += 1) {
        clock.advance(1000);
        expect(
          service.receiveText(AGENT, ID, `Question ${i}: could you check invoice ${i} for me?`).status,
        ).toBe(200);
        await history.flushed();
        await service.send(ID, `Answer ${i}: invoice ${i} is paid, the receipt went out yesterday.`);
        await history.flushed();
      }
      const final = service.get(ID);
      expect(final?.messages).toHaveLength(2000);
      // What the chat holds, as compact JSON; the journal on disk is within the same bound.
      const stateSize = Buffer.byteLength(JSON.stringify(final));
      expect(files.bytesWritten).toBeLessThan(4 * stateSize);
      expect((await readFile(join(dir, `${ID}.jsonl`))).length).toBeLessThan(4 * stateSize);
      const { conversations } = await new FileHistoryStore({ dir, logger: memoryLogger().logger }).loadAll();
      expect(conversations).toEqual([service.get(ID)]);
    },
  );
});
