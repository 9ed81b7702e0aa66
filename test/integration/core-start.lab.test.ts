/**
 * The core connects and registers while history loads (issue 15): a MESSAGE
 * that arrives before history is in is held, then answered as the restored
 * history says, in the order the MESSAGEs came; none is lost or answered
 * "no such interaction". Real SIP over WebSockets on the lab server; the
 * history store's load is held open by the test.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import { kwCoreFactory } from '../../main/core/core-factory.js';
import { MemoryHistoryStore, type HistoryIndex } from '../../main/core/history/history-store.js';
import type { Conversation } from '../../main/core/conversations/model.js';
import { labServer } from '../support/servers.js';
import { createTestAgent, startRegistered, waitForState } from '../support/agents.js';
import { labSettings } from '../support/lab-settings.js';
import { cleanupAfterEach } from '../support/cleanup.js';

const later = cleanupAfterEach();
const ROUTING_POINT = 'sip:billing@lab.local';

/** A promise the test resolves when it chooses. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open: () => open() };
}

/** A history whose `loadIndex` waits until the test lets it finish. */
class HeldHistory extends MemoryHistoryStore {
  loads = 0;
  private readonly held = gate();

  override async loadIndex(): Promise<HistoryIndex> {
    this.loads += 1;
    await this.held.opened;
    return super.loadIndex();
  }

  release(): void {
    this.held.open();
  }
}

/** A history whose `close` (quitting) waits until the test lets it finish. */
class ClosingHistory extends MemoryHistoryStore {
  closes = 0;
  private readonly held = gate();

  override async close(): Promise<void> {
    this.closes += 1;
    await this.held.opened;
  }

  release(): void {
    this.held.open();
  }
}

function chat(id: string, state: 'active' | 'ended'): Conversation {
  return {
    interactionId: id,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent 1' },
    routingPoint: ROUTING_POINT,
    subject: 'Invoice',
    userData: {},
    state,
    startedAt: '2026-12-01T10:00:00.000Z',
    ...(state === 'ended' ? { endedAt: '2026-12-01T10:05:00.000Z', endedBy: 'me' as const } : {}),
    messages: [{ id: 'm0', direction: 'in', text: 'hello', at: '2026-12-01T10:00:00.000Z' }],
  };
}

describe('core start while history loads', () => {
  it('registers before history is in, holds the MESSAGEs meanwhile and answers them from the restored history', async () => {
    const log = memoryLogger('info');
    const server = await labServer.start({ logger: log.logger.child('lab') });
    later(() => server.close());
    const history = new HeldHistory();
    await history.save(chat('ix-open', 'active'));
    await history.save(chat('ix-done', 'ended'));
    const settings = labSettings([server.url], { trustedRoutingPoints: [ROUTING_POINT] });
    const core = kwCoreFactory({ history, logger: log.logger })({
      account: {
        uri: settings.account.uri,
        displayName: settings.account.displayName,
        servers: [server.url],
      },
      initialPresence: 'available',
      devices: { input: '', output: '' },
      trustedRoutingPoints: [ROUTING_POINT],
    });
    let started = false;
    const start = core.start().then(() => (started = true));
    later(() => core.stop());
    await waitForState(core.agent, (s) => s.phase === 'registered');
    expect(history.loads).toBe(1);
    expect(started).toBe(false);

    const agent = await startRegistered(createTestAgent(server, 'agent1', { logger: log.logger }));
    later(() => agent.stop());
    const send = (id: string, text: string) =>
      agent.sendMessage(settings.account.uri, text, { headers: [`X-Interaction-Id: ${id}`] }).then(
        (r) => r.status,
        (e: { status?: number }) => e.status ?? -1,
      );
    const answers: number[] = [];
    const first = send('ix-open', 'first').then((s) => answers.push(s));
    const second = send('ix-open', 'second').then((s) => answers.push(s));
    const ended = send('ix-done', 'too late').then((s) => answers.push(s));
    // The MESSAGEs reach the core and wait: nothing is answered while history is held.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answers).toEqual([]);
    expect(core.conversations.has('ix-open')).toBe(false);

    history.release();
    await Promise.all([start, first, second, ended]);
    expect(answers.sort()).toEqual([200, 200, 481]);
    expect(core.conversations.get('ix-open')?.messages.map((m) => m.text)).toEqual([
      'hello',
      'first',
      'second',
    ]);
    expect(log.records.some((r) => r.msg.includes('answering the MESSAGEs held meanwhile'))).toBe(true);
  });

  it('quits only once history is closed: stop waits for the writes under way', async () => {
    const log = memoryLogger('warn');
    const server = await labServer.start({ logger: log.logger.child('lab') });
    later(() => server.close());
    const history = new ClosingHistory();
    const core = kwCoreFactory({ history, logger: log.logger })({
      account: { uri: 'sip:kw1@lab.local', displayName: 'Kim', servers: [server.url] },
      initialPresence: 'available',
      devices: { input: '', output: '' },
      trustedRoutingPoints: [ROUTING_POINT],
    });
    await core.start();
    let stopped = false;
    const stopping = core.stop().then(() => (stopped = true));
    later(() => stopping);
    while (history.closes === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false); // unregistered by now, but the history is still writing
    expect(core.agent.isRegistered).toBe(false);
    history.release();
    await stopping;
    expect(history.closes).toBe(1);
  });
});
