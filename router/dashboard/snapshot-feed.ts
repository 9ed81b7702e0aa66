/**
 * The live view's source: reads the shared store (KW records, loads) and the
 * shared event stream every `pollMs` while someone watches, builds a
 * DashboardSnapshot and hands it to the watchers when it changed, and at
 * least every `heartbeatMs`. One feed per router process, shared by all SSE
 * connections. Counters come from the stream, so instances agree; the
 * "KWs Ready" samples are taken by this instance once a minute from the store.
 */
import type { Logger } from '../../main/core/log.js';
import { DASHBOARD_PROTOCOL, type DashboardSnapshot } from '../../wire/dashboard.js';
import type { Clock } from '../clock.js';
import type { RouterConfig } from '../config.js';
import { parseInteractionRecord } from '../interaction-record.js';
import type { JsonObject, JsonValue, RouterStore } from '../store/types.js';
import {
  aggregate,
  localDayStart,
  MINUTE_MS,
  SERIES_MINUTES,
  toTimedEvent,
  type TimedEvent,
} from './aggregate.js';
import { liveInteractions } from './live-interactions.js';
import { ProtectionLedger, ledgerEventOf } from '../protection.js';
import { routingPointViews, subjectKey, type KwFacts } from './routing-view.js';

export interface SnapshotFeedOptions {
  readonly config: RouterConfig;
  readonly store: RouterStore;
  readonly instance: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Start of "today" for a time; default local midnight. */
  readonly dayStart?: (nowMs: number) => number;
  readonly pollMs?: number;
  readonly heartbeatMs?: number;
}

export type SnapshotListener = (snapshot: DashboardSnapshot) => void;

const PAGE = 5000;

export class SnapshotFeed {
  private readonly listeners = new Set<SnapshotListener>();
  private events: TimedEvent[] = [];
  private cursor: string | undefined;
  private readonly subjects = new Map<string, string>();
  private readySamples: Array<{ at: string; ready: Record<string, number> }> = [];
  private lastKey = '';
  private lastSentAt = 0;
  private latest: DashboardSnapshot | undefined;
  private timer: unknown;
  private polling = false;
  private readonly kwUris: string[];
  /** The experts' limits, from the same stream (issue 16): the members' reasons. */
  private readonly protection: ProtectionLedger;

  constructor(private readonly options: SnapshotFeedOptions) {
    this.protection = new ProtectionLedger(options.clock);
    this.kwUris = [...new Set(options.config.routingPoints.flatMap((rp) => rp.members.map((m) => m.uri)))];
  }

  /** Starts polling with the first watcher; the latest snapshot comes at once when there is one. */
  watch(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    if (this.listeners.size === 1) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  close(): void {
    this.listeners.clear();
    this.stop();
  }

  /** One poll: read, build, and send if changed or due. Public for tests. */
  async poll(): Promise<DashboardSnapshot> {
    const now = this.options.clock.now();
    await this.readEvents(now);
    const kws = await this.readKws();
    const live = liveInteractions(this.events);
    await this.readSubjects(live.routing);
    const routingPoints = routingPointViews(
      this.options.config,
      kws,
      live,
      this.subjects,
      now,
      this.protection,
    );
    this.sampleReady(routingPoints, now);
    const numbers = aggregate(this.events, now, (this.options.dayStart ?? localDayStart)(now));
    const body = { routingPoints, ...numbers, readyOverTime: this.readySamples };
    const key = JSON.stringify(body);
    const snapshot: DashboardSnapshot = {
      protocol: DASHBOARD_PROTOCOL,
      at: new Date(now).toISOString(),
      instance: this.options.instance,
      ...body,
    };
    this.latest = snapshot;
    if (key !== this.lastKey || now - this.lastSentAt >= (this.options.heartbeatMs ?? 5000)) {
      this.lastKey = key;
      this.lastSentAt = now;
      for (const listener of this.listeners) listener(snapshot);
    }
    return snapshot;
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined || this.listeners.size === 0) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.poll();
    } catch (error) {
      // The store may be down for a while: the page keeps its last view, we try again.
      this.options.logger.warn('dashboard snapshot failed', { error: String(error) });
    } finally {
      this.polling = false;
      this.schedule(this.options.pollMs ?? 250);
    }
  }

  private stop(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async readEvents(now: number): Promise<void> {
    for (;;) {
      const page = await this.options.store.eventsAfter(this.cursor, PAGE);
      this.cursor = page.cursor;
      for (const json of page.events) {
        const e = toTimedEvent(json);
        if (e) this.events.push(e);
        const l = ledgerEventOf(json);
        if (l) this.protection.apply(l);
      }
      if (page.events.length < PAGE) break;
    }
    // Keep today and the last hour (the series), nothing older.
    const keepFrom = Math.min(
      (this.options.dayStart ?? localDayStart)(now),
      now - SERIES_MINUTES * MINUTE_MS,
    );
    if ((this.events[0]?.at ?? keepFrom) < keepFrom)
      this.events = this.events.filter((e) => e.at >= keepFrom);
  }

  private async readKws(): Promise<Map<string, KwFacts>> {
    const { store } = this.options;
    const facts = await Promise.all(
      this.kwUris.map(
        async (uri) => [uri, { state: await store.kwState(uri), load: await store.load(uri) }] as const,
      ),
    );
    return new Map(facts);
  }

  private async readSubjects(
    routing: ReadonlyArray<{ routingPoint: string; interactionId: string }>,
  ): Promise<void> {
    const wanted = new Set(routing.map((r) => subjectKey(r.routingPoint, r.interactionId)));
    for (const key of this.subjects.keys()) if (!wanted.has(key)) this.subjects.delete(key);
    for (const key of wanted) {
      if (this.subjects.has(key)) continue;
      // The stored step record (router/shared-routing.ts): `{v, ix: <the interaction record>, seen}`.
      const ix = (await this.options.store.loadInteraction(key))?.['ix'];
      const parsed = isObject(ix) ? parseInteractionRecord(ix) : undefined;
      // Not saved yet (the first step is still running): try again on the next poll.
      if (parsed?.ok) this.subjects.set(key, parsed.record.request.subject.slice(0, 512));
    }
  }

  private sampleReady(routingPoints: DashboardSnapshot['routingPoints'], now: number): void {
    const minute = new Date(Math.floor(now / MINUTE_MS) * MINUTE_MS).toISOString();
    if (this.readySamples.at(-1)?.at === minute) return;
    const ready: Record<string, number> = {};
    for (const rp of routingPoints)
      ready[rp.uri] = rp.members.filter((m) => m.routingState === 'Ready').length;
    this.readySamples = [...this.readySamples, { at: minute, ready }].slice(-SERIES_MINUTES);
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
