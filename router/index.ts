/**
 * The lab router's public API: `startRouter(options)` builds the parts
 * (event log, member directory, one engine + SIP agent per routing point) and
 * starts them; `loadRouterConfig(path)` reads and validates a config file.
 */
import type { Logger } from '../main/core/log.js';
import { SipAgent, type SipAccount } from '../main/core/sip/agent.js';
import type { TlsOptions } from '../main/core/sip/ws-socket.js';
import { describeConnectionState, type ConnectionState } from '../main/core/sip/connection-state.js';
import type { Unsubscribe } from '../main/core/events.js';
import { systemClock, type Clock } from './clock.js';
import { parseRouterConfig, type RawRouterConfig, type RouterConfig } from './config.js';
import { EventLog, eventJson, type RouterEvent } from './event-log.js';
import { Router, type AgentFactory } from './router.js';
import type { InteractionSnapshot } from './engine.js';
import type { RoutingState } from './routing-state.js';
import { toAor } from '../wire/sip/uri.js';
import { MemoryStore } from './store/memory-store.js';
import type { RouterStore } from './store/types.js';

export { loadRouterConfig, parseRouterConfig, RouterConfigError } from './config.js';
export type {
  RouterConfig,
  RoutingPointConfig,
  MemberConfig,
  RawRouterConfig,
  StrategyName,
} from './config.js';
export type { RouterEvent, RouterEventName } from './event-log.js';
export type { RoutingState } from './routing-state.js';
export type { InteractionSnapshot } from './engine.js';

export interface StartRouterOptions {
  /** A validated config (parseRouterConfig / loadRouterConfig), or the raw object to validate here. */
  readonly config: RouterConfig | RawRouterConfig;
  /** WebSocket URLs of the SIP server, in failover order. */
  readonly servers: readonly string[];
  /** With a raw config: the domain bare user names are resolved against (overrides the config's). */
  readonly domain?: string;
  readonly logger: Logger;
  readonly eventLog?: { readonly file?: string; readonly sink?: (event: RouterEvent) => void };
  readonly tls?: TlsOptions;
  /** How long startRouter waits for the routing points to register (they keep trying afterwards). Default 10 s. */
  readonly registrationTimeoutMs?: number;
  /**
   * Where interactions, reservations and deadlines live. Default: a memory
   * store of this router's own (closed with it); a store passed in (Redis,
   * shared by instances) is the caller's to close.
   */
  readonly store?: RouterStore;
  /** This instance's name in the store; default `router-<pid>`. Instances sharing a store need distinct names. */
  readonly instance?: string;
  /** Called on each store failure (the metrics' store-errors counter). */
  readonly onStoreError?: (error: unknown) => void;
  /** Tests: a fake clock, or agents with faster retries. */
  readonly clock?: Clock;
  readonly createAgent?: AgentFactory;
}

export interface RoutingStateChange {
  readonly kw: string;
  readonly previous: RoutingState;
  readonly current: RoutingState;
}

/** One routing point's SIP registration, as its agent sees it now. */
export interface RoutingPointHealth {
  readonly uri: string;
  readonly registered: boolean;
  /** The agent's phase: `registered`, `registering`, `connecting`, `retrying`, `stopping`, `stopped`. */
  readonly phase: ConnectionState['phase'];
  /** One line a person can act on, e.g. `retrying in 3 s because …`. */
  readonly detail: string;
}

export interface RouterHealth {
  /** Every routing point is registered. */
  readonly registered: boolean;
  readonly routingPoints: readonly RoutingPointHealth[];
}

