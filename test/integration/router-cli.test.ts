/**
 * `npm run router` as an operator runs it: the CLI in a process of its own
 * (node --import tsx: one process, so the PID we signal is the router's) on
 * the lab SIP server, with its health and metrics endpoint on a free port. An
 * agent's request flows through it into the metrics and the event log; the
 * SIP server going away turns /healthz to 503 naming the routing point;
 * SIGTERM stops it with exit code 0.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSipServer } from '../../lab/sip-server/index.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { memoryLogger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { METRIC_NAMES } from '../../router/metrics.js';
import { eventually, withDeadline } from '../support/agents.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { FAST_AGENT } from '../support/test-router.js';
import { httpBase, spawnRouter } from '../support/router-process.js';

const later = cleanupAfterEach();
const log = memoryLogger('warn');
const RP = 'sip:cli-experts@lab.local';

describe('npm run router', () => {
  it('serves /healthz and /metrics, turns unhealthy when the SIP server goes, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'router-cli-'));
    later(() => rm(dir, { recursive: true, force: true }));
    const configFile = join(dir, 'router.json');
    const eventsFile = join(dir, 'events.jsonl');
    await writeFile(
      configFile,
      JSON.stringify({
        domain: 'lab.local',
        routingPoints: [
          { uri: RP, strategy: 'longest-idle', members: ['kw1', 'kw2'], waitForAvailableSeconds: 0 },
        ],
      }),
    );
    const sip = await startSipServer({ port: 0, logger: log.logger });
    later(() => sip.close());

    const router = spawnRouter(
      [
        '--config',
        configFile,
        '--server',
        sip.url,
        '--http',
        '127.0.0.1:0',
        '--instance',
        'cli-test',
        '--events',
        eventsFile,
      ],
      later,
    );
    const base = await httpBase(router);
    expect(base).not.toBe('http://127.0.0.1:0');

    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({
      status: 'ok',
      instance: 'cli-test',
      routingPoints: [{ uri: RP, registered: true }],
      unregistered: [],
      store: { kind: 'memory', reachable: true },
    });

    // An agent asks; nobody is Ready and the config does not wait: not routed at once.
    const agentUa = new SipAgent({
      account: { uri: 'sip:agent1@lab.local', servers: [sip.url] },
      logger: log.logger,
      ...FAST_AGENT,
    });
    later(() => agentUa.stop(1000));
    agentUa.start();
    await withDeadline(
      agentUa.once('state', (s) => s.phase === 'registered'),
      10_000,
      () => 'agent not registered',
    );
    const bot = new AgentBot({ agent: agentUa, logger: log.logger });
    expect(await bot.askExpert(RP, { text: 'Invoice question', timeoutMs: 10_000 })).toMatchObject({
      kind: 'not-routed',
      reason: 'no-kw-available',
    });

    const scraped = await fetch(`${base}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await scraped.text();
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain(
      `kw_router_interactions_total{routing_point="${RP}",outcome="requested",instance="cli-test"} 1`,
    );
    expect(text).toContain(
      `kw_router_interactions_total{routing_point="${RP}",outcome="not-routed",reason="no-kw-available",instance="cli-test"} 1`,
    );
    expect(text).toContain(`kw_router_kws{routing_point="${RP}",state="LoggedOut",instance="cli-test"} 2`);
    expect(text).toContain(`kw_router_routing_point_registered{routing_point="${RP}",instance="cli-test"} 1`);
    expect(text).toContain('kw_router_store_errors_total{instance="cli-test"} 0');
    expect(text).toContain('process_resident_memory_bytes{instance="cli-test"}');

    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
    const post = await fetch(`${base}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');

    await agentUa.stop(1000);
    await sip.close();
    let unhealthy: {
      status: number;
      body: { status?: string; reasons?: string[]; unregistered?: string[] };
    } = {
      status: 0,
      body: {},
    };
    await eventually(
      async () => {
        const res = await fetch(`${base}/healthz`);
        unhealthy = { status: res.status, body: (await res.json()) as typeof unhealthy.body };
        return res.status === 503;
      },
      15_000,
      () => `/healthz stayed ${unhealthy.status} after the SIP server stopped`,
    );
    expect(unhealthy.body.status).toBe('unavailable');
    expect(unhealthy.body.unregistered).toEqual([RP]);
    expect(unhealthy.body.reasons).toHaveLength(1);
    expect(unhealthy.body.reasons?.[0]).toContain(`routing point ${RP} is not registered (`);

    process.kill(router.pid, 'SIGTERM');
    const exit = await withDeadline(router.exited, 20_000, () => `router did not exit:\n${router.output()}`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(router.output()).toContain('router stopped');

    const events = (await readFile(eventsFile, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; routingPoint: string });
    expect(events.map((e) => e.event)).toEqual(['requested', 'not-routed']);
    expect(events.every((e) => e.routingPoint === RP)).toBe(true);
  });
});
