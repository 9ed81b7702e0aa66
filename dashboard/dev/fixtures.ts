/**
 * Made-up dashboard data for the dev preview (scripts/dashboard-preview.mjs):
 * a quiet hour, a busy one with several waiting interactions, a KW flapping
 * between Ready and Not ready, and a fake dry run. Times are relative to `now`
 * so the relative texts ("for 3 min", "waits 45 s") look as they would live.
 */
import {
  DASHBOARD_PROTOCOL,
  type Counters,
  type DashboardSnapshot,
  type DryRunRequest,
  type DryRunResult,
  type MemberView,
  type RoutingPointView,
} from '../../wire/dashboard.js';

export type Scenario = 'quiet' | 'busy' | 'flapping';
export const SCENARIOS: readonly Scenario[] = ['quiet', 'busy', 'flapping'];

const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function member(
  now: number,
  kw: string,
  name: string,
  state: MemberView['routingState'],
  reason: string,
  agoMs: number,
  extra: Partial<MemberView> = {},
): MemberView {
  return {
    kw: `sip:${kw}@lab.local`,
    name,
    routingState: state,
    reason,
    since: iso(now - agoMs),
    interactions: 0,
    capacity: 2,
    offered: false,
    ...extra,
  };
}

function counters(scale: number, busy: boolean): Counters {
  const n = (x: number): number => Math.round(x * scale);
  return {
    received: n(40),
    offered: n(52),
    accepted: n(34),
    declined: n(9),
    declineReasons: busy ? { 'in a meeting': n(4), 'not my topic': n(3), '': n(2) } : { '': n(1) },
    timedOut: n(5),
    notRouted: busy ? { 'no member ready': n(3), 'all declined': n(1) } : {},
    escalations: {
      transfer: { answered: n(3), refused: n(1) },
      conference: { answered: n(2), refused: 0 },
    },
    answerTime: { p50: busy ? 6400 : 4200, p90: busy ? 18_300 : 9100 },
    chatDuration: { p50: 7.5 * MIN, p90: 21 * MIN },
  };
}

/** A seeded wave, so the charts look alike on every run. */
function wave(i: number, base: number, amplitude: number): number {
  return Math.max(0, Math.round(base + amplitude * Math.sin(i / 6) + ((i * 7) % 5) - 2));
}

function series(
  now: number,
  busy: boolean,
  points: readonly RoutingPointView[],
): Pick<DashboardSnapshot, 'perMinute' | 'readyOverTime' | 'answerTimeHistogram'> {
  const start = Math.floor(now / MIN) * MIN - 59 * MIN;
  const perMinute = Array.from({ length: 60 }, (_, i) => {
    const offered = wave(i, busy ? 6 : 1.5, busy ? 3 : 1.5);
    const declined = Math.min(offered, i % 4 === 0 ? 2 : i % 3 === 0 ? 1 : 0);
    const timedOut = busy && i % 7 === 0 ? 1 : 0;
    return {
      minute: iso(start + i * MIN),
      offered,
      accepted: Math.max(0, offered - declined - timedOut),
      declined,
      timedOut,
      notRouted: busy && i % 9 === 0 ? 1 : 0,
    };
  });
  const readyOverTime = Array.from({ length: 60 }, (_, i) => ({
    at: iso(start + i * MIN),
    // Changes every few minutes and ends at the Ready count the cards show.
    ready: Object.fromEntries(
      points.map((p, k) => {
        const nowReady = p.members.filter((m) => m.routingState === 'Ready').length;
        const step = Math.floor((59 - i) / (8 + k * 3));
        return [
          p.uri,
          i >= 52 ? nowReady : Math.max(0, Math.min(p.members.length, nowReady + ((step + k) % 3) - 1)),
        ];
      }),
    ),
  }));
  const bounds = [2000, 5000, 10_000, 20_000, 30_000, null];
  const shape = busy ? [6, 21, 17, 11, 4, 2] : [3, 9, 5, 2, 0, 0];
  return {
    perMinute,
    readyOverTime,
    answerTimeHistogram: bounds.map((upToMs, i) => ({ upToMs, count: shape[i] ?? 0 })),
  };
}

function billing(now: number, busy: boolean, flapTick: number | undefined): RoutingPointView {
  // Chiara flaps in the flapping scenario (her state turns with each tick); elsewhere she is steady.
  const flapReady = flapTick === undefined || flapTick % 2 === 0;
  const chiaraSince = flapTick === undefined ? 22 * MIN : 1000;
  return {
    uri: 'sip:billing-experts@lab.local',
    name: 'Billing experts',
    strategy: 'longest-idle',
    members: [
      member(now, 'anna.keller', 'Anna Keller', 'Ready', '', 14 * MIN, { interactions: busy ? 1 : 0 }),
      member(
        now,
        'bruno.meier',
        'Bruno Meier',
        'NotReady',
        busy ? 'at capacity' : 'dnd',
        busy ? 2 * MIN : 48 * MIN,
        {
          interactions: busy ? 2 : 0,
        },
      ),
      member(
        now,
        'chiara.rossi',
        'Chiara Rossi',
        flapReady ? 'Ready' : 'NotReady',
        flapReady ? '' : 'on-the-phone',
        chiaraSince,
        {
          offered: busy,
        },
      ),
      member(now, 'david.osei', 'David Osei', 'NotReady', 'wrap-up', 40_000, {
        wrapUpUntil: iso(now + 50_000),
        interactions: 0,
      }),
      member(now, 'eva.lindqvist', 'Eva Lindqvist', 'LoggedOut', 'offline', 3 * 60 * MIN),
    ],
    waiting: busy
      ? [
          {
            interactionId: 'i-101',
            agent: 'Agent One',
            subject: 'Refund for a double charge',
            since: iso(now - 95_000),
          },
          {
            interactionId: 'i-102',
            agent: 'Agent Two',
            subject: 'Customer disputes the March invoice and wants a supervisor to call back today',
            since: iso(now - 42_000),
            offeredTo: 'sip:chiara.rossi@lab.local',
          },
          { interactionId: 'i-103', agent: 'Agent Four', subject: 'Payment plan', since: iso(now - 12_000) },
        ]
      : [],
  };
}

