/**
 * The whole IM scenario end to end in Node (issue: presence, previews, chats,
 * router): the real KW core, the lab router and an agent bot over real SIP.
 * Written once, run against the lab server and against Kamailio.
 */
import { describe, expect, it } from 'vitest';
import { SipRequestError } from '../../main/core/sip/request.js';
import { memoryLogger } from '../../main/core/log.js';
import { encodeControlMessage } from '../../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../../wire/content-types.js';
import { KwCore } from '../../main/core/kw-core.js';
import { FileHistoryStore } from '../../main/core/history/file-history-store.js';
import {
  startRouter,
  type RawRouterConfig,
  type RunningRouter,
  type RoutingState,
} from '../../router/index.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import type { ServerFactory, ServerUnderTest } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import {
  createRouterTestAgent,
  createTestAgent,
  eventually,
  startRegistered,
  withDeadline,
} from '../support/agents.js';
import { startKw, type TestKw, type TestKwOptions } from '../support/kw-desk.js';
import { malformedControlBodies } from '../support/malformed-control.js';
import { readUserData, userDataHeaders } from '../../wire/user-data.js';
import { MINIMAL_SDP } from '../support/sdp.js';
import { defineKwInboundScenarios } from './kw-inbound.js';

type RawRoutingPoint = RawRouterConfig['routingPoints'][number];

