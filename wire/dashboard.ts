/**
 * The supervisor dashboard's protocol (issue 14): what the router serves to
 * the dashboard page over its `--http` address. The router builds these
 * views from the shared store and the shared event stream (so two instances
 * serve the same); the page validates every message with these schemas and
 * renders text only. Versioned: a page refuses another `protocol`.
 *
 * Transport: GET /dashboard/events is a Server-Sent Events stream; each
 * `event: snapshot` carries one DashboardSnapshot as JSON (a full snapshot,
 * at most about 4 per second, sent when anything changed and at least every
 * 5 s). POST /dashboard/dry-run takes a DryRunRequest and answers a
 * DryRunResult. Both need the session cookie of POST /dashboard/login.
 */
import * as v from 'valibot';

export const DASHBOARD_PROTOCOL = 1;

const Iso = v.pipe(v.string(), v.maxLength(40));
const Text = v.pipe(v.string(), v.maxLength(512));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Ms = v.nullable(v.pipe(v.number(), v.minValue(0)));

/** How the router sees one member of a routing point right now. */
export const MemberViewSchema = v.object({
  /** The KW's address of record. */
  kw: Text,
  name: Text,
  /** Ready, NotReady or LoggedOut, as the routing table made it of the KW's presence. */
  routingState: v.picklist(['Ready', 'NotReady', 'LoggedOut']),
  /** Why not Ready, in words ("dnd", "on-the-phone", "wrap-up", "at capacity", …); '' when Ready. */
  reason: Text,
  /** When the routing state last changed. */
  since: Iso,
  interactions: Count,
  capacity: Count,
  /** Offered an interaction right now (its preview is on their desktop). */
  offered: v.boolean(),
  /** End of wrap-up, when in wrap-up. */
  wrapUpUntil: v.optional(Iso),
});

/** An interaction waiting for a KW: queued for one to become available, or being offered. */
export const WaitingViewSchema = v.object({
  interactionId: Text,
  agent: Text,
  subject: Text,
  since: Iso,
  /** The KW it is offered to now, when it is. */
  offeredTo: v.optional(Text),
});

export const RoutingPointViewSchema = v.object({
  uri: Text,
  name: Text,
  strategy: Text,
  members: v.array(MemberViewSchema),
  waiting: v.array(WaitingViewSchema),
});

export const CountersSchema = v.object({
  received: Count,
  offered: Count,
  accepted: Count,
  declined: Count,
  /** Declines by the reason the KW gave ('' = none given). */
  declineReasons: v.record(Text, Count),
  timedOut: Count,
  /** Not routed, by reason (no member ready, all declined, …). */
  notRouted: v.record(Text, Count),
  escalations: v.object({
    transfer: v.object({ answered: Count, refused: Count }),
    conference: v.object({ answered: Count, refused: Count }),
  }),
  /** Offer → decision, milliseconds; null when there was none. */
  answerTime: v.object({ p50: Ms, p90: Ms }),
  /** Routed → ended, milliseconds. */
  chatDuration: v.object({ p50: Ms, p90: Ms }),
});

export const MinuteSchema = v.object({
  /** The minute's start. */
  minute: Iso,
  offered: Count,
  accepted: Count,
  declined: Count,
  timedOut: Count,
  notRouted: Count,
});

export const DashboardSnapshotSchema = v.object({
  protocol: v.literal(DASHBOARD_PROTOCOL),
  at: Iso,
  /** The instance that served it (any instance serves the same view). */
  instance: Text,
  routingPoints: v.array(RoutingPointViewSchema),
  last15m: CountersSchema,
  today: CountersSchema,
  /** The last 60 minutes, oldest first. */
  perMinute: v.array(MinuteSchema),
  /** KWs Ready per routing point over the last 60 minutes, one sample a minute, oldest first. */
  readyOverTime: v.array(v.object({ at: Iso, ready: v.record(Text, Count) })),
  /** Answer times today: count per bucket, `upToMs` the bucket's upper bound (null = above the last). */
  answerTimeHistogram: v.array(v.object({ upToMs: v.nullable(Count), count: Count })),
});

/** A member's presence in a dry run: a state the KW Desktop publishes, or a PIDF document (a third-party client's). */
export const DryRunPresenceSchema = v.variant('kind', [
  v.object({
    kind: v.literal('state'),
    state: v.picklist(['available', 'busy', 'dnd', 'brb', 'away', 'offline', 'on-the-phone']),
  }),
  v.object({ kind: v.literal('pidf'), document: v.pipe(v.string(), v.maxLength(64 * 1024)) }),
  v.object({ kind: v.literal('none') }),
]);

export const DryRunRequestSchema = v.object({
  routingPoint: Text,
  members: v.pipe(
    v.array(v.object({ kw: Text, presence: DryRunPresenceSchema, interactions: v.optional(Count) })),
    v.maxLength(500),
  ),
  /** The interaction's user data (the `named` strategy reads it). */
  userData: v.optional(v.record(Text, Text)),
  /** An edited router config (the same JSON as the config file), checked but never saved; absent = the current one. */
  config: v.optional(v.unknown()),
});

export const DryRunResultSchema = v.variant('ok', [
  v.object({
    ok: v.literal(true),
    routingPoint: Text,
    strategy: Text,
    /** What the routing table made of each member's presence. */
    members: v.array(
      v.object({
        kw: Text,
        /** The presence as read ("open, activity busy", "closed", "nothing published", …). */
        presence: Text,
        routingState: v.picklist(['Ready', 'NotReady', 'LoggedOut']),
        reason: Text,
      }),
    ),
    /** Who would be offered the interaction, in order (the first gets the next offer). */
    order: v.array(Text),
    /** Who is skipped, and why in words. */
    skipped: v.array(v.object({ kw: Text, reason: Text })),
    /**
     * Masked customer data (issue 16): each user-data key of the request with the routing
     * point's rule in words ("last 4 kept", "hidden", "not masked", …) and its value as a KW
     * would receive it; then the rules for keys the request does not carry (no `value`).
     * Absent from routers that predate masking.
     */
    userData: v.optional(v.array(v.object({ key: Text, rule: Text, value: v.optional(Text) }))),
  }),
  v.object({ ok: v.literal(false), problems: v.array(Text) }),
]);

export type MemberView = v.InferOutput<typeof MemberViewSchema>;
export type WaitingView = v.InferOutput<typeof WaitingViewSchema>;
export type RoutingPointView = v.InferOutput<typeof RoutingPointViewSchema>;
export type Counters = v.InferOutput<typeof CountersSchema>;
export type DashboardSnapshot = v.InferOutput<typeof DashboardSnapshotSchema>;
export type DryRunRequest = v.InferOutput<typeof DryRunRequestSchema>;
export type DryRunResult = v.InferOutput<typeof DryRunResultSchema>;