function technical(now: number, busy: boolean): RoutingPointView {
  return {
    uri: 'sip:tech-experts@lab.local',
    name: 'Technical support',
    strategy: 'round-robin',
    members: [
      member(now, 'farid.haddad', 'Farid Haddad', 'Ready', '', 6 * MIN, {
        interactions: busy ? 1 : 0,
        capacity: 3,
      }),
      member(now, 'greta.novak', 'Greta Novak', busy ? 'NotReady' : 'Ready', busy ? 'busy' : '', 9 * MIN, {
        interactions: busy ? 3 : 0,
        capacity: 3,
      }),
    ],
    waiting: busy
      ? [
          {
            interactionId: 'i-201',
            agent: 'Agent Three',
            subject: 'Router keeps rebooting',
            since: iso(now - 4 * MIN),
          },
        ]
      : [],
  };
}

/** The snapshot of a scenario at `now`; `tick` moves the flapping KW. */
export function snapshotFor(scenario: Scenario, now: number, tick = 0): DashboardSnapshot {
  const busy = scenario === 'busy';
  const points = [billing(now, busy, scenario === 'flapping' ? tick : undefined), technical(now, busy)];
  return {
    protocol: DASHBOARD_PROTOCOL,
    at: iso(now),
    instance: 'router-a',
    routingPoints: points,
    last15m: counters(busy ? 0.35 : 0.1, busy),
    today: counters(busy ? 3 : 0.8, busy),
    ...series(now, busy, points),
  };
}

/** A fake dry run: Ready members by the order given, the others skipped with their state as the reason. */
export function fakeDryRun(request: DryRunRequest): DryRunResult {
  if (request.config !== undefined && (typeof request.config !== 'object' || request.config === null)) {
    return { ok: false, problems: ['The edited config must be an object with routingPoints.'] };
  }
  const members = request.members.map((m) => {
    const presence =
      m.presence.kind === 'state'
        ? `open, activity ${m.presence.state}`
        : m.presence.kind === 'pidf'
          ? 'open (from a PIDF document)'
          : 'nothing published';
    const ready =
      m.presence.kind === 'pidf' || (m.presence.kind === 'state' && m.presence.state === 'available');
    const off = m.presence.kind === 'none' || (m.presence.kind === 'state' && m.presence.state === 'offline');
    return {
      kw: m.kw,
      presence,
      routingState: ready ? ('Ready' as const) : off ? ('LoggedOut' as const) : ('NotReady' as const),
      reason: ready ? '' : m.presence.kind === 'state' ? m.presence.state : 'nothing published',
      full: (m.interactions ?? 0) >= 2,
    };
  });
  return {
    ok: true,
    routingPoint: request.routingPoint,
    strategy: 'longest-idle',
    members: members.map(({ full: _full, ...m }) => m),
    order: members.filter((m) => m.routingState === 'Ready' && !m.full).map((m) => m.kw),
    skipped: members
      .filter((m) => m.routingState !== 'Ready' || m.full)
      .map((m) => ({
        kw: m.kw,
        reason: m.full
          ? 'at capacity (2 of 2 chats)'
          : `${m.routingState === 'LoggedOut' ? 'logged out' : 'not ready'} (${m.reason})`,
      })),
    userData: fakeMasking(request.userData ?? {}),
  };
}

type MaskRow = NonNullable<Extract<DryRunResult, { ok: true }>['userData']>[number];

/** The fake routing point masks CardNumber (last 4 kept) and Ssn (hidden), like router/README.md's example. */
function fakeMasking(userData: Readonly<Record<string, string>>): MaskRow[] {
  const rows = Object.entries(userData).map(([key, value]): MaskRow => {
    const k = key.toLowerCase();
    if (k === 'cardnumber') return { key, rule: 'last 4 kept', value: `•••• ${value.slice(-4)}` };
    if (k === 'ssn') return { key, rule: 'hidden', value: '(hidden)' };
    return { key, rule: 'not masked', value };
  });
  const used = new Set(Object.keys(userData).map((k) => k.toLowerCase()));
  return used.has('ssn') ? rows : [...rows, { key: 'ssn', rule: 'hidden' }];
}
