import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseRouterConfig, type RouterEvent, type RoutingState } from '../../../router/index.js';
import { METRIC_NAMES, RouterMetrics, type MetricsSource } from '../../../router/metrics.js';
import { checkHealth } from '../../../router/http.js';
import { MemoryStore } from '../../../router/store/memory-store.js';

const RP = 'sip:billing@lab.local';
const RP2 = 'sip:claims@lab.local';

function event(
  name: RouterEvent['event'],
  interactionId: string,
  extra: Partial<RouterEvent> = {},
): RouterEvent {
  return { ts: '2026-12-01T09:00:00.000Z', event: name, interactionId, routingPoint: RP, ...extra };
}

/** Values of one metric, keyed by its labels (without `instance`) as `k=v,k=v`. */
async function values(metrics: RouterMetrics, name: string): Promise<Map<string, number>> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const out = new Map<string, number>();
  for (const v of (await metric.get()).values) {
    const labels = Object.entries(v.labels)
      .filter(([k]) => k !== 'instance')
      .map(([k, val]) => `${k}=${String(val)}`)
      .join(',');
    out.set(labels, v.value);
  }
  return out;
}

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('router metrics', () => {
  it('counts offers by outcome and interactions by outcome and reason, from the events', async () => {
    const metrics = new RouterMetrics({ instance: 't1' });
    const feed: RouterEvent[] = [
      event('requested', 'i1', { agent: 'sip:a@lab.local' }),
      event('offered', 'i1', { kw: 'sip:kw1@lab.local' }),
      event('declined', 'i1', { kw: 'sip:kw1@lab.local', reason: 'in a meeting' }),
      event('offered', 'i1', { kw: 'sip:kw2@lab.local' }),
      event('accepted', 'i1', { kw: 'sip:kw2@lab.local' }),
      event('routed', 'i1', { kw: 'sip:kw2@lab.local' }),
      event('ended', 'i1', { kw: 'sip:kw2@lab.local', reason: 'agent' }),
      event('requested', 'i2'),
      event('offered', 'i2', { kw: 'sip:kw1@lab.local' }),
      event('timed-out', 'i2', { kw: 'sip:kw1@lab.local' }),
      event('not-routed', 'i2', { reason: 'timeout' }),
      event('requested', 'i3'),
      event('not-routed', 'i3', { reason: 'no-kw-available' }),
      event('requested', 'i4', { routingPoint: RP2 }),
      event('offered', 'i4', { routingPoint: RP2, kw: 'sip:kw2@lab.local' }),
      event('offered', 'i4', { routingPoint: RP2, kw: 'sip:kw3@lab.local' }),
      event('accepted', 'i4', { routingPoint: RP2, kw: 'sip:kw3@lab.local' }),
      event('cancelled', 'i4', { routingPoint: RP2, kw: 'sip:kw2@lab.local', reason: 'taken' }),
      event('routed', 'i4', { routingPoint: RP2, kw: 'sip:kw3@lab.local' }),
      event('call-requested', 'i1', { escalation: 'transfer' }),
      event('call-offered', 'i1', { kw: 'sip:kw2@lab.local', escalation: 'transfer' }),
      event('call-accepted', 'i1', { kw: 'sip:kw2@lab.local', escalation: 'transfer' }),
    ];
    for (const e of feed) metrics.observe(e);

    expect(await values(metrics, METRIC_NAMES.offers)).toEqual(
      new Map([
        [`routing_point=${RP},kind=chat,outcome=offered`, 3],
        [`routing_point=${RP},kind=chat,outcome=declined`, 1],
        [`routing_point=${RP},kind=chat,outcome=accepted`, 1],
        [`routing_point=${RP},kind=chat,outcome=timed-out`, 1],
        [`routing_point=${RP2},kind=chat,outcome=offered`, 2],
        [`routing_point=${RP2},kind=chat,outcome=accepted`, 1],
        [`routing_point=${RP2},kind=chat,outcome=cancelled`, 1],
        [`routing_point=${RP},kind=call,outcome=offered`, 1],
        [`routing_point=${RP},kind=call,outcome=accepted`, 1],
      ]),
    );
    expect(await values(metrics, METRIC_NAMES.interactions)).toEqual(
      new Map([
        [`routing_point=${RP},outcome=requested`, 3],
        [`routing_point=${RP},outcome=routed`, 1],
        [`routing_point=${RP},outcome=ended,reason=agent`, 1],
        [`routing_point=${RP},outcome=not-routed,reason=timeout`, 1],
        [`routing_point=${RP},outcome=not-routed,reason=no-kw-available`, 1],
        [`routing_point=${RP2},outcome=requested`, 1],
        [`routing_point=${RP2},outcome=routed`, 1],
      ]),
    );
    expect(metrics.pendingDecisions).toBe(0);
  });

  it('times each request to its first preview only, in seconds', async () => {
    const clock = fakeClock();
    const metrics = new RouterMetrics({ instance: 't1', now: clock.now });
    metrics.observe(event('requested', 'i1'));
    clock.advance(40);
    metrics.observe(event('offered', 'i1', { kw: 'sip:kw1@lab.local' }));
    clock.advance(5000);
    // A second preview of the same interaction is not a routing decision.
    metrics.observe(event('offered', 'i1', { kw: 'sip:kw2@lab.local' }));
    metrics.observe(event('requested', 'i2'));
    clock.advance(3000);
    metrics.observe(event('offered', 'i2', { kw: 'sip:kw2@lab.local' }));
    // Withdrawn before any preview: nothing observed, nothing left pending.
    metrics.observe(event('requested', 'i3'));
    metrics.observe(event('ended', 'i3', { reason: 'withdrawn' }));

    const histogram = await values(metrics, METRIC_NAMES.decisionSeconds);
    // prom-client's histogram values carry `le` for buckets, and the _count / _sum series.
    const metric = await metrics.registry.getSingleMetric(METRIC_NAMES.decisionSeconds)?.get();
    const series = (suffix: string): number | undefined =>
      metric?.values.find(
        (v) => 'metricName' in v && v.metricName === `${METRIC_NAMES.decisionSeconds}${suffix}`,
      )?.value;
    expect(series('_count')).toBe(2);
    expect(series('_sum')).toBeCloseTo(3.04, 6);
    expect(histogram.get(`le=0.05,routing_point=${RP}`)).toBe(1);
    expect(histogram.get(`le=2.5,routing_point=${RP}`)).toBe(1);
    expect(histogram.get(`le=5,routing_point=${RP}`)).toBe(2);
    expect(metrics.pendingDecisions).toBe(0);
  });

  it('takes the decision time from the first offered event when it carries one (events leave after the step)', async () => {
    const clock = fakeClock();
    const metrics = new RouterMetrics({ instance: 't1', now: clock.now });
    metrics.observe(event('requested', 'i1'));
    clock.advance(500);
    metrics.observe(event('offered', 'i1', { kw: 'sip:kw1@lab.local', durationMs: 2 }));
    const metric = await metrics.registry.getSingleMetric(METRIC_NAMES.decisionSeconds)?.get();
    const sum = metric?.values.find(
      (v) => 'metricName' in v && v.metricName === `${METRIC_NAMES.decisionSeconds}_sum`,
    )?.value;
    expect(sum).toBeCloseTo(0.002, 6);
  });

  it('scrapes Prometheus text with the instance label, the KW gauges and registration at scrape time', async () => {
    const metrics = new RouterMetrics({ instance: 'router-a' });
    const config = parseRouterConfig({
      domain: 'lab.local',
      routingPoints: [
        { uri: 'billing', strategy: 'longest-idle', members: ['kw1', 'kw2', 'kw3'] },
        { uri: 'claims', strategy: 'broadcast', members: ['kw3'] },
      ],
    });
    const states: Record<string, RoutingState> = {
      'sip:kw1@lab.local': { kind: 'Ready' },
      'sip:kw2@lab.local': { kind: 'NotReady', reason: 'away' },
    };
    let registered = true;
    const source: MetricsSource = {
      config,
      routingState: (kw) => states[kw] ?? { kind: 'LoggedOut' },
      health: () => ({
        routingPoints: [
          { uri: RP, registered: true },
          { uri: RP2, registered },
        ],
      }),
    };
    metrics.attach(source);
    metrics.observe(event('requested', 'i1'));

    const text = await metrics.scrape();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain(
      `kw_router_interactions_total{routing_point="${RP}",outcome="requested",instance="router-a"} 1`,
    );
    expect(text).toContain('kw_router_store_errors_total{instance="router-a"} 0');
    expect(await values(metrics, METRIC_NAMES.kws)).toEqual(
      new Map([
        [`routing_point=${RP},state=Ready`, 1],
        [`routing_point=${RP},state=NotReady`, 1],
        [`routing_point=${RP},state=LoggedOut`, 1],
        [`routing_point=${RP2},state=Ready`, 0],
        [`routing_point=${RP2},state=NotReady`, 0],
        [`routing_point=${RP2},state=LoggedOut`, 1],
      ]),
    );

    states['sip:kw3@lab.local'] = { kind: 'Ready' };
    registered = false;
    expect((await values(metrics, METRIC_NAMES.kws)).get(`routing_point=${RP2},state=Ready`)).toBe(1);
    expect(await values(metrics, METRIC_NAMES.registered)).toEqual(
      new Map([
        [`routing_point=${RP}`, 1],
        [`routing_point=${RP2}`, 0],
      ]),
    );
  });

  it('keeps each router in its own registry, never the global one', async () => {
    const a = new RouterMetrics({ instance: 'a' });
    const b = new RouterMetrics({ instance: 'b' });
    a.observe(event('requested', 'i1'));
    expect((await values(a, METRIC_NAMES.interactions)).get(`routing_point=${RP},outcome=requested`)).toBe(1);
    expect((await values(b, METRIC_NAMES.interactions)).size).toBe(0);
    expect(globalRegistry.getSingleMetric(METRIC_NAMES.interactions)).toBeUndefined();
  });
});

