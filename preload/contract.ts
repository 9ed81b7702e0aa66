/**
 * The contract between main and renderer: one typed map of commands
 * (renderer → main, with a result) and events (main → renderer), a valibot
 * schema per payload. Main validates every command input against it; the
 * renderer's API type (`KwApi`) is derived from it; the Electron preload, the
 * browser harness and the IPC gateway all iterate over the same map. Pure:
 * valibot and wire/ only. The views here are the renderer's, separate from the
 * core's domain types and the history file format (main/app/views.ts maps them).
 */
import * as v from 'valibot';
import { isIsoTime } from '../wire/iso-time.js';
import { EFFECTIVE_STATES, MANUAL_STATES } from '../wire/presence/manual-states.js';
import {
  AuthUserSchema,
  DisplayNameSchema,
  GlobalShortcutsSchema,
  IdleMinutesSchema,
  ServersSchema,
  SipAddressSchema,
  TrustedRoutingPointsSchema,
} from '../wire/settings-fields.js';

const Id = v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/, 'not an interaction id'));
const IsoTimeSchema = v.pipe(v.string(), v.maxLength(40), v.check(isIsoTime, 'not an ISO time'));
const NoInput = v.strictObject({});
const Ok = v.null();

export const WindowKindSchema = v.picklist(['main', 'preview', 'call']);
export type WindowKind = v.InferOutput<typeof WindowKindSchema>;

export const PreviewViewSchema = v.object({
  interactionId: Id,
  agent: v.object({ uri: v.string(), displayName: v.string() }),
  routingPoint: v.string(),
  subject: v.string(),
  text: v.string(),
  userData: v.record(v.string(), v.string()),
  expiresAt: v.string(),
  receivedAt: v.string(),
});

export const StatusViewSchema = v.object({
  connection: v.object({
    phase: v.picklist(['stopped', 'connecting', 'registering', 'registered', 'retrying', 'stopping']),
    text: v.string(),
    /** For `retrying`: when the next attempt is (ms since epoch), so the UI can count down. */
    retryAt: v.optional(v.number()),
    /**
     * Why the KW cannot be reached, while it cannot (absent when registered or
     * on the first attempt): a sentence for the banner and the tray, and the
     * technical detail for a disclosure, never the text itself (issue 12).
     */
    problem: v.optional(
      v.object({
        kind: v.picklist([
          'unreachable',
          'certificate',
          'lost',
          'credentials',
          'unknown-account',
          'registration',
        ]),
        sentence: v.string(),
        detail: v.string(),
      }),
    ),
  }),
  presence: v.object({
    manual: v.picklist(MANUAL_STATES),
    effective: v.picklist(EFFECTIVE_STATES),
    published: v.boolean(),
    /** A timed Do not disturb: when it ends (ISO time); the state before it comes back then. */
    until: v.optional(v.string()),
    /** The state that comes back then. */
    returnTo: v.optional(v.picklist(MANUAL_STATES)),
  }),
  routable: v.object({ routable: v.boolean(), explanation: v.string() }),
  account: v.object({ uri: v.string(), displayName: v.string() }),
  previews: v.array(PreviewViewSchema),
  /** Whether history is being saved; `problem` says why not, in a sentence, until it can write again. */
  history: v.object({
    saving: v.boolean(),
    problem: v.optional(v.string()),
    /**
     * History from before could not be decrypted at start (its key is missing or
     * another): set aside in `folder`, never deleted; `reason` is a clause for the banner.
     */
    unreadable: v.optional(v.object({ folder: v.string(), reason: v.string() })),
  }),
  /** No account or server is set yet: nothing connects, and the main window shows the sign-in screen. */
  signIn: v.boolean(),
  /** A request has waited unseen: the tray flashes until it is seen or ends. */
  alerting: v.optional(v.boolean()),
  /**
   * Routing points stopped sending requests after misses in a row (issue 16):
   * the sentence for the notice and the tray; "Receive requests again" sets Available.
   */
  paused: v.optional(v.object({ sentence: v.string() })),
});

