/**
 * The router side of protecting the experts (issue 16): feeds the ledger
 * (protection.ts) with this instance's events at once and with every
 * instance's events from the store's shared stream, pauses a KW who missed
 * too many requests in a row (the `paused` control message and event), and
 * lets them back when they set Available again or send `resume` (event
 * `resumed`). Waiting interactions are looked at again when a KW comes back
 * or their cool-down is over.
 */
import type { Logger } from '../main/core/log.js';
import type { ControlInput } from '../wire/control.js';
import type { Clock } from './clock.js';
import type { RoutingPointConfig } from './config.js';
import {
  ROUTER_EVENTS,
  eventJson,
  type EventLog,
  type RouterEvent,
  type RouterEventInput,
  type RouterEventName,
} from './event-log.js';
import { ProtectionLedger, limitsFor, type LedgerEvent } from './protection.js';
import type { JsonObject, RouterStore } from './store/types.js';

export interface ProtectionKeeperOptions {
  readonly routingPoints: readonly RoutingPointConfig[];
  readonly store: RouterStore;
  readonly eventLog: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Sends `paused` to the KW from routing point `rp`. */
  readonly sendPaused: (rp: string, kw: string, paused: ControlInput<'paused'>) => Promise<void>;
  /** Waiting interactions of the routing points that have `kw` look again. */
  readonly kick: (kw: string) => void;
  readonly onStoreError?: (error: unknown) => void;
  /** How often the shared stream is read (ms). */
  readonly pollMs?: number;
}

/** Where the KW last missed a request: named in `paused` and `resumed`. */
interface LastMiss {
  readonly interactionId: string;
  readonly routingPoint: string;
}

const PAGE = 500;
const OWN_EVENTS_KEPT = 10_000;
const EVENT_NAMES: ReadonlySet<string> = new Set(ROUTER_EVENTS);

export class ProtectionKeeper {
  readonly ledger: ProtectionLedger;
  private readonly own = new Set<string>();
  private readonly lastMiss = new Map<string, LastMiss>();
  private readonly timers = new Set<unknown>();
  private cursor: string | undefined;
  private pollTimer: unknown;
  private stopped = false;
  private readonly enabled: boolean;

  constructor(private readonly options: ProtectionKeeperOptions) {
    this.ledger = new ProtectionLedger(options.clock);
    this.enabled = options.routingPoints.some(
      (rp) => rp.protection !== undefined || rp.members.some((m) => m.protection !== undefined),
    );
    this.ledger.on('resumed', (kw) => options.kick(kw));
    this.ledger.on('ended', ({ kw, at }) => this.kickAfterCooldown(kw, at));
  }

  /** Reads the shared stream from its start, then every `pollMs` (only when a limit is configured). */
  start(): void {
    if (this.enabled) this.schedulePoll(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer !== undefined) this.options.clock.clearTimeout(this.pollTimer);
    for (const t of this.timers) this.options.clock.clearTimeout(t);
    this.timers.clear();
  }

  /** One of this instance's events, just written: applied now, skipped when the stream brings it back. */
  local(event: RouterEvent): void {
    if (!this.enabled) return;
    this.remember(event);
    this.applyOwn(event);
  }

  /** The KW's routing state became Ready: a paused KW (or one with misses) starts afresh. */
  becameReady(kw: string): void {
    const facts = this.ledger.facts(kw);
    if (facts.paused || facts.missesInARow > 0) this.resume(kw, 'available');
  }

  /** `resume` from the KW (the desktop's "Receive requests again"). 200 also when nothing was held. */
  resumeAsked(kw: string, routingPoint: string): { status: number; reason: string } {
    const rp = this.options.routingPoints.find((p) => p.uri === routingPoint);
    if (!rp?.members.some((m) => m.uri === kw)) return { status: 403, reason: 'Not A Member' };
    const facts = this.ledger.facts(kw);
    if (facts.paused || facts.missesInARow > 0) this.resume(kw, 'resume');
    return { status: 200, reason: 'OK' };
  }

  private resume(kw: string, reason: 'available' | 'resume'): void {
    const where = this.lastMiss.get(kw);
    if (!where) return;
    this.write({
      event: 'resumed',
      interactionId: where.interactionId,
      routingPoint: where.routingPoint,
      kw,
      reason,
    });
  }

  private write(input: RouterEventInput): void {
    this.local(this.options.eventLog.write(input));
  }

