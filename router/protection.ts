/**
 * Protecting the experts (issue 16): what each KW did lately, read from the
 * router's events — interactions and escalated calls in the last hour, when
 * their last interaction ended (cool-down), requests missed in a row, and
 * whether they were paused for it. The rules themselves live in
 * selection.ts; this only counts.
 *
 * Shared by instances through the store's event stream: every instance applies
 * its own events at once and the others' as it reads the stream
 * (router.ts), so counts per hour and misses in a row are the same on every
 * instance, a poll later. Per KW, over all routing points (one desk).
 */
import { TypedEmitter } from '../main/core/events.js';
import type { Clock } from './clock.js';
import type { ProtectionLimits, RoutingPointConfig } from './config.js';
import { ROUTER_EVENTS, type RouterEventName } from './event-log.js';
import type { JsonObject, RouterStore } from './store/types.js';

export const HOUR_MS = 60 * 60_000;
/** Timestamps kept per KW and kind: a limit is at most 1000 an hour. */
const MAX_STAMPS = 1001;

/** What the rules look at of one KW, now (selection.ts). */
export interface ProtectionFacts {
  /** When their last routed interaction ended (epoch ms). */
  readonly lastEndedAt: number | undefined;
  readonly interactionsLastHour: number;
  readonly escalationsLastHour: number;
  /** Declines or timeouts since their last accept (or since they came back). */
  readonly missesInARow: number;
  /** Paused after missing requests: until they set Available or send `resume`. */
  readonly paused: boolean;
}

export const NO_PROTECTION_FACTS: ProtectionFacts = {
  lastEndedAt: undefined,
  interactionsLastHour: 0,
  escalationsLastHour: 0,
  missesInARow: 0,
  paused: false,
};

/** The parts of a router event the ledger reads. */
export interface LedgerEvent {
  readonly event: RouterEventName;
  /** Epoch ms (the event's `ts`). */
  readonly at: number;
  readonly kw?: string | undefined;
  readonly escalation?: string | undefined;
}

interface KwLedger {
  routed: number[];
  escalated: number[];
  lastEndedAt: number | undefined;
  misses: number;
  paused: boolean;
}

interface LedgerEvents extends Record<string, unknown> {
  /** A KW's interaction ended at `at` (a cool-down may start). */
  ended: { readonly kw: string; readonly at: number };
  /** A KW may have become offerable again (came back after a pause). */
  resumed: string;
  /** A KW's misses in a row went up (the router decides whether to pause them). */
  missed: { readonly kw: string; readonly misses: number };
}

const MISSES: ReadonlySet<RouterEventName> = new Set([
  'declined',
  'timed-out',
  'call-declined',
  'call-timed-out',
]);
const ANSWERS: ReadonlySet<RouterEventName> = new Set(['accepted', 'call-accepted', 'resumed']);

export class ProtectionLedger extends TypedEmitter<LedgerEvents> {
  private readonly kws = new Map<string, KwLedger>();

  constructor(private readonly clock: Clock) {
    super();
  }

  /** One router event (own or read from the shared stream). */
  apply(e: LedgerEvent): void {
    if (e.kw === undefined) return;
    const kw = this.record(e.kw);
    if (e.event === 'routed') push(kw.routed, e.at);
    else if (e.event === 'call-redirected' && e.escalation !== 'call') push(kw.escalated, e.at);
    else if (e.event === 'ended') {
      kw.lastEndedAt = Math.max(kw.lastEndedAt ?? 0, e.at);
      this.emit('ended', { kw: e.kw, at: e.at });
    } else if (MISSES.has(e.event)) {
      kw.misses += 1;
      this.emit('missed', { kw: e.kw, misses: kw.misses });
    } else if (ANSWERS.has(e.event)) {
      const wasHeld = kw.paused || kw.misses > 0;
      kw.misses = 0;
      kw.paused = false;
      if (e.event === 'resumed' && wasHeld) this.emit('resumed', e.kw);
    } else if (e.event === 'paused') kw.paused = true;
  }