const PartySchema = v.object({ uri: v.string(), displayName: v.string() });

export const ChatMessageViewSchema = v.object({
  id: v.string(),
  direction: v.picklist(['in', 'out']),
  text: v.string(),
  /** ISO time. */
  at: v.string(),
  /** Outgoing only. */
  delivery: v.optional(v.picklist(['sending', 'delivered', 'failed'])),
  /** Why the last send failed, in a sentence. */
  error: v.optional(v.string()),
  /** The status line or cause behind it ("480 Temporarily Unavailable"): a tooltip, not the text. */
  errorDetail: v.optional(v.string()),
});

/** A call of the conversation (an escalation), as its timeline shows it. */
export const CallRecordViewSchema = v.object({
  callId: v.string(),
  escalation: v.optional(v.picklist(['transfer', 'conference'])),
  remote: PartySchema,
  outcome: v.picklist(['answered', 'declined', 'missed', 'failed']),
  /** ISO times. */
  offeredAt: v.string(),
  answeredAt: v.optional(v.string()),
  endedAt: v.string(),
  /** Talk time (answer → end), 0 when not answered. */
  durationMs: v.number(),
  endReason: v.string(),
});

export const ConversationViewSchema = v.object({
  interactionId: Id,
  agent: PartySchema,
  routingPoint: v.optional(v.string()),
  subject: v.string(),
  userData: v.record(v.string(), v.string()),
  state: v.picklist(['active', 'ended']),
  endedBy: v.optional(v.picklist(['me', 'agent', 'router'])),
  startedAt: v.string(),
  endedAt: v.optional(v.string()),
  /** Opened by a message for an interaction we had no preview for. */
  unsolicited: v.optional(v.boolean()),
  /** Since when (ISO) the agent is offline (their side said so): the composer is closed meanwhile. */
  agentOfflineSince: v.optional(v.string()),
  messages: v.array(ChatMessageViewSchema),
  calls: v.array(CallRecordViewSchema),
  /**
   * Present when only the last message and the last call are here (an ended
   * conversation whose history stays on disk): the counts of all of them.
   * `chats.open` gives the conversation whole.
   */
  summary: v.optional(
    v.object({
      messageCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
      callCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
    }),
  ),
});

const CallId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a call id'));
/**
 * One call as the renderer sees it. `escalation` is absent for an ordinary
 * call (no interaction id); `context` is the escalating conversation's
 * subject, agent and user data when the call belongs to one.
 */
export const CallViewSchema = v.object({
  callId: CallId,
  direction: v.picklist(['incoming', 'outgoing']),
  /** ringing: offered, not answered; connecting: answered, media not up yet; active: talking; ended: gone. */
  phase: v.picklist(['ringing', 'connecting', 'active', 'ended']),
  remote: PartySchema,
  interactionId: v.optional(Id),
  escalation: v.optional(v.picklist(['transfer', 'conference'])),
  context: v.optional(
    v.object({
      subject: v.string(),
      agent: PartySchema,
      userData: v.record(v.string(), v.string()),
    }),
  ),
  /** Everyone in the call besides this KW: the remote party, plus the others of a conference. */
  participants: v.array(PartySchema),
  muted: v.boolean(),
  /** This KW put the call on hold. */
  held: v.boolean(),
  /** The other side put the call on hold. */
  remoteHeld: v.boolean(),
  /** When it was offered / answered / ended (ms since epoch). */
  offeredAt: v.number(),
  answeredAt: v.optional(v.number()),
  endedAt: v.optional(v.number()),
  /** Why it ended, in words ("Declined", "Caller hung up", "Media host lost"…). */
  endReason: v.optional(v.string()),
  /** Tones sent with the keypad, in order. */
  dtmf: v.string(),
  /** Another call is active: answering this one puts that one on hold. */
  waiting: v.boolean(),
});

export const DevicesViewSchema = v.object({
  inputs: v.array(v.object({ deviceId: v.string(), label: v.string() })),
  outputs: v.array(v.object({ deviceId: v.string(), label: v.string() })),
  /** The chosen ones ('' = the system default). */
  input: v.string(),
  output: v.string(),
  /** False when no media host is attached (calls cannot be answered). */
  available: v.boolean(),
});