export function defineImRoutingScenarios(factory: ServerFactory): void {
  const log = memoryLogger('warn');
  const later = cleanupAfterEach();

  async function server(): Promise<ServerUnderTest> {
    const s = await factory.start({ logger: log.logger });
    later(() => s.close());
    return s;
  }

  async function router(s: ServerUnderTest, routingPoints: RawRoutingPoint[]): Promise<RunningRouter> {
    const r = await startRouter({
      config: { domain: s.domain, routingPoints },
      servers: [s.url],
      domain: s.domain,
      logger: log.logger.child('router'),
      createAgent: createRouterTestAgent,
    });
    later.peer(() => r.close());
    return r;
  }

  async function kw(
    s: ServerUnderTest,
    user: string,
    options: Omit<TestKwOptions, 'trustedRoutingPoints'> = {},
  ): Promise<TestKw> {
    const k = await startKw(s, user, log.logger, { trustedRoutingPoints: trusted(s), ...options });
    later.peer(() => k.stop());
    return k;
  }

  async function bot(s: ServerUnderTest, user = 'agent1'): Promise<AgentBot> {
    const agent = createTestAgent(s, user, { logger: log.logger, displayName: 'Agent One' });
    later.peer(() => agent.stop(1500));
    await startRegistered(agent);
    const b = new AgentBot({ agent, logger: log.logger });
    later.peer(async () => b.dispose());
    return b;
  }

  function routerSees(
    r: RunningRouter,
    uri: string,
    kind: RoutingState['kind'],
    timeoutMs = 8000,
  ): Promise<void> {
    if (r.routingState(uri).kind === kind) return Promise.resolve();
    return withDeadline(
      new Promise<void>((resolve) => {
        const off = r.onRoutingState((c) => {
          if (c.kw === uri && c.current.kind === kind) {
            off();
            resolve();
          }
        });
      }),
      timeoutMs,
      () => `router never saw ${uri} as ${kind}; it sees ${JSON.stringify(r.routingState(uri))}`,
    );
  }

  const rp = (s: ServerUnderTest, name: string): string => `sip:${name}@${s.domain}`;
  /** The routing points these scenarios run: the KWs trust exactly these. */
  const trusted = (s: ServerUnderTest): string[] => [rp(s, 'billing'), rp(s, 'claims')];

  /** The first preview offered to any of these KWs (without taking it from their queues). */
  function firstPreview(kws: TestKw[], timeoutMs = 10_000): Promise<{ kw: TestKw; interactionId: string }> {
    return withDeadline(
      new Promise((resolve) => {
        for (const k of kws) {
          const pending = k.core.previews.list()[0];
          if (pending) resolve({ kw: k, interactionId: pending.preview.interactionId });
          k.core.previews.on('added', (p) => resolve({ kw: k, interactionId: p.preview.interactionId }));
        }
      }),
      timeoutMs,
      () => 'no preview offered',
    );
  }

  describe(`${factory.kind}: one KW`, () => {
    it('preview → accept → routed → chat both ways with typing → end; history survives a restart', async () => {
      const s = await server();
      const k = await kw(s, 'kw1');
      const r = await router(s, [
        { uri: 'billing', strategy: 'longest-idle', members: ['kw1'], previewTimeoutSeconds: 10 },
      ]);
      await routerSees(r, k.uri, 'Ready');
      const b = await bot(s);

      const asked = b.askExpert(rp(s, 'billing'), {
        text: 'Customer disputes invoice 42 <b>urgent</b>',
        subject: 'Billing dispute',
        userData: { CaseNumber: '42', CustomerName: 'Renée Ø' },
      });
      const { preview } = await k.nextPreview();
      expect(preview).toMatchObject({
        agent: { uri: `sip:agent1@${s.domain}` },
        routingPoint: rp(s, 'billing'),
        subject: 'Billing dispute',
        text: 'Customer disputes invoice 42 <b>urgent</b>',
        userData: { CaseNumber: '42', CustomerName: 'Renée Ø' },
      });
      expect(Date.parse(preview.expiresAt)).toBeGreaterThan(Date.now());
      await k.core.previews.accept(preview.interactionId);
      const outcome = await asked;
      expect(outcome).toMatchObject({
        kind: 'routed',
        interactionId: preview.interactionId,
        kw: { uri: k.uri },
      });
      const id = preview.interactionId;

      // Agent → KW
      const changed = withDeadline(
        k.core.conversations.once('changed', (c) => c.messages.some((m) => m.text === 'Are you there?')),
        5000,
        () => 'KW never got the message',
      );
      await b.say(id, 'Are you there?');
      await changed;
      // KW typing → agent sees it; KW → agent, delivered
      const typing = withDeadline(
        b.once('typing', (t) => t.state === 'active'),
        5000,
        () => 'no typing at the agent',
      );
      await k.core.conversations.setComposing(id, true);
      await typing;
      const got = withDeadline(
        b.once('message', (m) => m.text === 'Yes, looking at it'),
        5000,
        () => 'agent got nothing',
      );
      const sent = await k.core.conversations.send(id, 'Yes, looking at it');
      expect(sent.delivery).toBe('delivered');
      await got;
      expect(r.load(k.uri)).toBe(1);

      // KW ends: the agent hears it and the router frees the KW.
      const ended = withDeadline(
        b.once('ended', (e) => e.interactionId === id),
        5000,
        () => 'agent not told of the end',
      );
      await k.core.conversations.end(id);
      await ended;
      await withDeadline(
        (async () => {
          while (r.load(k.uri) !== 0) await new Promise((res) => setTimeout(res, 50));
        })(),
        5000,
        () => 'router kept the KW reserved',
      );

      // History on disk, read by a fresh core.
      await k.stop();
      const fresh = new KwCore({
        agent: createTestAgent(s, 'kw1', { logger: log.logger }),
        history: new FileHistoryStore({ dir: k.historyDir, logger: log.logger }),
        logger: log.logger,
        trustedRoutingPoints: trusted(s),
      });
      await fresh.conversations.restore();
      // Ended conversations come back as summaries; the messages are read from disk when opened.
      expect(fresh.conversations.get(id)).toBeUndefined();
      const restored = await fresh.conversations.read(id);
      expect(restored).toMatchObject({ state: 'ended', endedBy: 'me', subject: 'Billing dispute' });
      expect(restored?.messages.map((m) => `${m.direction}:${m.text}`)).toEqual([
        'in:Customer disputes invoice 42 <b>urgent</b>',
        'in:Are you there?',
        'out:Yes, looking at it',
      ]);
    });
  });

  describe(`${factory.kind}: two KWs`, () => {
    it('the first declines → the second gets the preview', async () => {
      const s = await server();
      const k1 = await kw(s, 'kw1');
      const k2 = await kw(s, 'kw2');
      const r = await router(s, [
        { uri: 'billing', strategy: 'round-robin', members: ['kw1', 'kw2'], previewTimeoutSeconds: 10 },
      ]);
      await routerSees(r, k1.uri, 'Ready');
      await routerSees(r, k2.uri, 'Ready');
      const b = await bot(s);
      const asked = b.askExpert(rp(s, 'billing'), { text: 'help' });
      const first = await firstPreview([k1, k2]);
      const [decliner, other] = first.kw === k1 ? [k1, k2] : [k2, k1];
      await decliner.core.previews.decline(first.interactionId, 'in a meeting');
      const second = await other.nextPreview();
      expect(second.preview.interactionId).toBe(first.interactionId);
      await other.core.previews.accept(second.preview.interactionId);
      expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: other.uri } });
    });

    it('the first does not answer → preview-cancel timeout reaches it and the second gets it', async () => {
      const s = await server();
      const k1 = await kw(s, 'kw1');
      const k2 = await kw(s, 'kw2');
      const r = await router(s, [
        { uri: 'billing', strategy: 'round-robin', members: ['kw1', 'kw2'], previewTimeoutSeconds: 1.5 },
      ]);
      await routerSees(r, k1.uri, 'Ready');
      await routerSees(r, k2.uri, 'Ready');
      const b = await bot(s);
      const asked = b.askExpert(rp(s, 'billing'), { text: 'anyone?' });
      const first = await firstPreview([k1, k2]);
      const [silent, other] = first.kw === k1 ? [k1, k2] : [k2, k1];
      const cancelled = withDeadline(
        new Promise<string>((resolve) => {
          silent.core.previews.on('removed', (e) => e.end.kind === 'cancelled' && resolve(e.end.reason));
          silent.core.previews.on('late-cancel', (e) => resolve(e.reason));
        }),
        8000,
        () => 'the silent KW never got preview-cancel',
      );
      expect(await cancelled).toBe('timeout');
      const second = await other.nextPreview();
      await other.core.previews.accept(second.preview.interactionId);
      expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: other.uri } });
    });

    it('broadcast: both get it, the first accept wins, the other gets taken', async () => {
      const s = await server();
      const k1 = await kw(s, 'kw1');
      const k2 = await kw(s, 'kw2');
      const r = await router(s, [
        { uri: 'claims', strategy: 'broadcast', members: ['kw1', 'kw2'], previewTimeoutSeconds: 10 },
      ]);
      await routerSees(r, k1.uri, 'Ready');
      await routerSees(r, k2.uri, 'Ready');
      const b = await bot(s);
      const asked = b.askExpert(rp(s, 'claims'), { text: 'flood damage claim' });
      const [p1, p2] = await Promise.all([k1.nextPreview(), k2.nextPreview()]);
      expect(p1.preview.interactionId).toBe(p2.preview.interactionId);
      const taken = withDeadline(
        new Promise<string>((resolve) =>
          k2.core.previews.on('removed', (e) => e.end.kind === 'cancelled' && resolve(e.end.reason)),
        ),
        5000,
        () => 'kw2 was not told',
      );
      await k1.core.previews.accept(p1.preview.interactionId);
      expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: k1.uri } });
      expect(await taken).toBe('taken');
    });
  });

  describe(`${factory.kind}: presence decides`, () => {
    it('Busy, DND, Away and offline KWs are not offered; one turning Available while the agent waits is', async () => {
      const s = await server();
      const busy = await kw(s, 'kw1', { presence: 'busy' });
      const dnd = await kw(s, 'kw2', { presence: 'dnd' });
      const away = await kw(s, 'kw3', { presence: 'away' });
      const offline = await kw(s, 'kw4', { presence: 'offline' });
      const r = await router(s, [
        {
          uri: 'billing',
          strategy: 'longest-idle',
          members: ['kw1', 'kw2', 'kw3', 'kw4'],
          previewTimeoutSeconds: 10,
          waitForAvailableSeconds: 6,
        },
      ]);
      await routerSees(r, busy.uri, 'NotReady');
      await routerSees(r, dnd.uri, 'NotReady');
      await routerSees(r, away.uri, 'NotReady');
      await routerSees(r, offline.uri, 'LoggedOut');
      expect(r.routingState(dnd.uri)).toEqual({ kind: 'NotReady', reason: 'dnd' });
      const b = await bot(s);
      const asked = b.askExpert(rp(s, 'billing'), { text: 'waiting for someone' });
      await new Promise((res) => setTimeout(res, 1000));
      for (const k of [busy, dnd, away, offline]) expect(k.core.previews.list()).toEqual([]);
      await away.core.presence.set('available');
      const { preview } = await away.nextPreview();
      await away.core.previews.accept(preview.interactionId);
      expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: away.uri } });
    });

    it('nobody available within the wait → not-routed', async () => {
      const s = await server();
      const k = await kw(s, 'kw1', { presence: 'busy' });
      const r = await router(s, [
        {
          uri: 'billing',
          strategy: 'longest-idle',
          members: ['kw1'],
          previewTimeoutSeconds: 5,
          waitForAvailableSeconds: 1.5,
        },
      ]);
      await routerSees(r, k.uri, 'NotReady');
      const b = await bot(s);
      expect(await b.askExpert(rp(s, 'billing'), { text: 'hello?' })).toMatchObject({
        kind: 'not-routed',
        reason: 'no-kw-available',
      });
      expect(k.core.previews.list()).toEqual([]);
    });

    it('capacity 1: a KW in an interaction is not offered a second one', async () => {
      const s = await server();
      const k = await kw(s, 'kw1');
      const r = await router(s, [
        {
          uri: 'billing',
          strategy: 'longest-idle',
          members: ['kw1'],
          capacity: 1,
          previewTimeoutSeconds: 5,
          waitForAvailableSeconds: 1.5,
        },
      ]);
      await routerSees(r, k.uri, 'Ready');
      const b = await bot(s);
      const first = b.askExpert(rp(s, 'billing'), { text: 'first' });
      await k.core.previews.accept((await k.nextPreview()).preview.interactionId);
      expect(await first).toMatchObject({ kind: 'routed' });
      expect(await b.askExpert(rp(s, 'billing'), { text: 'second' })).toMatchObject({ kind: 'not-routed' });
      expect(k.core.previews.list()).toEqual([]);
    });

    it('an agent that ends the chat by telling only the KW still frees the KW: the next request reaches them', async () => {
      const s = await server();
      const k = await kw(s, 'kw1');
      const r = await router(s, [
        { uri: 'billing', strategy: 'longest-idle', members: ['kw1'], capacity: 1, previewTimeoutSeconds: 5 },
      ]);
      await routerSees(r, k.uri, 'Ready');
      const b = await bot(s);
      const first = b.askExpert(rp(s, 'billing'), { text: 'first' });
      const id = (await k.nextPreview()).preview.interactionId;
      await k.core.previews.accept(id);
      expect(await first).toMatchObject({ kind: 'routed' });
      expect(r.load(k.uri)).toBe(1);
      const ended = await b.end(id, undefined, { kwOnly: true });
      expect(ended.sent.map((x) => x.to)).toEqual([k.uri]);
      await eventually(
        () => r.load(k.uri) === 0,
        5000,
        () => 'the router never freed the KW',
      );
      expect(r.interaction(id)?.phase).toBe('ended');
      const second = b.askExpert(rp(s, 'billing'), { text: 'second' });
      await k.core.previews.accept((await k.nextPreview()).preview.interactionId);
      expect(await second).toMatchObject({ kind: 'routed', kw: { uri: k.uri } });
    });
  });

  describe(`${factory.kind}: refusals`, () => {
    it('a spoofed preview-answer from a KW who was not offered is refused and changes nothing', async () => {
      const s = await server();
      const k1 = await kw(s, 'kw1');
      const k2 = await kw(s, 'kw2', { presence: 'busy' });
      const r = await router(s, [
        { uri: 'billing', strategy: 'longest-idle', members: ['kw1', 'kw2'], previewTimeoutSeconds: 10 },
      ]);
      await routerSees(r, k1.uri, 'Ready');
      const b = await bot(s);
      const asked = b.askExpert(rp(s, 'billing'), { text: 'spoof me' });
      const { preview } = await k1.nextPreview();
      const eventsBefore = r.events().length;
      const spoof = await k2.core.agent
        .sendMessage(
          rp(s, 'billing'),
          encodeControlMessage('preview-answer', {
            interactionId: preview.interactionId,
            decision: 'accept',
          }),
          { contentType: CONTROL_CONTENT_TYPE, headers: [`X-Interaction-Id: ${preview.interactionId}`] },
        )
        .catch((e: unknown) => e);
      expect(spoof).toBeInstanceOf(SipRequestError);
      expect((spoof as SipRequestError).status).toBe(403);
      expect(
        r
          .events()
          .slice(eventsBefore)
          .filter((e) => e.event === 'accepted' || e.event === 'routed'),
      ).toEqual([]);
      expect(k1.core.previews.get(preview.interactionId)).toBeDefined();
      await k1.core.previews.accept(preview.interactionId);
      expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: k1.uri } });
    });

    it('200 malformed control messages to the KW core each get a 4xx; the KW still works afterwards', async () => {
      const s = await server();
      const k = await kw(s, 'kw1');
      const attacker = createTestAgent(s, 'mallory', { logger: log.logger });
      later.peer(() => attacker.stop(1000));
      await startRegistered(attacker);
      const statuses: number[] = [];
      for (const body of malformedControlBodies(Date.now(), 200)) {
        const result = await attacker
          .sendMessage(k.uri, body, { contentType: CONTROL_CONTENT_TYPE })
          .then((r) => r.status)
          .catch((e: unknown) => (e instanceof SipRequestError ? e.status : -1));
        statuses.push(result);
      }
      expect(statuses).toHaveLength(200);
      expect([...new Set(statuses.filter((st) => st < 400 || st >= 500))]).toEqual([]);
      expect(k.core.previews.list()).toEqual([]);
      expect(k.core.conversations.list()).toEqual([]);
      // Still works: a real preview through the router.
      const r = await router(s, [
        { uri: 'billing', strategy: 'longest-idle', members: ['kw1'], previewTimeoutSeconds: 10 },
      ]);
      await routerSees(r, k.uri, 'Ready');
      const b = await bot(s);
      const asked = b.askExpert(rp(s, 'billing'), { text: 'after the storm' });
      await k.core.previews.accept((await k.nextPreview()).preview.interactionId);
      expect(await asked).toMatchObject({ kind: 'routed' });
    });
  });

  describe(`${factory.kind}: escalated calls through the routing point`, () => {
    it('an INVITE with the interaction id reaches the KW who accepted it, headers intact; unknown ids and logged-out KWs are refused', async () => {
      const s = await server();
      const k = await kw(s, 'kw1');
      const r = await router(s, [
        { uri: 'billing', strategy: 'longest-idle', members: ['kw1'], previewTimeoutSeconds: 10 },
      ]);
      await routerSees(r, k.uri, 'Ready');
      const agentUa = createTestAgent(s, 'agent1', { logger: log.logger, displayName: 'Agent One' });
      later.peer(() => agentUa.stop(1500));
      await startRegistered(agentUa);
      const b = new AgentBot({ agent: agentUa, logger: log.logger });
      later.peer(async () => b.dispose());
      const asked = b.askExpert(rp(s, 'billing'), {
        text: 'customer on hold',
        userData: { CaseNumber: '77' },
      });
      await k.core.previews.accept((await k.nextPreview()).preview.interactionId);
      const outcome = await asked;
      if (outcome.kind !== 'routed') throw new Error('not routed');

      const seen: Array<Record<string, string | undefined>> = [];
      k.core.agent.onInvite((invite) => {
        seen.push({
          interactionId: invite.header('X-Interaction-Id'),
          escalation: invite.header('X-Escalation'),
          caseNumber: readUserData(invite.raw).CaseNumber,
        });
        return { kind: 'reject', status: 486, reason: 'Busy Here' };
      });
      const call = (id: string) =>
        agentUa.request('INVITE', rp(s, 'billing'), {
          headers: [
            `X-Interaction-Id: ${id}`,
            'X-Escalation: transfer',
            ...userDataHeaders({ CaseNumber: '77' }),
          ],
          contentType: 'application/sdp',
          body: MINIMAL_SDP,
        });
      const answered = await call(outcome.interactionId);
      expect(seen).toEqual([
        { interactionId: outcome.interactionId, escalation: 'transfer', caseNumber: '77' },
      ]);
      expect(answered.status).toBe(486); // the KW's answer, not the routing point's 302
      expect(
        r
          .events()
          .filter((e) => e.event === 'call-redirected')
          .map((e) => e.kw),
      ).toEqual([k.uri]);

      expect((await call('00000000-0000-4000-8000-000000000000')).status).toBe(404);
      await k.core.presence.set('offline');
      await routerSees(r, k.uri, 'LoggedOut');
      expect((await call(outcome.interactionId)).status).toBe(480);
      expect(seen).toHaveLength(1);
    });
  });

  defineKwInboundScenarios(factory);
}