export interface RunningRouter {
  /** The routing point URIs, in config order. */
  readonly routingPoints: readonly string[];
  /** The routing points that were not registered when startRouter returned (they keep trying). */
  readonly unregistered: readonly string[];
  readonly config: RouterConfig;
  /** Current routing state of a member (LoggedOut `no-presence-yet` before its first NOTIFY). */
  routingState(kwUri: string): RoutingState;
  /** Interactions in progress/routed, plus pending previews: the member's load across routing points. */
  load(kwUri: string): number;
  onRoutingState(listener: (change: RoutingStateChange) => void): Unsubscribe;
  /** An interaction's state (active, or finished within the last 10 minutes). */
  interaction(interactionId: string, routingPoint?: string): InteractionSnapshot | undefined;
  /** The events written so far (the last 10,000), oldest first. */
  events(): readonly RouterEvent[];
  /** Registration of every routing point now (they keep retrying after startRouter returns). */
  health(): RouterHealth;
  close(): Promise<void>;
}

const MEMORY_EVENTS = 10_000;

function isResolved(config: RouterConfig | RawRouterConfig): config is RouterConfig {
  return config.routingPoints.every((rp) => 'previewTimeoutMs' in rp);
}

export async function startRouter(options: StartRouterOptions): Promise<RunningRouter> {
  const config = isResolved(options.config)
    ? options.config
    : parseRouterConfig(options.config, { ...(options.domain ? { domain: options.domain } : {}) });
  if (
    options.domain !== undefined &&
    isResolved(options.config) &&
    options.domain.toLowerCase() !== config.domain
  ) {
    throw new Error(
      `startRouter: the config was resolved for ${config.domain}, not ${options.domain}; pass the domain to parseRouterConfig`,
    );
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const memory: RouterEvent[] = [];
  const ownStore = options.store === undefined;
  const store = options.store ?? new MemoryStore({ now: () => clock.now() });
  const eventLog = new EventLog({
    ...(options.eventLog?.file !== undefined ? { file: options.eventLog.file } : {}),
    sink: (event) => {
      memory.push(event);
      if (memory.length > MEMORY_EVENTS) memory.shift();
      // The bounded stream reporting reads (Redis: XREAD); a failure is counted, never fatal.
      store.appendEvent(eventJson(event)).catch((error: unknown) => options.onStoreError?.(error));
      options.eventLog?.sink?.(event);
    },
    logger,
    now: () => clock.now(),
  });
  const createAgent =
    options.createAgent ??
    ((account: SipAccount, agentLogger: Logger) =>
      new SipAgent({ account, logger: agentLogger, userAgent: 'KW-Lab-Router' }));
  const router = new Router({
    config,
    servers: options.servers,
    logger,
    eventLog,
    clock,
    createAgent,
    store,
    instance: options.instance ?? `router-${process.pid}`,
    ...(options.onStoreError ? { onStoreError: options.onStoreError } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  let started: { pending: string[] };
  try {
    started = await router.start(options.registrationTimeoutMs ?? 10_000);
  } catch (error) {
    await router.close();
    await eventLog.close();
    if (ownStore) await store.close();
    throw error;
  }
  logger.info('router started', { routingPoints: router.routingPoints, servers: options.servers });

  let closing: Promise<void> | undefined;
  return {
    routingPoints: router.routingPoints,
    unregistered: started.pending,
    config,
    routingState: (kw) => router.routingState(toAor(kw) ?? kw),
    load: (kw) => router.directory.load(toAor(kw) ?? kw),
    onRoutingState: (listener) =>
      router.directory.on('state', (c) => listener({ kw: c.uri, previous: c.previous, current: c.current })),
    interaction: (id, rp) => router.interaction(id, rp),
    events: () => [...memory],
    health: () => {
      const routingPoints = router.registrations().map(({ uri, state }): RoutingPointHealth => ({
        uri,
        registered: state.phase === 'registered',
        phase: state.phase,
        detail: describeConnectionState(state),
      }));
      return { registered: routingPoints.every((p) => p.registered), routingPoints };
    },
    close: () =>
      (closing ??= (async () => {
        await router.close();
        await eventLog.close();
        if (ownStore) await store.close();
        logger.info('router stopped');
      })()),
  };
}