  facts(kw: string): ProtectionFacts {
    const r = this.kws.get(kw);
    if (!r) return NO_PROTECTION_FACTS;
    const since = this.clock.now() - HOUR_MS;
    return {
      lastEndedAt: r.lastEndedAt,
      interactionsLastHour: countSince(r.routed, since),
      escalationsLastHour: countSince(r.escalated, since),
      missesInARow: r.misses,
      paused: r.paused,
    };
  }

  private record(kw: string): KwLedger {
    let r = this.kws.get(kw);
    if (!r) {
      r = { routed: [], escalated: [], lastEndedAt: undefined, misses: 0, paused: false };
      this.kws.set(kw, r);
    }
    return r;
  }
}

const EVENT_NAMES: ReadonlySet<string> = new Set(ROUTER_EVENTS);

/** A stored event (the store's stream) as the ledger reads it; undefined when it is not one. */
export function ledgerEventOf(json: Readonly<JsonObject>): LedgerEvent | undefined {
  const { ts, event, kw, escalation } = json;
  if (typeof ts !== 'string' || typeof event !== 'string' || !EVENT_NAMES.has(event)) return undefined;
  const at = Date.parse(ts);
  if (!Number.isFinite(at)) return undefined;
  return {
    event: event as RouterEventName,
    at,
    ...(typeof kw === 'string' ? { kw } : {}),
    ...(typeof escalation === 'string' ? { escalation } : {}),
  };
}

/** A ledger of the whole shared stream now (the dashboard's dry run: rare, so read in full). */
export async function readLedger(store: RouterStore, clock: Clock): Promise<ProtectionLedger> {
  const ledger = new ProtectionLedger(clock);
  let cursor: string | undefined;
  for (;;) {
    const page = await store.eventsAfter(cursor, 5000);
    cursor = page.cursor;
    for (const json of page.events) {
      const e = ledgerEventOf(json);
      if (e) ledger.apply(e);
    }
    if (page.events.length < 5000) return ledger;
  }
}

/** A member's limits: their own over the routing point's. */
export function limitsFor(config: RoutingPointConfig, kw: string): ProtectionLimits | undefined {
  let limits = limitsByConfig.get(config);
  if (limits === undefined) {
    limits = memberLimits(config);
    limitsByConfig.set(config, limits);
  }
  return limits.get(kw) ?? (config.protection ? { ...NO_LIMITS, ...config.protection } : undefined);
}

/**
 * Each member's limits, worked out once per (immutable) config: the engine asks
 * for every member on every decision, and a search of 10,000 members each time
 * made one decision cost ~170 ms.
 */
const limitsByConfig = new WeakMap<RoutingPointConfig, ReadonlyMap<string, ProtectionLimits>>();

function memberLimits(config: RoutingPointConfig): ReadonlyMap<string, ProtectionLimits> {
  const out = new Map<string, ProtectionLimits>();
  for (const m of config.members) {
    if (!config.protection && !m.protection) continue;
    out.set(m.uri, { ...NO_LIMITS, ...config.protection, ...stripUndefined(m.protection ?? {}) });
  }
  return out;
}

const NO_LIMITS: ProtectionLimits = {
  cooldownMs: undefined,
  maxInteractionsPerHour: undefined,
  maxEscalationsPerHour: undefined,
  maxConsecutiveMisses: undefined,
};

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function push(stamps: number[], at: number): void {
  // Events from the shared stream come nearly in order; keep the list sorted anyway.
  let i = stamps.length;
  while (i > 0 && (stamps[i - 1] ?? 0) > at) i -= 1;
  stamps.splice(i, 0, at);
  if (stamps.length > MAX_STAMPS) stamps.splice(0, stamps.length - MAX_STAMPS);
}

function countSince(stamps: readonly number[], since: number): number {
  let n = 0;
  for (let i = stamps.length - 1; i >= 0 && (stamps[i] ?? 0) > since; i -= 1) n += 1;
  return n;
}
