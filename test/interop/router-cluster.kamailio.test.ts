/**
 * The router as a cluster, with its faults: two router processes (the CLI,
 * `--store redis://…`) share a real Redis of their own (ephemeral port, AOF
 * on) behind a real Kamailio that forks every MESSAGE and INVITE for the
 * routing point to both. KWs and the agent are real SIP user agents. Each
 * fault the issue names is one test: kill -9 of the instance that made the
 * offer, kill -9 during the chat, Redis stopped and restarted, and 500
 * requests at once over 20 KWs of capacity 1.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import type { SipAgent } from '../../main/core/sip/agent.js';
import { SipRequestError } from '../../main/core/sip/request.js';
import { CONTROL_CONTENT_TYPE } from '../../wire/content-types.js';
import { encodeControlMessage, isControlContentType, parseControlMessage } from '../../wire/control.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import { encodePidf } from '../../wire/presence/pidf.js';
import { presenceDocument } from '../../wire/presence/states.js';
import { openStore } from '../../router/store/index.js';
import { createTestAgent, eventually, startRegistered } from '../support/agents.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { MINIMAL_SDP } from '../support/sdp.js';
import { recordFigure } from '../support/figures.js';
import { redisServerAvailable, startRedisServer, type TestRedis } from '../support/redis-server.js';
import { serverAvailable } from '../support/require-server.js';
import { httpBase, spawnRouter, type RouterProcess } from '../support/router-process.js';
import { kamailioServer, type ServerUnderTest } from '../support/servers.js';

const canRun = (await serverAvailable(kamailioServer)) && (await redisServerAvailable());
const log = memoryLogger('warn');
const later = cleanupAfterEach();

interface Instance {
  readonly name: string;
  /** The CLI arguments it was started with. */
  readonly args: readonly string[];
  readonly process: RouterProcess;
  readonly http: string;
  readonly eventsFile: string;
}

interface Cluster {
  readonly sip: ServerUnderTest;
  readonly redis: TestRedis;
  readonly rp: string;
  readonly instances: readonly Instance[];
}

interface RoutingPointOptions {
  readonly members: number;
  readonly previewTimeoutSeconds: number;
  readonly waitForAvailableSeconds: number;
  readonly maxAttempts?: number;
}

async function startCluster(options: RoutingPointOptions): Promise<Cluster> {
  const sip = await kamailioServer.start({ logger: log.logger.child('kamailio') });
  later(() => sip.close());
  const redis = await startRedisServer();
  later(() => redis.stop());
  const dir = await mkdtemp(join(tmpdir(), 'router-cluster-'));
  later(() => rm(dir, { recursive: true, force: true }));
  const rp = `sip:cluster-experts@${sip.domain}`;
  const configFile = join(dir, 'router.json');
  await writeFile(
    configFile,
    JSON.stringify({
      domain: sip.domain,
      routingPoints: [
        {
          uri: rp,
          strategy: 'longest-idle',
          members: Array.from({ length: options.members }, (_, i) => `kw${i + 1}`),
          previewTimeoutSeconds: options.previewTimeoutSeconds,
          waitForAvailableSeconds: options.waitForAvailableSeconds,
          ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
        },
      ],
    }),
  );
  const instances = await Promise.all(
    ['a', 'b'].map(async (name): Promise<Instance> => {
      const eventsFile = join(dir, `events-${name}.jsonl`);
      const args = [
        '--config',
        configFile,
        '--server',
        sip.url,
        '--store',
        redis.url,
        '--instance',
        name,
        '--events',
        eventsFile,
        '--http',
        '127.0.0.1:0',
      ];
      const process = spawnRouter(args, later);
      return { name, args, process, http: await httpBase(process), eventsFile };
    }),
  );
  for (const i of instances) await healthy(i);
  return { sip, redis, rp, instances };
}

async function health(i: Instance): Promise<{ status: number; body: { reasons?: string[] } }> {
  const res = await fetch(`${i.http}/healthz`);
  return { status: res.status, body: (await res.json()) as { reasons?: string[] } };
}

async function healthy(i: Instance): Promise<void> {
  await eventually(
    async () => (await health(i)).status === 200,
    20_000,
    () => `instance ${i.name} never healthy:\n${i.process.output()}`,
  );
}

interface RouterEventLine {
  readonly event: string;
  readonly interactionId: string;
  readonly kw?: string;
}

async function events(i: Instance): Promise<RouterEventLine[]> {
  const text = await readFile(i.eventsFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RouterEventLine);
}

