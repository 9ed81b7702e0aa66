/**
 * The dashboard's router side against the lab SIP server: a real router, KW
 * stand-ins that PUBLISH the KW Desktop's PIDF and answer previews, an agent
 * bot. The live view (SSE) follows a presence change, an offer and an outcome
 * within 1 s (the figure, measured); the dry run names the KW the
 * router then offers to; two instances on one Redis serve equal counters.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { memoryLogger } from '../../main/core/log.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { systemClock } from '../../router/clock.js';
import { createDashboard } from '../../router/dashboard/index.js';
import { startRouterHttp } from '../../router/http.js';
import {
  startRouter,
  type RawRouterConfig,
  type RouterEvent,
  type RunningRouter,
} from '../../router/index.js';
import { MemoryStore, openStore, type RouterStore, type StoreSpec } from '../../router/store/index.js';
import {
  DashboardSnapshotSchema,
  DryRunResultSchema,
  type DashboardSnapshot,
  type DryRunResult,
} from '../../wire/dashboard.js';
import { createTestAgent, eventually, startRegistered } from '../support/agents.js';
import { redisServerAvailable, startRedisServer } from '../support/redis-server.js';
import { labServer, type ServerUnderTest } from '../support/servers.js';
import { startKwStandIn, type KwStandIn } from '../support/kw-stand-in.js';

const TOKEN = 'dashboard-test-token-0123456789';
const log = memoryLogger('info');
const logger = log.logger;
const cleanups: Array<() => Promise<unknown>> = [];
let server: ServerUnderTest;
let run = 0;
let prefix = '';

beforeAll(async () => {
  server = await labServer.start({ logger: logger.child('lab') });
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((fn) => fn()));
});

function fresh(): void {
  run += 1;
  prefix = `d${run}${Date.now().toString(36).slice(-4)}`;
}
const uriOf = (user: string): string => `sip:${prefix}-${user}@${server.domain}`;

/** A KW that publishes the KW Desktop's PIDF and answers previews when told (or at once with `autoAccept`). */
function kw(user: string, autoAccept = false): Promise<KwStandIn> {
  return startKwStandIn(server, `${prefix}-${user}`, {
    logger,
    autoAccept,
    onCleanup: (stop) => cleanups.push(stop),
  });
}

async function agentBot(): Promise<AgentBot> {
  const agent = createTestAgent(server, `${prefix}-agent`, { logger });
  cleanups.push(() => agent.stop(1500));
  await startRegistered(agent);
  return new AgentBot({ agent, logger: logger.child('bot') });
}

function routerConfig(strategy: 'round-robin' | 'longest-idle', members: string[]): RawRouterConfig {
  return {
    domain: server.domain,
    routingPoints: [
      {
        uri: uriOf('support'),
        strategy,
        members: members.map(uriOf),
        previewTimeoutSeconds: 10,
        waitForAvailableSeconds: 10,
      },
    ],
  };
}

async function router(
  config: RawRouterConfig,
  store: RouterStore,
  instance: string,
  sink?: (e: RouterEvent) => void,
): Promise<RunningRouter> {
  const r = await startRouter({
    config,
    servers: [server.url],
    logger: logger.child(instance),
    store,
    instance,
    ...(sink ? { eventLog: { sink } } : {}),
  });
  cleanups.push(() => r.close());
  expect(r.unregistered).toEqual([]);
  return r;
}

