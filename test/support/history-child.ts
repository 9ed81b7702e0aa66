/**
 * A KW's conversations and file history in a child process, so a test can run
 * them as another (non-root) user, for whom a read-only folder really is one.
 * Prints one JSON line per step; waits for a line on stdin before the last.
 *   node --import tsx test/support/history-child.ts <history dir>   (the test runs it bundled)
 */
import { createInterface } from 'node:readline';
import { FileHistoryStore } from '../../main/core/history/file-history-store.js';
import { ConversationService } from '../../main/core/conversations/conversation-service.js';
import { TrustedRoutingPoints } from '../../main/core/previews/trusted-routing-points.js';
import { memoryLogger } from '../../main/core/log.js';

const dir = process.argv[2] ?? '';
const ID = '33333333-3333-4333-8333-333333333333';
const agent = { uri: 'sip:agent1@lab.local', displayName: 'Agent One' };
const history = new FileHistoryStore({ dir, logger: memoryLogger().logger });
const service = new ConversationService({
  transport: { sendMessage: () => Promise.resolve({ status: 200, reason: 'OK' }) },
  control: { send: () => Promise.resolve() },
  history,
  logger: memoryLogger().logger,
  trustedRoutingPoints: new TrustedRoutingPoints(['sip:billing@lab.local']),
});
const report = (step: string): void => {
  const chat = service.get(ID);
  const line = {
    step,
    uid: process.getuid?.(),
    status: history.status(),
    conversations: service.list().map((c) => c.interactionId),
    ...(chat ? { messages: chat.messages.map((m) => m.text) } : {}),
  };
  console.log(JSON.stringify(line));
};

await service.restore();
report('started');
service.open({
  v: 1,
  type: 'preview',
  interactionId: ID,
  agent,
  routingPoint: 'sip:billing@lab.local',
  subject: 'Read-only',
  text: 'first',
  userData: {},
  expiresAt: '2030-01-01T00:00:00Z',
});
service.receiveText(agent, ID, 'second');
await history.flushed();
report('chatting');
const input = createInterface({ input: process.stdin });
for await (const _line of input) break;
service.receiveText(agent, ID, 'third');
await history.flushed();
report('changed');
input.close();