  private applyOwn(event: RouterEvent): void {
    const e = ledgerEvent(event);
    if (!e) return;
    if (e.kw !== undefined && isMiss(e.event))
      this.lastMiss.set(e.kw, { interactionId: event.interactionId, routingPoint: event.routingPoint });
    this.ledger.apply(e);
    if (e.kw !== undefined && isMiss(e.event))
      this.maybePause(e.kw, event.routingPoint, this.ledger.facts(e.kw).missesInARow);
  }

  /** The miss that reaches the routing point's limit pauses the KW (once: at exactly the limit). */
  private maybePause(kw: string, routingPoint: string, misses: number): void {
    const rp = this.options.routingPoints.find((p) => p.uri === routingPoint);
    const max = rp && limitsFor(rp, kw)?.maxConsecutiveMisses;
    if (!rp || max === undefined || misses !== max) return;
    const where = this.lastMiss.get(kw);
    if (!where) return;
    this.write({
      event: 'paused',
      interactionId: where.interactionId,
      routingPoint: rp.uri,
      kw,
      reason: `missed ${misses} requests in a row`,
    });
    this.options
      .sendPaused(rp.uri, kw, {
        interactionId: where.interactionId,
        routingPoint: rp.uri,
        displayName: rp.displayName,
        reason: 'missed-requests',
        missed: misses,
      })
      .catch((error: unknown) =>
        this.options.logger.info('paused not delivered', { kw, error: String(error) }),
      );
  }

  private kickAfterCooldown(kw: string, endedAt: number): void {
    const { clock } = this.options;
    for (const rp of this.options.routingPoints) {
      const cooldown = limitsFor(rp, kw)?.cooldownMs;
      if (cooldown === undefined || !rp.members.some((m) => m.uri === kw)) continue;
      const ms = endedAt + cooldown - clock.now();
      if (ms <= 0 || this.stopped) continue;
      const handle: unknown = clock.setTimeout(() => {
        this.timers.delete(handle);
        this.options.kick(kw);
      }, ms + 1);
      this.timers.add(handle);
    }
  }

  private remember(event: RouterEvent): void {
    this.own.add(JSON.stringify(eventJson(event)));
    if (this.own.size > OWN_EVENTS_KEPT) {
      const oldest = this.own.values().next().value;
      if (oldest !== undefined) this.own.delete(oldest);
    }
  }

  private schedulePoll(ms: number): void {
    if (this.stopped) return;
    this.pollTimer = this.options.clock.setTimeout(() => {
      this.pollTimer = undefined;
      this.poll().finally(() => this.schedulePoll(this.options.pollMs ?? 200));
    }, ms);
  }

  /** Other instances' events from the shared stream (own ones were applied when written). */
  private async poll(): Promise<void> {
    try {
      for (;;) {
        const page = await this.options.store.eventsAfter(this.cursor, PAGE);
        this.cursor = page.cursor;
        for (const json of page.events) this.fromStream(json);
        if (page.events.length < PAGE || this.stopped) return;
      }
    } catch (error) {
      this.options.onStoreError?.(error);
    }
  }

  private fromStream(json: JsonObject): void {
    const key = JSON.stringify(json);
    if (this.own.delete(key)) return;
    const event = routerEventOf(json);
    if (!event) return;
    const e = ledgerEvent(event);
    if (!e) return;
    if (e.kw !== undefined && isMiss(e.event))
      this.lastMiss.set(e.kw, { interactionId: event.interactionId, routingPoint: event.routingPoint });
    this.ledger.apply(e);
  }
}

function isMiss(event: RouterEventName): boolean {
  return (
    event === 'declined' || event === 'timed-out' || event === 'call-declined' || event === 'call-timed-out'
  );
}

function ledgerEvent(event: RouterEvent): LedgerEvent | undefined {
  const at = Date.parse(event.ts);
  if (!Number.isFinite(at)) return undefined;
  return { event: event.event, at, kw: event.kw, escalation: event.escalation };
}

/** A stream entry as a router event, or undefined when it is not one (skipped). */
function routerEventOf(json: JsonObject): RouterEvent | undefined {
  const { ts, event, interactionId, routingPoint, kw, escalation } = json;
  if (typeof ts !== 'string' || typeof event !== 'string' || !EVENT_NAMES.has(event)) return undefined;
  if (typeof interactionId !== 'string' || typeof routingPoint !== 'string') return undefined;
  return {
    ts,
    event: event as RouterEventName,
    interactionId,
    routingPoint,
    ...(typeof kw === 'string' ? { kw } : {}),
    ...(typeof escalation === 'string' ? { escalation } : {}),
  };
}