/** The instance whose event log has `event` for the interaction. */
async function instanceWith(cluster: Cluster, interactionId: string, event: string): Promise<Instance> {
  let found: Instance | undefined;
  await eventually(
    async () => {
      for (const i of cluster.instances) {
        if ((await events(i)).some((e) => e.interactionId === interactionId && e.event === event)) found = i;
      }
      return found !== undefined;
    },
    10_000,
    () => `no instance logged ${event} for ${interactionId}`,
  );
  if (!found) throw new Error('unreachable');
  return found;
}

type KwBehaviour = 'hold' | 'accept-then-end';

interface Kw {
  readonly uri: string;
  readonly agent: SipAgent;
  readonly previews: string[];
  readonly cancels: Array<{ interactionId: string; reason: string }>;
  /** Previews that arrived while this KW already held a preview or an interaction (capacity 1). */
  readonly overbooked: string[];
  accept(interactionId: string): Promise<number>;
}

async function startKw(cluster: Cluster, user: string, behaviour: KwBehaviour): Promise<Kw> {
  const agent = createTestAgent(cluster.sip, user, { logger: log.logger });
  later.peer(() => agent.stop(1000));
  let busy: string | undefined;
  const send = async (type: 'preview-answer' | 'end', interactionId: string): Promise<number> => {
    const body =
      type === 'end'
        ? encodeControlMessage('end', { interactionId, reason: 'done' })
        : encodeControlMessage('preview-answer', { interactionId, decision: 'accept' });
    try {
      return (
        await agent.sendMessage(cluster.rp, body, {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [`${INTERACTION_HEADER}: ${interactionId}`],
        })
      ).status;
    } catch (error) {
      return error instanceof SipRequestError ? error.status : 0;
    }
  };
  const kw: Kw = {
    uri: agent.aor,
    agent,
    previews: [],
    cancels: [],
    overbooked: [],
    accept: (interactionId) => send('preview-answer', interactionId),
  };
  agent.onMessage((m) => {
    if (!isControlContentType(m.contentType)) return { status: 200 };
    const parsed = parseControlMessage(m.contentType, m.body, m.header(INTERACTION_HEADER));
    if (!parsed.ok) return { status: parsed.status };
    const control = parsed.message;
    if (control.type === 'preview') {
      if (busy !== undefined) kw.overbooked.push(control.interactionId);
      busy = control.interactionId;
      kw.previews.push(control.interactionId);
      if (behaviour === 'accept-then-end') {
        const id = control.interactionId;
        setTimeout(() => {
          void send('preview-answer', id).then(async (status) => {
            if (status !== 200) return;
            await new Promise((resolve) => setTimeout(resolve, 30));
            // Free here first: the router may offer the next preview before our `end` is answered.
            if (busy === id) busy = undefined;
            await send('end', id);
          });
        }, 10);
      }
    } else if (control.type === 'preview-cancel') {
      kw.cancels.push({ interactionId: control.interactionId, reason: control.reason });
      if (busy === control.interactionId) busy = undefined;
    }
    return { status: 200 };
  });
  await startRegistered(agent);
  const publisher = agent.createPublisher({ expires: 300 });
  const state = await publisher.publish(encodePidf(presenceDocument(kw.uri, 'available')));
  if (state.kind !== 'published') throw new Error(`${user}: PUBLISH failed`);
  return kw;
}

interface Agent {
  readonly agent: SipAgent;
  /** Every routed / not-routed that reached the agent, per interaction (duplicates included). */
  readonly answers: Map<string, string[]>;
  ask(interactionId?: string): Promise<{ interactionId: string; status: number; retryAfter?: string }>;
}