// ---- Requests (missed, declined, taken by someone else…): issue 12 ----

/** A request that ended without this KW taking it: a chat or call preview, or a call that rang. */
export const RequestEntryViewSchema = v.object({
  id: v.string(),
  kind: v.picklist(['chat', 'call-preview', 'call']),
  interactionId: v.optional(v.string()),
  agent: PartySchema,
  subject: v.string(),
  routingPoint: v.optional(v.string()),
  outcome: v.picklist(['expired', 'declined', 'taken', 'withdrawn', 'failed', 'closed', 'missed']),
  /** What happened, in a sentence ("Taken by another expert before you answered."). */
  text: v.string(),
  /** ISO times. */
  offeredAt: v.string(),
  endedAt: v.string(),
  seen: v.boolean(),
});

/** The Requests section: newest first (at most 100), and how many the KW has not seen yet. */
export const RequestsViewSchema = v.object({
  entries: v.array(RequestEntryViewSchema),
  unseen: v.number(),
});

/**
 * A setup link from the organization (kwdesk://provision?url=…, --provision,
 * or pasted on the sign-in screen): fetched and checked in main, shown to the
 * KW, applied only when they confirm. `ready` says what it would set.
 */
export const ProvisioningViewSchema = v.variant('state', [
  v.object({ state: v.literal('idle') }),
  v.object({ state: v.literal('fetching'), host: v.string() }),
  v.object({
    state: v.literal('ready'),
    host: v.string(),
    /** The account the document names; uri '' = the KW types their address (in `domain`). */
    account: v.object({ uri: v.string(), displayName: v.string() }),
    domain: v.string(),
    servers: v.array(v.string()),
    trustedRoutingPoints: v.array(v.string()),
    /** The document carries a one-time sign-in code: no password to type. */
    signsInWithCode: v.boolean(),
    /** A different account is signed in now: applying replaces it. */
    replacesAccount: v.optional(v.string()),
  }),
  v.object({ state: v.literal('applying'), host: v.string() }),
  v.object({ state: v.literal('failed'), host: v.string(), sentence: v.string() }),
]);

export const AppSnapshotSchema = v.object({
  status: StatusViewSchema,
  provisioning: ProvisioningViewSchema,
  conversations: v.array(ConversationViewSchema),
  calls: v.array(CallViewSchema),
  requests: RequestsViewSchema,
});

export const SettingsViewSchema = v.object({
  account: v.object({
    uri: v.string(),
    authUser: v.string(),
    displayName: v.string(),
    /** Whether a password is stored; the password itself never leaves main. */
    hasPassword: v.boolean(),
  }),
  servers: v.array(v.string()),
  idleMinutes: v.number(),
  startAtLogin: v.boolean(),
  sounds: v.boolean(),
  /** The routing points whose requests this KW accepts (SIP addresses of record). */
  trustedRoutingPoints: v.array(v.string()),
  /** Setting paths enforced by the organization's policy (`account.uri`, `servers`…): shown locked. */
  locked: v.array(v.string()),
  /** Accept / decline from any app; null = off. */
  globalShortcuts: v.nullable(v.object({ accept: v.string(), decline: v.string() })),
  /** Why a shortcut could not be registered (another app has it), in a sentence. */
  shortcutsProblem: v.optional(v.string()),
});

export const SettingsInputSchema = v.strictObject({
  account: v.strictObject({
    uri: SipAddressSchema,
    authUser: AuthUserSchema,
    displayName: DisplayNameSchema,
    /** Absent = keep the stored one; empty string = forget it. */
    password: v.optional(v.pipe(v.string(), v.maxLength(256))),
  }),
  servers: ServersSchema,
  idleMinutes: IdleMinutesSchema,
  startAtLogin: v.boolean(),
  sounds: v.boolean(),
  /** Absent = keep the stored list. */
  trustedRoutingPoints: v.optional(TrustedRoutingPointsSchema),
  /** Absent = keep them; null = off. */
  globalShortcuts: v.optional(GlobalShortcutsSchema),
});