/** The router's --http server with the dashboard, as router/cli.ts builds it. */
async function dashboardHttp(r: RunningRouter, store: RouterStore, instance: string) {
  const staticDir = mkdtempSync(path.join(os.tmpdir(), 'kw-dashboard-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Routing dashboard</title>');
  const dashboard = createDashboard({
    config: r.config,
    store,
    instance,
    token: TOKEN,
    secure: false,
    clock: systemClock,
    logger: logger.child('dashboard'),
    staticDir,
  });
  const http = await startRouterHttp({
    host: '127.0.0.1',
    port: 0,
    logger,
    metrics: { contentType: 'text/plain', scrape: () => Promise.resolve('') },
    health: () => Promise.reject(new Error('not used')),
    dashboard: dashboard.routes.handle.bind(dashboard.routes),
  });
  cleanups.push(async () => {
    dashboard.close();
    await http.close();
  });
  const login = await fetch(`${http.url}/dashboard/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: TOKEN }),
  });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { http, cookie, dashboard };
}

/** Reads the SSE stream in the background: every snapshot with the time it arrived. */
async function liveView(url: string, cookie: string) {
  const received: Array<{ at: number; snapshot: DashboardSnapshot }> = [];
  const controller = new AbortController();
  cleanups.push(() => Promise.resolve(controller.abort()));
  const res = await fetch(`${url}/dashboard/events`, {
    headers: { Cookie: cookie },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  if (!res.body) throw new Error('no event stream body');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: snapshot\ndata: (.*)$/s.exec(block)?.[1];
          if (data === undefined) continue;
          const checked = v.safeParse(DashboardSnapshotSchema, JSON.parse(data));
          if (!checked.success) throw new Error(`a snapshot the page would refuse: ${data}`);
          received.push({ at: Date.now(), snapshot: checked.output });
        }
      }
    } catch {
      // aborted at cleanup
    }
  })();
  /** Milliseconds from `since` to the first snapshot after it that satisfies `check`. */
  const within = async (
    since: number,
    check: (s: DashboardSnapshot) => boolean,
    what: string,
  ): Promise<number> => {
    let hit: { at: number } | undefined;
    await eventually(
      () => (hit = received.find((r) => r.at >= since && check(r.snapshot))) !== undefined,
      5000,
      () =>
        `${what}: not in the live view within 5 s; last: ${JSON.stringify(received.at(-1)?.snapshot.routingPoints)}`,
    );
    return (hit?.at ?? Number.NaN) - since;
  };
  return { received, within };
}

const member = (s: DashboardSnapshot, uri: string) => s.routingPoints[0]?.members.find((m) => m.kw === uri);

async function dryRun(
  url: string,
  cookie: string,
  body: unknown,
): Promise<Extract<DryRunResult, { ok: true }>> {
  const res = await fetch(`${url}/dashboard/dry-run`, {
    method: 'POST',
    headers: { Cookie: cookie, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const result = v.parse(DryRunResultSchema, await res.json());
  if (!result.ok) throw new Error(`dry run problems: ${result.problems.join('; ')}`);
  return result;
}

describe('dashboard on a real router (lab SIP server)', () => {
  it('the live view follows a presence change, an offer and an outcome within 1 s; the dry run names the KW offered', async () => {
    fresh();
    const [kw1, kw2, kw3] = await Promise.all([kw('kw1'), kw('kw2'), kw('kw3')]);
    const bot = await agentBot();
    const store = new MemoryStore();
    cleanups.push(() => store.close());
    const events: Array<{ at: number; event: RouterEvent }> = [];
    const r = await router(routerConfig('round-robin', ['kw1', 'kw2', 'kw3']), store, 'A', (event) =>
      events.push({ at: Date.now(), event }),
    );
    const rp = uriOf('support');
    await eventually(
      () => [kw1, kw2, kw3].every((k) => r.routingState(k.uri).kind === 'Ready'),
      5000,
      () => 'KWs Ready',
    );
    const { http, cookie } = await dashboardHttp(r, store, 'A');
    const view = await liveView(http.url, cookie);
    await view.within(
      0,
      (s) => s.routingPoints[0]?.members.every((m) => m.routingState === 'Ready') ?? false,
      'all Ready',
    );

    // A presence change: from the KW's PUBLISH to the page.
    let t0 = Date.now();
    await kw3.setPresence('dnd');
    const presenceMs = await view.within(
      t0,
      (s) => member(s, kw3.uri)?.reason === 'dnd',
      'KW3 Not Ready (dnd)',
    );

    // The dry run with the presence as it is now, and the router's own choice after it.
    const available = { kind: 'state', state: 'available' } as const;
    const scenario = {
      routingPoint: rp,
      members: [
        { kw: kw1.uri, presence: available },
        { kw: kw2.uri, presence: available },
        { kw: kw3.uri, presence: { kind: 'state', state: 'dnd' } },
      ],
    };
    const first = await dryRun(http.url, cookie, scenario);
    expect(first.order).toEqual([kw1.uri, kw2.uri]);
    expect(first.skipped).toEqual([{ kw: kw3.uri, reason: 'not ready (dnd)' }]);

    const asked = bot.askExpert(rp, {
      text: 'Invoice 7 looks wrong',
      subject: 'Invoice dispute',
      timeoutMs: 20_000,
    });
    await eventually(
      () => events.some((e) => e.event.event === 'offered'),
      5000,
      () => 'an offer',
    );
    const offered = events.find((e) => e.event.event === 'offered');
    if (!offered) throw new Error('no offer');
    expect(offered.event.kw).toBe(first.order[0]);
    const offerMs = await view.within(
      offered.at,
      (s) => member(s, kw1.uri)?.offered === true && s.routingPoints[0]?.waiting[0]?.offeredTo === kw1.uri,
      'the offer to KW1',
    );
    // The subject comes from the interaction's record in the store (saved at the end of the step).
    await view.within(
      offered.at,
      (s) => s.routingPoints[0]?.waiting[0]?.subject === 'Invoice dispute',
      'the subject',
    );

    t0 = Date.now();
    const preview = kw1.previews[0];
    if (!preview) throw new Error('KW1 got no preview');
    expect(await kw1.answer({ interactionId: preview.interactionId, routingPoint: rp }, 'accept')).toBe(200);
    const outcomeMs = await view.within(
      t0,
      (s) =>
        s.today.accepted === 1 &&
        member(s, kw1.uri)?.interactions === 1 &&
        s.routingPoints[0]?.waiting.length === 0,
      'the accept',
    );
    expect((await asked).kind).toBe('routed');

    // Round robin goes on after KW1, who is busy now: the dry run (live cursor and load) and the router agree.
    const second = await dryRun(http.url, cookie, scenario);
    expect(second.order).toEqual([kw2.uri]);
    expect(second.skipped).toEqual([
      { kw: kw1.uri, reason: 'at capacity (1 of 1)' },
      { kw: kw3.uri, reason: 'not ready (dnd)' },
    ]);
    const before = events.length;
    void bot.askExpert(rp, { text: 'Second question', timeoutMs: 20_000 }).catch(() => undefined);
    await eventually(
      () => events.slice(before).some((e) => e.event.event === 'offered'),
      5000,
      () => 'a second offer',
    );
    expect(events.slice(before).find((e) => e.event.event === 'offered')?.event.kw).toBe(second.order[0]);

    // The figure: within 1 s of each change (polled every 250 ms).
    console.info(
      `dashboard latency: presence ${presenceMs} ms, offer ${offerMs} ms, outcome ${outcomeMs} ms`,
    );
    expect(presenceMs).toBeLessThan(1000);
    expect(offerMs).toBeLessThan(1000);
    expect(outcomeMs).toBeLessThan(1000);
  });
});

const canRunRedis = await redisServerAvailable();

describe.runIf(canRunRedis)('dashboard on two router instances sharing one Redis', () => {
  it('serves the same counters and members on either instance', async () => {
    fresh();
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const open = () => openStore(redis.url as StoreSpec, { prefix: `${prefix}:` });
    const [storeA, storeB] = await Promise.all([open(), open()]);
    cleanups.push(
      () => storeA.close(),
      () => storeB.close(),
    );
    const [kw1, kw2] = await Promise.all([kw('kw1', true), kw('kw2', true)]);
    const config = routerConfig('longest-idle', ['kw1', 'kw2']);
    const a = await router(config, storeA, 'A');
    const b = await router(config, storeB, 'B');
    await eventually(
      () => [a, b].every((r) => [kw1, kw2].every((k) => r.routingState(k.uri).kind === 'Ready')),
      5000,
      () => 'Ready on both',
    );
    const bot = await agentBot();
    for (let i = 0; i < 2; i++) {
      const outcome = await bot.askExpert(uriOf('support'), { text: `question ${i}`, timeoutMs: 20_000 });
      expect(outcome.kind).toBe('routed');
    }
    const [dashA, dashB] = await Promise.all([dashboardHttp(a, storeA, 'A'), dashboardHttp(b, storeB, 'B')]);
    const numbers = (s: DashboardSnapshot) => ({
      routingPoints: s.routingPoints,
      last15m: s.last15m,
      today: s.today,
      perMinute: s.perMinute,
      answerTimeHistogram: s.answerTimeHistogram,
    });
    let pair: [DashboardSnapshot, DashboardSnapshot] | undefined;
    await eventually(
      async () => {
        pair = [await dashA.dashboard.feed.poll(), await dashB.dashboard.feed.poll()];
        return (
          pair[0].today.accepted === 2 &&
          JSON.stringify(numbers(pair[0])) === JSON.stringify(numbers(pair[1]))
        );
      },
      5000,
      () => `the instances differ: ${JSON.stringify(pair?.map((s) => s.today))}`,
    );
    if (!pair) throw new Error('no snapshots');
    const [sa, sb] = pair;
    expect(numbers(sa)).toEqual(numbers(sb));
    expect([sa.instance, sb.instance]).toEqual(['A', 'B']);
    expect(sa.today).toMatchObject({ received: 2, offered: 2, accepted: 2 });
    expect(sa.routingPoints[0]?.members.map((m) => [m.routingState, m.interactions])).toEqual([
      ['Ready', 1],
      ['Ready', 1],
    ]);
  });
});