describe('router health', () => {
  const router = (registered: boolean) => ({
    health: () => ({
      registered,
      routingPoints: [
        { uri: RP, registered: true, phase: 'registered' as const, detail: 'registered with ws://sip' },
        {
          uri: RP2,
          registered,
          phase: registered ? ('registered' as const) : ('retrying' as const),
          detail: registered ? 'registered with ws://sip' : 'retrying in 2 s because connect ECONNREFUSED',
        },
      ],
    }),
  });

  it('is ok when every routing point is registered and the memory store answers', async () => {
    const report = await checkHealth({ router: router(true), store: new MemoryStore(), instance: 'x' });
    expect(report).toMatchObject({
      status: 'ok',
      reasons: [],
      unregistered: [],
      store: { kind: 'memory', reachable: true },
    });
  });

  it('names the unregistered routing points, and an unreachable store (counted as a store error)', async () => {
    const metrics = new RouterMetrics({ instance: 'x' });
    const report = await checkHealth({
      router: router(false),
      store: { kind: 'redis', ping: () => Promise.reject(new Error('ECONNREFUSED')) },
      instance: 'x',
      onStoreError: () => metrics.storeError(),
    });
    expect(report.status).toBe('unavailable');
    expect(report.unregistered).toEqual([RP2]);
    expect(report.reasons).toEqual([
      `routing point ${RP2} is not registered (retrying in 2 s because connect ECONNREFUSED)`,
      'the redis store is not reachable (ECONNREFUSED)',
    ]);
    expect(await metrics.scrape()).toContain('kw_router_store_errors_total{instance="x"} 1');
  });
});
