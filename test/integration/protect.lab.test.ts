/**
 * Protecting the experts and waiting for a DND to end (issue 16, points 1 and
 * 2) over real SIP: the lab server, the lab router, an agent bot, and a real
 * KW core. A KW who misses 3 requests in a row is paused (the `paused` control
 * message reaches their desktop), is not offered meanwhile, and comes back by
 * publishing Available or with "Receive requests again"; an interaction waits
 * for a KW whose timed Do not disturb ends within the wait, and says so.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import type { RawRouterConfig } from '../../router/config.js';
import { startRouter, type RunningRouter } from '../../router/index.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { pausedView } from '../../main/app/views.js';
import { labServer, type ServerUnderTest } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { createRouterTestAgent, createTestAgent, eventually, startRegistered } from '../support/agents.js';
import { startKw, type TestKw } from '../support/kw-desk.js';

type Point = RawRouterConfig['routingPoints'][number];

describe('protecting the experts (lab SIP server)', () => {
  const log = memoryLogger('warn');
  const later = cleanupAfterEach();

  async function lab(point: Partial<Point>): Promise<{
    s: ServerUnderTest;
    r: RunningRouter;
    k: TestKw;
    bot: AgentBot;
    rp: string;
  }> {
    const s = await labServer.start({ logger: log.logger });
    later(() => s.close());
    const rp = `sip:billing@${s.domain}`;
    const k = await startKw(s, 'kw1', log.logger, { trustedRoutingPoints: [rp] });
    later.peer(() => k.stop());
    const r = await startRouter({
      config: {
        domain: s.domain,
        routingPoints: [
          {
            uri: 'billing',
            displayName: 'Billing experts',
            strategy: 'longest-idle',
            members: ['kw1'],
            previewTimeoutSeconds: 10,
            ...point,
          },
        ],
      },
      servers: [s.url],
      domain: s.domain,
      logger: log.logger.child('router'),
      createAgent: createRouterTestAgent,
    });
    later.peer(() => r.close());
    await eventually(
      () => r.routingState(k.uri).kind === 'Ready',
      8000,
      () => 'router never saw kw1 Ready',
    );
    const agentUa = createTestAgent(s, 'agent1', { logger: log.logger, displayName: 'Agent One' });
    later.peer(() => agentUa.stop(1500));
    await startRegistered(agentUa);
    const bot = new AgentBot({ agent: agentUa, logger: log.logger });
    later.peer(async () => bot.dispose());
    return { s, r, k, bot, rp };
  }

  /** One request the KW declines (a miss). */
  async function missOne(t: { k: TestKw; bot: AgentBot; rp: string }, n: number): Promise<void> {
    const asked = t.bot.askExpert(t.rp, { text: `Question ${n}`, subject: `Case ${n}` });
    const { preview } = await t.k.nextPreview();
    await t.k.core.previews.decline(preview.interactionId, 'busy');
    expect((await asked).kind).toBe('not-routed');
  }

  it('pauses a KW after 3 misses in a row, offers them nothing, and takes them back on Available', async () => {
    const t = await lab({ maxConsecutiveMisses: 3, waitForAvailableSeconds: 1.5 });
    for (const n of [1, 2, 3]) await missOne(t, n);

    await eventually(
      () => t.k.core.pauses.list().length === 1,
      5000,
      () => 'the KW never got paused',
    );
    expect(pausedView(t.k.core.pauses.list())).toEqual({
      paused: { sentence: 'You missed 3 requests, so Billing experts stopped sending you requests.' },
    });
    expect(t.r.events().filter((e) => e.event === 'paused')).toMatchObject([
      { kw: t.k.uri, reason: 'missed 3 requests in a row' },
    ]);

    // Paused: Ready as far as presence goes, yet not offered; the agent hears nobody is available.
    expect(t.r.routingState(t.k.uri).kind).toBe('Ready');
    const waited = await t.bot.askExpert(t.rp, { text: 'Anyone?', subject: 'Case 4' });
    expect(waited).toMatchObject({ kind: 'not-routed', reason: 'no-kw-available' });
    expect(t.k.core.previews.list()).toEqual([]);

    // Back: Do not disturb, then Available again (what the desktop publishes).
    await t.k.core.presence.set('dnd');
    await eventually(
      () => t.r.routingState(t.k.uri).kind === 'NotReady',
      5000,
      () => 'never saw DND',
    );
    await t.k.core.presence.set('available');
    await eventually(
      () => t.r.events().some((e) => e.event === 'resumed' && e.reason === 'available'),
      5000,
      () => 'the router never took the KW back',
    );
    expect(t.k.core.pauses.list()).toEqual([]);
    const asked = t.bot.askExpert(t.rp, { text: 'Now?', subject: 'Case 5' });
    const { preview } = await t.k.nextPreview();
    await t.k.core.previews.accept(preview.interactionId);
    expect((await asked).kind).toBe('routed');
  });

  it('"Receive requests again" sends resume and the routing point offers again', async () => {
    const t = await lab({ maxConsecutiveMisses: 1, waitForAvailableSeconds: 1 });
    await missOne(t, 1);
    await eventually(
      () => t.k.core.pauses.list().length === 1,
      5000,
      () => 'never paused',
    );
    await t.k.core.pauses.resumeAll();
    await eventually(
      () => t.r.events().some((e) => e.event === 'resumed' && e.reason === 'resume'),
      5000,
      () => 'the router never heard resume',
    );
    const asked = t.bot.askExpert(t.rp, { text: 'Again', subject: 'Case 2' });
    const { preview } = await t.k.nextPreview();
    await t.k.core.previews.accept(preview.interactionId);
    expect((await asked).kind).toBe('routed');
  });

  it('waits for a KW whose Do not disturb ends within the wait, says so, and offers them when back', async () => {
    const t = await lab({ waitForDndEnding: true, waitForAvailableSeconds: 20 });
    const until = Date.now() + 3000;
    await t.k.core.presence.setDndUntil(until);
    await eventually(
      () => t.r.routingState(t.k.uri).kind === 'NotReady',
      5000,
      () => 'never saw DND',
    );

    const asked = t.bot.askExpert(t.rp, { text: 'Soon?', subject: 'Case 1' });
    await eventually(
      () => t.r.events().some((e) => e.event === 'waiting'),
      5000,
      () => 'no waiting event',
    );
    const waiting = t.r.events().find((e) => e.event === 'waiting');
    // The PIDF carries milliseconds: the router reads the same instant.
    expect(waiting).toMatchObject({
      kw: t.k.uri,
      reason: `back from Do not disturb at ${new Date(until).toISOString()}`,
    });
    expect(t.k.core.previews.list()).toEqual([]);

    // The desktop ends its DND by itself and publishes Available: the offer follows.
    const { preview } = await t.k.nextPreview(10_000);
    await t.k.core.previews.accept(preview.interactionId);
    expect((await asked).kind).toBe('routed');
  });
});
