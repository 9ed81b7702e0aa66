/**
 * Control messages of the wire protocol (docs/design.md §4): SIP MESSAGE bodies of
 * type application/vnd.kwdesk+json. One schema per message type; the KW core,
 * the router and the agent bot all parse with `parseControlMessage` and build
 * with `encodeControlMessage`, so the two sides cannot drift apart.
 */
import * as v from 'valibot';
import { CONTROL_CONTENT_TYPE, mediaType } from './content-types.js';
import { sanitizeReasonPhrase } from './sip/headers.js';
import { utf8Length } from './utf8.js';
import { isIsoTime } from './iso-time.js';

export const PROTOCOL_VERSION = 1;

/** Limits that keep one message from costing more than a screenful. */
export const LIMITS = {
  bodyBytes: 32 * 1024,
  subject: 200,
  text: 4000,
  displayName: 128,
  uri: 256,
  reason: 200,
  userDataKeys: 50,
  userDataKey: 64,
  userDataValue: 1024,
  /** Entries in a not-routed's `declines`. */
  declines: 50,
  /** A `paused`'s count of missed requests (the router's maxConsecutiveMisses is at most 100). */
  missed: 1000,
} as const;

const Uuid = v.pipe(
  v.string(),
  v.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'interactionId must be a UUID'),
);
const SipUri = v.pipe(
  v.string(),
  v.maxLength(LIMITS.uri, 'uri too long'),
  v.regex(/^sips?:[^\s<>"]+$/, 'not a SIP URI'),
);
const DisplayName = v.pipe(v.string(), v.maxLength(LIMITS.displayName, 'displayName too long'));
/** Keys a JSON object may carry but a plain record must not: valibot would drop them silently. */
const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'];
const UserData = v.pipe(
  // A JSON array passes valibot's record (its indices look like keys): refuse it first.
  v.custom<Record<string, unknown>>(
    (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
    'userData must be a JSON object',
  ),
  v.check((r) => Object.keys(r).length <= LIMITS.userDataKeys, 'too many userData fields'),
  v.check((r) => !RESERVED_KEYS.some((k) => Object.hasOwn(r, k)), 'userData key not allowed'),
  v.record(
    v.pipe(
      v.string(),
      v.maxLength(LIMITS.userDataKey, 'userData key too long'),
      v.regex(/^[A-Za-z0-9_.-]+$/, 'userData key must be a token'),
    ),
    v.pipe(v.string(), v.maxLength(LIMITS.userDataValue, 'userData value too long')),
  ),
);
const IsoTime = v.pipe(v.string(), v.check(isIsoTime, 'expiresAt must be a real ISO time'));
const Reason = v.pipe(v.string(), v.maxLength(LIMITS.reason, 'reason too long'));

const base = { v: v.literal(PROTOCOL_VERSION), interactionId: Uuid };

/**
 * A subject longer than the limit is shortened with "…" rather than refused: the
 * router shortens what an agent sent, and a KW shortens what an older router sent.
 * Never cuts a surrogate pair in half.
 */
export function shortenSubject(subject: string): string {
  if (subject.length <= LIMITS.subject) return subject;
  let cut = LIMITS.subject - 1;
  const last = subject.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  // End at a word boundary when there is one near the limit.
  const space = subject.lastIndexOf(' ', cut);
  if (space > cut - 30) cut = space;
  return `${subject.slice(0, cut).trimEnd()}…`;
}
const Subject = v.pipe(v.string(), v.transform(shortenSubject));

export const PreviewSchema = v.strictObject({
  ...base,
  type: v.literal('preview'),
  agent: v.strictObject({ uri: SipUri, displayName: DisplayName }),
  routingPoint: SipUri,
  subject: Subject,
  text: v.pipe(v.string(), v.maxLength(LIMITS.text, 'text too long')),
  userData: UserData,
  expiresAt: IsoTime,
});

export const PreviewAnswerSchema = v.strictObject({
  ...base,
  type: v.literal('preview-answer'),
  decision: v.picklist(['accept', 'decline'], 'decision must be accept or decline'),
  reason: v.optional(Reason),
});

export const PreviewCancelSchema = v.strictObject({
  ...base,
  type: v.literal('preview-cancel'),
  reason: v.picklist(['timeout', 'withdrawn', 'taken'], 'reason must be timeout, withdrawn or taken'),
});

export const RoutedSchema = v.strictObject({
  ...base,
  type: v.literal('routed'),
  kw: v.strictObject({ uri: SipUri, displayName: DisplayName, voiceUri: SipUri }),
});

export const NotRoutedSchema = v.strictObject({
  ...base,
  type: v.literal('not-routed'),
  reason: v.picklist(
    ['no-kw-available', 'declined', 'timeout'],
    'reason must be no-kw-available, declined or timeout',
  ),
  /** The reasons the KWs gave when they declined (optional; only declines that gave one or not). */
  declines: v.optional(
    v.pipe(
      v.array(v.strictObject({ kw: SipUri, reason: v.optional(Reason) })),
      v.maxLength(LIMITS.declines, 'too many declines'),
    ),
  ),
});

export const EndSchema = v.strictObject({
  ...base,
  type: v.literal('end'),
  reason: v.optional(Reason),
});

/**
 * Router → KW: the routing point stopped offering requests to this KW after
 * `missed` requests in a row went unanswered (declined or timed out). The KW
 * comes back by setting Available again or by sending `resume`.
 * `interactionId` is the interaction of the last miss.
 */
export const PausedSchema = v.strictObject({
  ...base,
  type: v.literal('paused'),
  routingPoint: SipUri,
  displayName: DisplayName,
  reason: v.picklist(['missed-requests'], 'reason must be missed-requests'),
  missed: v.pipe(
    v.number('missed must be a number'),
    v.integer('missed must be an integer'),
    v.minValue(1, 'missed must be ≥ 1'),
    v.maxValue(LIMITS.missed, `missed must be ≤ ${LIMITS.missed}`),
  ),
});

/** KW → routing point: send me requests again (after `paused`; `interactionId` is the paused's). */
export const ResumeSchema = v.strictObject({
  ...base,
  type: v.literal('resume'),
});

const SCHEMAS = {
  preview: PreviewSchema,
  'preview-answer': PreviewAnswerSchema,
  'preview-cancel': PreviewCancelSchema,
  routed: RoutedSchema,
  'not-routed': NotRoutedSchema,
  end: EndSchema,
  paused: PausedSchema,
  resume: ResumeSchema,
} as const;

export type ControlType = keyof typeof SCHEMAS;
export type Preview = v.InferOutput<typeof PreviewSchema>;
export type PreviewAnswer = v.InferOutput<typeof PreviewAnswerSchema>;
export type PreviewCancel = v.InferOutput<typeof PreviewCancelSchema>;
export type Routed = v.InferOutput<typeof RoutedSchema>;
export type NotRouted = v.InferOutput<typeof NotRoutedSchema>;
export type End = v.InferOutput<typeof EndSchema>;
export type Paused = v.InferOutput<typeof PausedSchema>;
export type Resume = v.InferOutput<typeof ResumeSchema>;
export type ControlMessage =
  Preview | PreviewAnswer | PreviewCancel | Routed | NotRouted | End | Paused | Resume;

export type ControlOf<K extends ControlType> = Extract<ControlMessage, { type: K }>;
/** The fields of one message type; `type` and `v` are filled in. */
export type ControlInput<K extends ControlType> = Omit<ControlOf<K>, 'v' | 'type'>;

export type ParseOutcome =
  | { readonly ok: true; readonly message: ControlMessage }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly reason: string };

export function isControlContentType(contentType: string): boolean {
  return mediaType(contentType) === CONTROL_CONTENT_TYPE;
}

/**
 * Validates a control message. `headerInteractionId` is the X-Interaction-Id
 * of the SIP message: when present it must match the body's. The reason is a
 * short phrase safe for a SIP status line.
 */
export function parseControlMessage(
  contentType: string,
  body: string,
  headerInteractionId?: string,
): ParseOutcome {
  if (!isControlContentType(contentType)) {
    return { ok: false, status: 415, reason: 'Unsupported Media Type' };
  }
  if (utf8Length(body) > LIMITS.bodyBytes) return { ok: false, status: 413, reason: 'Body Too Large' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, reason: 'Malformed JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, status: 400, reason: 'Body Is Not A JSON Object' };
  }
  const record = json as Record<string, unknown>;
  if (record.v !== PROTOCOL_VERSION)
    return { ok: false, status: 400, reason: 'Unsupported Protocol Version' };
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(SCHEMAS, type)) {
    return { ok: false, status: 400, reason: 'Unknown Message Type' };
  }
  const result = v.safeParse(SCHEMAS[type as ControlType], json);
  if (!result.success) return { ok: false, status: 400, reason: phrase(result.issues[0]) };
  const message = result.output as ControlMessage;
  if (
    headerInteractionId !== undefined &&
    headerInteractionId.toLowerCase() !== message.interactionId.toLowerCase()
  ) {
    return { ok: false, status: 400, reason: 'Interaction Id Mismatch' };
  }
  return { ok: true, message };
}

export function encodeControlMessage<K extends ControlType>(type: K, fields: ControlInput<K>): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, type, ...fields });
}

/** "Invalid agent.uri: not a SIP URI" — a status-line-safe phrase naming the field. */
function phrase(issue: v.BaseIssue<unknown> | undefined): string {
  if (!issue) return 'Invalid Message';
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return sanitizeReasonPhrase(`Invalid ${path || 'message'}: ${issue.message}`);
}
