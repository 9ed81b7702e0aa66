/**
 * The router's Prometheus metrics (prom-client), one Registry per router
 * instance (never the global default registry, so two routers in one process —
 * tests — do not share counters). Counters and the latency histogram are fed
 * by the event log's sink (`observe`, given to startRouter as
 * `eventLog.sink`); the gauges are read from the running router at scrape
 * time (`attach`). Every series carries the `instance` label.
 */
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouterConfig } from './config.js';
import type { RouterEvent } from './event-log.js';
import type { RoutingState } from './routing-state.js';

export const METRIC_NAMES = {
  offers: 'kw_router_offers_total',
  interactions: 'kw_router_interactions_total',
  decisionSeconds: 'kw_router_routing_decision_seconds',
  kws: 'kw_router_kws',
  registered: 'kw_router_routing_point_registered',
  storeErrors: 'kw_router_store_errors_total',
} as const;

/** Seconds from a request to its first preview: immediate routing up to a long wait for a Ready KW. */
export const DECISION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const ROUTING_STATES: ReadonlyArray<RoutingState['kind']> = ['Ready', 'NotReady', 'LoggedOut'];

/** Preview events, chat and escalated call: the outcome label and the preview kind. */
const OFFER_EVENTS: Readonly<
  Partial<Record<RouterEvent['event'], { kind: 'chat' | 'call'; outcome: string }>>
> = {
  offered: { kind: 'chat', outcome: 'offered' },
  accepted: { kind: 'chat', outcome: 'accepted' },
  declined: { kind: 'chat', outcome: 'declined' },
  'timed-out': { kind: 'chat', outcome: 'timed-out' },
  cancelled: { kind: 'chat', outcome: 'cancelled' },
  'call-offered': { kind: 'call', outcome: 'offered' },
  'call-accepted': { kind: 'call', outcome: 'accepted' },
  'call-declined': { kind: 'call', outcome: 'declined' },
  'call-timed-out': { kind: 'call', outcome: 'timed-out' },
  'call-cancelled': { kind: 'call', outcome: 'cancelled' },
};

/** Requests whose first preview has not been sent yet; bounded so a lost event cannot grow it for ever. */
const MAX_PENDING_DECISIONS = 10_000;

/** What the gauges read at scrape time: a RunningRouter fits. */
export interface MetricsSource {
  readonly config: RouterConfig;
  routingState(kwUri: string): RoutingState;
  health(): { readonly routingPoints: ReadonlyArray<{ readonly uri: string; readonly registered: boolean }> };
}

export interface RouterMetricsOptions {
  /** The `instance` label on every series. */
  readonly instance: string;
  /** Milliseconds, monotonic; default performance.now (a fake in unit tests). */
  readonly now?: () => number;
  /** Add prom-client's process metrics (CPU, memory, event loop lag…) to this registry. */
  readonly processMetrics?: boolean;
}

export class RouterMetrics {
  readonly registry = new Registry();
  private readonly now: () => number;
  private source: MetricsSource | undefined;
  /** `routingPoint interactionId` → when `requested` passed the sink (ms). */
  private readonly pending = new Map<string, number>();
  private readonly offers: Counter<'routing_point' | 'kind' | 'outcome'>;
  private readonly interactions: Counter<'routing_point' | 'outcome' | 'reason'>;
  private readonly decision: Histogram<'routing_point'>;
  private readonly storeErrors: Counter;

  constructor(options: RouterMetricsOptions) {
    this.now = options.now ?? (() => performance.now());
    this.registry.setDefaultLabels({ instance: options.instance });
    const registers = [this.registry];
    this.offers = new Counter({
      name: METRIC_NAMES.offers,
      help: 'Previews sent to KWs and how each ended (kind: chat or escalated call).',
      labelNames: ['routing_point', 'kind', 'outcome'] as const,
      registers,
    });
    this.interactions = new Counter({
      name: METRIC_NAMES.interactions,
      help: 'Interactions by outcome: requested, routed, not-routed (reason), ended (reason).',
      labelNames: ['routing_point', 'outcome', 'reason'] as const,
      registers,
    });
    this.decision = new Histogram({
      name: METRIC_NAMES.decisionSeconds,
      help: "Seconds from an agent's request to the first preview sent for it.",
      labelNames: ['routing_point'] as const,
      buckets: DECISION_BUCKETS,
      registers,
    });
    const attached = (): MetricsSource | undefined => this.source;
    new Gauge({
      name: METRIC_NAMES.kws,
      help: 'Members per routing state (Ready, NotReady, LoggedOut) per routing point, at scrape time.',
      labelNames: ['routing_point', 'state'] as const,
      registers,
      collect() {
        this.reset();
        const source = attached();
        if (!source) return;
        for (const rp of source.config.routingPoints) {
          const counts = new Map(ROUTING_STATES.map((s) => [s, 0]));
          for (const m of rp.members) {
            const kind = source.routingState(m.uri).kind;
            counts.set(kind, (counts.get(kind) ?? 0) + 1);
          }
          for (const [state, n] of counts) this.set({ routing_point: rp.uri, state }, n);
        }
      },
    });
    new Gauge({
      name: METRIC_NAMES.registered,
      help: "1 when the routing point's SIP registration is up, else 0, at scrape time.",
      labelNames: ['routing_point'] as const,
      registers,
      collect() {
        this.reset();
        for (const rp of attached()?.health().routingPoints ?? []) {
          this.set({ routing_point: rp.uri }, rp.registered ? 1 : 0);
        }
      },
    });
    this.storeErrors = new Counter({
      name: METRIC_NAMES.storeErrors,
      help: 'Errors talking to the interaction store (always 0 for the memory store).',
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The event sink: give it to startRouter as `eventLog.sink`. */
  readonly observe = (event: RouterEvent): void => {
    const rp = event.routingPoint;
    const offer = OFFER_EVENTS[event.event];
    if (offer) this.offers.inc({ routing_point: rp, ...offer });
    const key = `${rp} ${event.interactionId.toLowerCase()}`;
    switch (event.event) {
      case 'requested':
        this.interactions.inc({ routing_point: rp, outcome: 'requested' });
        this.pending.delete(key);
        this.pending.set(key, this.now());
        if (this.pending.size > MAX_PENDING_DECISIONS) {
          const oldest = this.pending.keys().next().value;
          if (oldest !== undefined) this.pending.delete(oldest);
        }
        break;
      case 'offered': {
        const since = this.pending.get(key);
        if (since !== undefined) {
          this.pending.delete(key);
          // The router says how long since the request reached it (its events leave after the step).
          const ms = event.durationMs ?? this.now() - since;
          this.decision.observe({ routing_point: rp }, Math.max(0, ms) / 1000);
        }
        break;
      }
      case 'routed':
        this.interactions.inc({ routing_point: rp, outcome: 'routed' });
        break;
      case 'not-routed':
      case 'ended':
        this.pending.delete(key);
        this.interactions.inc({ routing_point: rp, outcome: event.event, reason: event.reason ?? 'unknown' });
        break;
      default:
        break;
    }
  };

  /** The running router the gauges read at scrape time. */
  attach(source: MetricsSource): void {
    this.source = source;
  }

  /** A failed store operation (the Redis store will count here; the memory store never fails). */
  storeError(): void {
    this.storeErrors.inc();
  }

  /** Requests still waiting for their first preview (tests). */
  get pendingDecisions(): number {
    return this.pending.size;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