async function startAgent(cluster: Cluster): Promise<Agent> {
  const agent = createTestAgent(cluster.sip, 'agent1', { logger: log.logger });
  later.peer(() => agent.stop(1000));
  const answers = new Map<string, string[]>();
  agent.onMessage((m) => {
    if (!isControlContentType(m.contentType)) return { status: 200 };
    const parsed = parseControlMessage(m.contentType, m.body, m.header(INTERACTION_HEADER));
    if (!parsed.ok) return { status: parsed.status };
    const c = parsed.message;
    if (c.type === 'routed' || c.type === 'not-routed') {
      const got = answers.get(c.interactionId) ?? [];
      got.push(c.type === 'routed' ? `routed ${c.kw.uri}` : `not-routed ${c.reason}`);
      answers.set(c.interactionId, got);
    }
    return { status: 200 };
  });
  await startRegistered(agent);
  return {
    agent,
    answers,
    async ask(interactionId = randomUUID()) {
      try {
        const sent = await agent.sendMessage(cluster.rp, 'Customer asks about an invoice', {
          contentType: 'text/plain;charset=utf-8',
          headers: [`${INTERACTION_HEADER}: ${interactionId}`],
        });
        return { interactionId, status: sent.status };
      } catch (error) {
        if (!(error instanceof SipRequestError)) throw error;
        const retryAfter = error.response?.header('Retry-After');
        return { interactionId, status: error.status, ...(retryAfter ? { retryAfter } : {}) };
      }
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.runIf(canRun)('router cluster: two instances sharing Redis behind Kamailio', () => {
  it("kill -9 of the instance that made the offer: the KW's Accept still gives exactly one routed; an unanswered preview still times out to the next KW", async () => {
    const cluster = await startCluster({ members: 2, previewTimeoutSeconds: 4, waitForAvailableSeconds: 5 });
    const kw1 = await startKw(cluster, 'kw1', 'hold');
    const kw2 = await startKw(cluster, 'kw2', 'hold');
    const agent = await startAgent(cluster);
    const kws = [kw1, kw2];
    const previewed = async (id: string): Promise<Kw> => {
      let who: Kw | undefined;
      await eventually(
        () => (who = kws.find((k) => k.previews.includes(id))) !== undefined,
        15_000,
        () => `no preview for ${id}`,
      );
      if (!who) throw new Error('unreachable');
      return who;
    };

    // 1. The preview shows; the instance that made it dies; the KW accepts.
    const first = await agent.ask();
    expect(first.status).toBe(200);
    const shown = await previewed(first.interactionId);
    const offering = await instanceWith(cluster, first.interactionId, 'offered');
    const survivor = cluster.instances.find((i) => i !== offering);
    if (!survivor) throw new Error('no survivor');
    await offering.process.kill9();
    const killedAt = Date.now();
    expect(await shown.accept(first.interactionId)).toBe(200);
    await eventually(
      () => agent.answers.has(first.interactionId),
      10_000,
      () => 'no routed after the kill',
    );
    const handledMs = Date.now() - killedAt;
    await sleep(1500); // a duplicate would arrive by now
    expect(agent.answers.get(first.interactionId)).toEqual([`routed ${shown.uri}`]);
    recordFigure('router cluster: kill -9 → the survivor answers the Accept', handledMs, 'ms');

    // 2. A new preview, made by the survivor; a second instance starts and the survivor dies unanswered.
    const second = await agent.ask();
    expect(second.status, survivor.process.output().slice(-3000)).toBe(200);
    const unanswered = await previewed(second.interactionId);
    expect(unanswered).not.toBe(shown); // the first KW holds the first interaction (capacity 1)
    await (await instanceWith(cluster, second.interactionId, 'offered')).process.kill9();
    const deadAt = Date.now();
    const replacement = spawnRouter(
      survivor.args.map((a) =>
        a === survivor.name ? 'c' : a === survivor.eventsFile ? `${survivor.eventsFile}.c` : a,
      ),
      later,
    );
    await httpBase(replacement);
    // Nobody answers: the timeout fires on the new instance; the only other KW is busy → not-routed after the wait.
    await eventually(
      () =>
        unanswered.cancels.some((c) => c.interactionId === second.interactionId && c.reason === 'timeout'),
      20_000,
      () => `the preview never timed out:\n${replacement.output()}`,
    );
    recordFigure(
      'router cluster: kill -9 → preview timeout fired by another instance (after the kill)',
      Date.now() - deadAt,
      'ms',
    );
    await eventually(
      () => agent.answers.has(second.interactionId),
      20_000,
      () => 'no answer for the second request',
    );
    await sleep(1000);
    expect(agent.answers.get(second.interactionId)).toHaveLength(1);
  });

  it('kill -9 during the chat: the escalated INVITE through the routing point still reaches that KW (302)', async () => {
    const cluster = await startCluster({ members: 1, previewTimeoutSeconds: 10, waitForAvailableSeconds: 0 });
    const kw1 = await startKw(cluster, 'kw1', 'hold');
    const agent = await startAgent(cluster);
    const asked = await agent.ask();
    await eventually(
      () => kw1.previews.includes(asked.interactionId),
      10_000,
      () => 'no preview',
    );
    expect(await kw1.accept(asked.interactionId)).toBe(200);
    await eventually(
      () => agent.answers.has(asked.interactionId),
      10_000,
      () => 'not routed',
    );
    const routing = await instanceWith(cluster, asked.interactionId, 'routed');
    const survivor = cluster.instances.find((i) => i !== routing);
    if (!survivor) throw new Error('no survivor');
    await routing.process.kill9();

    const seen: Array<string | undefined> = [];
    kw1.agent.onInvite((invite) => {
      seen.push(invite.header(INTERACTION_HEADER));
      return { kind: 'reject', status: 486, reason: 'Busy Here' };
    });
    const answered = await agent.agent.request('INVITE', cluster.rp, {
      headers: [`${INTERACTION_HEADER}: ${asked.interactionId}`, 'X-Escalation: transfer'],
      contentType: 'application/sdp',
      body: MINIMAL_SDP,
    });
    expect(seen).toEqual([asked.interactionId]); // Kamailio followed the routing point's 302 to the KW
    expect(answered.status).toBe(486); // the KW's own answer
    expect((await events(survivor)).filter((e) => e.event === 'call-redirected').map((e) => e.kw)).toEqual([
      kw1.uri,
    ]);
  });

  it('Redis stopped and restarted: requests get 503 at once while it is down and /healthz says why; the interaction in flight continues', async () => {
    const cluster = await startCluster({ members: 1, previewTimeoutSeconds: 40, waitForAvailableSeconds: 0 });
    const kw1 = await startKw(cluster, 'kw1', 'hold');
    const agent = await startAgent(cluster);
    const inFlight = await agent.ask();
    expect(inFlight.status).toBe(200);
    await eventually(
      () => kw1.previews.includes(inFlight.interactionId),
      10_000,
      () => 'no preview',
    );

    await cluster.redis.kill9();
    const started = Date.now();
    const refused = await agent.ask();
    const refusedMs = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toMatch(/^\d+$/);
    expect(refusedMs).toBeLessThan(2000);
    recordFigure('router cluster: answer to a request while Redis is down', refusedMs, 'ms');
    for (const i of cluster.instances) {
      const h = await health(i);
      expect(h.status).toBe(503);
      expect(h.body.reasons?.join(' ')).toMatch(/store/i);
    }

    await cluster.redis.restart();
    for (const i of cluster.instances) await healthy(i);
    for (const i of cluster.instances) expect(i.process.child.exitCode).toBeNull(); // nothing crashed
    expect(await kw1.accept(inFlight.interactionId)).toBe(200);
    await eventually(
      () => agent.answers.has(inFlight.interactionId),
      10_000,
      () => 'not routed after Redis came back',
    );
    await sleep(1000);
    expect(agent.answers.get(inFlight.interactionId)).toEqual([`routed ${kw1.uri}`]);
    expect(agent.answers.has(refused.interactionId)).toBe(false); // refused: nobody routes it

    // The events reached the bounded Redis stream too (what reporting reads), whichever instance wrote them.
    const reader = await openStore(cluster.redis.url);
    later(() => reader.close());
    const streamed = (await reader.recentEvents(100)).filter(
      (e) => e['interactionId'] === inFlight.interactionId,
    );
    expect(streamed.map((e) => e['event'])).toEqual(
      expect.arrayContaining(['requested', 'offered', 'accepted', 'routed']),
    );
  });

  it('500 requests at once over 20 KWs of capacity 1, two instances: no KW is ever offered two, every request gets exactly one answer', async () => {
    const KWS = Number(process.env.CLUSTER_KWS ?? 20);
    const REQUESTS = Number(process.env.CLUSTER_REQUESTS ?? 500);
    const cluster = await startCluster({
      members: KWS,
      previewTimeoutSeconds: 5,
      waitForAvailableSeconds: 40,
      maxAttempts: 1000,
    });
    const kws = await Promise.all(
      Array.from({ length: KWS }, (_, i) => startKw(cluster, `kw${i + 1}`, 'accept-then-end')),
    );
    const agent = await startAgent(cluster);
    const asked = await Promise.all(Array.from({ length: REQUESTS }, () => agent.ask()));
    expect(asked.filter((a) => a.status !== 200)).toEqual([]);
    await eventually(
      () => asked.every((a) => agent.answers.has(a.interactionId)),
      55_000,
      () => `${asked.filter((a) => !agent.answers.has(a.interactionId)).length} requests unanswered`,
    );
    await sleep(1500);
    const answers = asked.map((a) => agent.answers.get(a.interactionId) ?? []);
    expect(answers.filter((a) => a.length !== 1)).toEqual([]);
    const doubles = kws.flatMap((k) => k.overbooked);
    expect(doubles).toEqual([]);
    const routed = answers.filter((a) => a[0]?.startsWith('routed')).length;
    recordFigure('router cluster: 500 requests / 20 KWs — double assignments', doubles.length, 'count');
    recordFigure('router cluster: 500 requests / 20 KWs — routed', routed, 'count');
    expect(routed).toBeGreaterThan(0);
  }, 120_000);
});