/** An export: written where the KW chose (Electron), not written (they cancelled), or handed to the page to download (harness). */
export const HistoryExportResultSchema = v.variant('kind', [
  v.object({ kind: v.literal('saved'), path: v.string() }),
  v.object({ kind: v.literal('canceled') }),
  v.object({ kind: v.literal('download'), fileName: v.string(), mimeType: v.string(), content: v.string() }),
]);

/** Commands: renderer → main. `input` is validated in main; `output` is what the promise resolves with. */
export const commands = {
  'app.ready': { input: v.strictObject({ window: WindowKindSchema }), output: AppSnapshotSchema },
  /** "Retry now": the SIP agent tries to connect or register at once instead of waiting. */
  'connection.retry': { input: NoInput, output: Ok },
  /** `until` (ISO time, only with dnd): Do not disturb until then, then back to the state before by itself. */
  'presence.set': {
    input: v.pipe(
      v.strictObject({ state: v.picklist(MANUAL_STATES), until: v.optional(IsoTimeSchema) }),
      v.forward(
        v.check(
          (i) => i.until === undefined || i.state === 'dnd',
          'only Do not disturb can have an end time',
        ),
        ['until'],
      ),
    ),
    output: Ok,
  },
  'previews.accept': { input: v.strictObject({ interactionId: Id }), output: Ok },
  /** The KW looked at the request (hovered or focused its card): its alerts stop. */
  'previews.seen': { input: v.strictObject({ interactionId: Id }), output: Ok },
  'previews.decline': {
    input: v.strictObject({ interactionId: Id, reason: v.optional(v.pipe(v.string(), v.maxLength(200))) }),
    output: Ok,
  },
  'chats.send': {
    input: v.strictObject({ interactionId: Id, text: v.pipe(v.string(), v.minLength(1), v.maxLength(4000)) }),
    output: Ok,
  },
  'chats.retry': {
    input: v.strictObject({ interactionId: Id, messageId: v.pipe(v.string(), v.maxLength(64)) }),
    output: Ok,
  },
  'chats.typing': { input: v.strictObject({ interactionId: Id, active: v.boolean() }), output: Ok },
  'chats.end': { input: v.strictObject({ interactionId: Id }), output: Ok },
  /** The conversation whole (messages and calls), read from history when the list has only its summary. */
  'chats.open': { input: v.strictObject({ interactionId: Id }), output: ConversationViewSchema },
  'settings.get': { input: NoInput, output: SettingsViewSchema },
  /** Fetches and checks a setup document (https only); applies nothing. */
  'provisioning.open': {
    input: v.strictObject({ url: v.pipe(v.string(), v.maxLength(2048)) }),
    output: ProvisioningViewSchema,
  },
  /** Applies the fetched document, all or nothing; `uri` when it names no account, `password` without a code. */
  'provisioning.apply': {
    input: v.strictObject({
      uri: v.optional(SipAddressSchema),
      password: v.optional(v.pipe(v.string(), v.minLength(1, 'enter your password'), v.maxLength(256))),
    }),
    output: Ok,
  },
  'provisioning.cancel': { input: NoInput, output: Ok },
  'settings.save': { input: SettingsInputSchema, output: SettingsViewSchema },
  /** Opens an https: or mailto: link in the system browser; anything else is refused. */
  'links.open': { input: v.strictObject({ url: v.pipe(v.string(), v.maxLength(2048)) }), output: Ok },
  'calls.answer': { input: v.strictObject({ callId: CallId }), output: Ok },
  'calls.decline': { input: v.strictObject({ callId: CallId }), output: Ok },
  'calls.hangup': { input: v.strictObject({ callId: CallId }), output: Ok },
  'calls.mute': { input: v.strictObject({ callId: CallId, muted: v.boolean() }), output: Ok },
  'calls.hold': { input: v.strictObject({ callId: CallId, held: v.boolean() }), output: Ok },
  /** DTMF sent as SIP INFO (RFC 2976, application/dtmf-relay). */
  'calls.dtmf': {
    input: v.strictObject({
      callId: CallId,
      tones: v.pipe(v.string(), v.regex(/^[0-9*#A-D]{1,32}$/, 'tones are 0-9 * # A-D')),
    }),
    output: Ok,
  },
  'devices.list': { input: NoInput, output: DevicesViewSchema },
  /** Microphone / speaker choice; applies to the current call too. Absent = keep. */
  'devices.select': {
    input: v.strictObject({
      input: v.optional(v.pipe(v.string(), v.maxLength(256))),
      output: v.optional(v.pipe(v.string(), v.maxLength(256))),
    }),
    output: DevicesViewSchema,
  },
  /** The KW opened the Requests section: none is unseen any more (clears the tray's count). */
  'requests.markSeen': { input: NoInput, output: Ok },
  /** From the preview popup: show the main window on a conversation. */
  'windows.showMain': { input: v.strictObject({ interactionId: v.optional(Id) }), output: Ok },
  /** Exports one conversation (`interactionId`) or all of them to a readable file: JSON or a self-contained HTML page. */
  'history.export': {
    input: v.strictObject({ interactionId: v.optional(Id), format: v.picklist(['json', 'html']) }),
    output: HistoryExportResultSchema,
  },
  /** "Keep it aside and start fresh": the unreadable history stays where it was moved; the banner goes. */
  'history.keepAside': { input: NoInput, output: Ok },
  /** "Quit" (the unreadable-history banner): KW Desktop quits. */
  'app.quit': { input: NoInput, output: Ok },
} as const;

/** Events: main → renderer. */
export const events = {
  status: StatusViewSchema,
  conversation: ConversationViewSchema,
  typing: v.object({ interactionId: Id, active: v.boolean() }),
  /** Every current call (and the ones that ended in the last seconds), on each change. */
  calls: v.array(CallViewSchema),
  /**
   * One answered call's sound for its meters, at most 5 a second while it is
   * connected: apart from `calls`, so the call list does not re-render for it.
   */
  levels: v.object({
    callId: CallId,
    /** What the KW's microphone sends, 0..1 linear (1 = full scale); 0 while muted or held. */
    input: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    /** What the far end sends and the KW hears, 0..1 linear. */
    output: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    /** Nothing audible from the microphone for about 5 s, although the call is active, unmuted, not held. */
    inputSilent: v.boolean(),
  }),
  /** Main asks the main window to show a conversation (after accept, or from the popup). */
  focus: v.object({ interactionId: Id }),
  /** The Requests section changed (a request ended without this KW, or the KW saw them). */
  requests: RequestsViewSchema,
  /** Main asks the main window to show the Requests section (the tray's "N missed requests"). */
  showRequests: v.object({}),
  /** A setup link is being fetched, is ready to apply, failed, or was applied or dropped (idle). */
  provisioning: ProvisioningViewSchema,
  /** A request still unseen after a while: chime again louder (2), and a native notification joins (3). */
  alert: v.object({ interactionId: Id, level: v.picklist([2, 3]) }),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<K extends CommandName> = v.InferInput<Commands[K]['input']>;
export type CommandOutput<K extends CommandName> = v.InferOutput<Commands[K]['output']>;
export type EventName = keyof typeof events;
export type EventPayload<K extends EventName> = v.InferOutput<(typeof events)[K]>;

export type AppSnapshot = v.InferOutput<typeof AppSnapshotSchema>;
export type StatusView = v.InferOutput<typeof StatusViewSchema>;
export type PreviewView = v.InferOutput<typeof PreviewViewSchema>;
export type SettingsView = v.InferOutput<typeof SettingsViewSchema>;
export type CallView = v.InferOutput<typeof CallViewSchema>;
export type DevicesView = v.InferOutput<typeof DevicesViewSchema>;
export type SettingsInput = v.InferOutput<typeof SettingsInputSchema>;
export type ConversationView = v.InferOutput<typeof ConversationViewSchema>;
export type ChatMessageView = v.InferOutput<typeof ChatMessageViewSchema>;
export type CallRecordView = v.InferOutput<typeof CallRecordViewSchema>;
export type CallLevelsView = EventPayload<'levels'>;
export type RequestsView = v.InferOutput<typeof RequestsViewSchema>;
export type RequestEntryView = v.InferOutput<typeof RequestEntryViewSchema>;
export type ProvisioningView = v.InferOutput<typeof ProvisioningViewSchema>;
export type HistoryExportResult = v.InferOutput<typeof HistoryExportResultSchema>;

export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

/**
 * Least privilege: the commands each window kind may call — what its renderer
 * really calls, nothing more. Main checks it for every command (the IPC
 * gateway knows the sending window; the harness, the kind a page connects as).
 * The popups read only the `sounds` setting through `settings.get`; changing
 * settings, chats and presence belong to the main window.
 */
export const WINDOW_COMMANDS: Readonly<Record<WindowKind, readonly CommandName[]>> = {
  main: COMMAND_NAMES,
  preview: [
    'app.ready',
    'previews.accept',
    'previews.decline',
    'previews.seen',
    'settings.get',
    'links.open',
  ],
  call: ['app.ready', 'calls.answer', 'calls.decline', 'settings.get', 'links.open'],
};

/** Why `window` may not call `name` (a sentence for the log and the caller), or undefined when it may. */
export function windowCommandProblem(window: WindowKind, name: CommandName): string | undefined {
  return WINDOW_COMMANDS[window].includes(name) ? undefined : `the ${window} window may not call ${name}`;
}

/** A command name split into the task namespace the renderer sees: `chats.send` → kw.chats.send(). */
type Split<K extends string> = K extends `${infer NS}.${infer M}` ? [NS, M] : never;
type Namespaces = Split<CommandName>[0];
type MethodsOf<NS extends string> = {
  [K in CommandName as Split<K>[0] extends NS ? Split<K>[1] : never]: (
    input: CommandInput<K>,
  ) => Promise<CommandOutput<K>>;
};

/** What `window.kw` is in the renderer: tasks, never channels. */
export type KwApi = { readonly [NS in Namespaces]: MethodsOf<NS> } & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** The one generic entry point both transports (Electron IPC, harness WebSocket) implement. */
export type Invoke = <K extends CommandName>(name: K, input: CommandInput<K>) => Promise<CommandOutput<K>>;
export type Subscribe = <E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
) => () => void;

/** Listeners per event for a `window.kw` implementation: `subscribe` for the API, `dispatch` for what arrives. */
export function eventListeners(): {
  subscribe: Subscribe;
  dispatch(event: EventName, payload: unknown): void;
} {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  return {
    subscribe: (event, listener) => {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },
    dispatch: (event, payload) => {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
    },
  };
}

/** Builds `window.kw` from a transport: used by the Electron preload and the harness client alike. */
export function buildKwApi(invoke: Invoke, subscribe: Subscribe): KwApi {
  const api: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  for (const name of COMMAND_NAMES) {
    const [ns, method] = name.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][method] = (input: unknown) => invoke(name, input as never);
  }
  return Object.freeze({ ...api, on: subscribe }) as unknown as KwApi;
}

export type CommandCheck<K extends CommandName> =
  | { readonly ok: true; readonly input: v.InferOutput<Commands[K]['input']> }
  | { readonly ok: false; readonly error: string };

/** Validates a command's input; the error names the field. */
export function checkCommand(name: string, input: unknown): CommandCheck<CommandName> {
  if (!isCommandName(name))
    return { ok: false, error: `unknown command ${JSON.stringify(name).slice(0, 80)}` };
  const result = v.safeParse(commands[name].input, input);
  if (result.success) return { ok: true, input: result.output };
  const issue = result.issues[0];
  const path = issue ? v.getDotPath(issue) : null;
  return {
    ok: false,
    error: `invalid input for ${name}${path ? ` at ${path}` : ''}: ${issue?.message ?? 'invalid'}`,
  };
}
