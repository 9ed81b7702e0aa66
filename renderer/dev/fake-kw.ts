/**
 * A fake `window.kw` for looking at the UI without the core: in-memory state,
 * canned conversations and previews (including hostile text that must show as
 * text), delivery that succeeds or fails, settings validated with the real
 * contract. Loaded as a classic script before the renderer bundle by
 * scripts/renderer-preview.mjs (like the harness client). Dev only: never in a
 * production page.
 *
 * URL parameters: previews=0|1|2, conn=registered|retrying|connecting|unreachable
 * (retrying: the password refused, tried again in minutes; unreachable: no server; "Retry now"
 * connects after a moment), gone=left|offline (ix-2001's agent left, or is offline),
 * presence=<manual state>, phone=1 (automatic "In a call"), focus=<id>|none,
 * calls=<token>,… with tokens transfer|conference|call (ringing), active|muted|held|
 * connecting|conf-active|ended (answered), held2 (a second answered call, on hold).
 * A ringing call is `waiting` when an answered call is in progress.
 * long=1 adds a request and a conversation (ix-2003) from an agent with a 128-character
 * unbroken name and right-to-left overrides in the texts; call tokens long|long-active
 * ring or talk with that agent and a customer with a long name.
 * history=unsaved shows the warning for history that cannot be saved; history=unreadable the
 * choice offered when history from before cannot be decrypted (its key is missing).
 * requests=none: no missed requests (default: a sample, 2 of them unseen; with long=1 one more).
 * fields=<n> gives the first request, conversation ix-2001 and the refund call n user-data
 * fields (up to 14; "+N more" in the cards, a scrolling customer-data panel).
 * levels=talk|silent sends the answered calls' sound 5 times a second: both sides talking,
 * or a silent microphone (with "No sound from your microphone").
 */
import {
  buildKwApi,
  checkCommand,
  eventListeners,
  type AppSnapshot,
  type CallView,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type DevicesView,
  type EventName,
  type EventPayload,
  type Invoke,
  type PreviewView,
  type RequestEntryView,
  type RequestsView,
  type ProvisioningView,
  type SettingsView,
  type StatusView,
} from '../../preload/contract.js';
import { safeExternalUrl } from '../../wire/links.js';
import { STATE_LABELS, type ManualState } from '../../wire/presence/manual-states.js';

type Conversation = EventPayload<'conversation'>;
type ChatMessage = Conversation['messages'][number];

const params = new URLSearchParams(location.search);
const t0 = Date.now();
const iso = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();
const MIN = 60_000;
const DAY = 86_400_000;

const events = eventListeners();
function emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
  events.dispatch(event, structuredClone(payload));
}

// ---- state ----

let manual: ManualState = (params.get('presence') as ManualState | null) ?? 'available';
/** Set when the KW chooses Available (the paused notice's way back). */
let resumed = false;
/** `?dnd-until=15:30`: a timed Do not disturb, then Busy. */
let dndUntil: { until: string; returnTo: ManualState } | undefined = (() => {
  const hhmm = params.get('dnd-until');
  const at = hhmm ? new Date() : undefined;
  if (!at || !hhmm) return undefined;
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  at.setHours(h, m, 0, 0);
  if (at.getTime() < Date.now()) at.setDate(at.getDate() + 1);
  return { until: at.toISOString(), returnTo: 'busy' };
})();
const phone = params.get('phone') === '1';
let conn = params.get('conn') ?? 'registered';
const gone = params.get('gone');

// ---- long=1: text that must neither widen a window nor reorder itself ----

const longText = params.get('long') === '1';
const LONG_AGENT = {
  uri: 'sip:agent9@lab.local',
  displayName: 'Wolfeschlegelsteinhausenbergerdorff'.repeat(4).slice(0, 128),
};
const LONG_CUSTOMER = { uri: 'sip:+4930555000111@lab.local', displayName: 'Hubert-Blaine-'.repeat(9) };
const LONG_SUBJECT = `${'Customer-disputes-the-double-charge-on-invoice-42-'.repeat(4).slice(0, 199)}…`;
const RLO = '\u202E';
const LONG_DATA = { Note: `attached ${RLO}gpj.exe`, Reference: 'X'.repeat(120), Name: 'נועה כהן' };

function longPreview(): PreviewView {
  return {
    interactionId: 'pv-1003',
    agent: LONG_AGENT,
    routingPoint: 'sip:billing-experts-for-very-long-routing-point-names@lab.local',
    subject: LONG_SUBJECT,
    text: `Please check the file ${RLO}gpj.exe the customer sent.`,
    userData: LONG_DATA,
    receivedAt: iso(-2000),
    expiresAt: iso(58_000),
  };
}

// ---- fields=<n>: many user-data fields (issue 12: every one reachable) ----

const MANY_FIELDS: Readonly<Record<string, string>> = {
  CustomerName: 'Maria Garcia-Fernández',
  CaseNumber: 'CS-48213',
  Reason: 'Double charge on the March invoice',
  Channel: 'voice',
  Account: 'https://crm.example.com/acc/90031',
  Tier: 'Gold',
  Language: 'Spanish, English',
  Region: 'EMEA / Iberia',
  OrderNumber: '1182-77-0042',
  PaymentMethod: 'Visa ending 4242',
  LastContact: '2 days ago, by e-mail',
  Sentiment: 'Frustrated',
  PreferredCallback: 'Weekdays after 17:00',
  Notes: 'Asked twice for a supervisor; was promised a refund within 5 working days.',
};
const fieldCount = Number(params.get('fields') ?? '0');
/** The first `fields` of MANY_FIELDS, or `normal` without the parameter. */
function withFields(normal: Record<string, string>): Record<string, string> {
  return fieldCount > 0 ? Object.fromEntries(Object.entries(MANY_FIELDS).slice(0, fieldCount)) : normal;
}

function makePreviews(): PreviewView[] {
  const all: PreviewView[] = [
    {
      interactionId: 'pv-1001',
      agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
      routingPoint: 'sip:billing-experts@lab.local',
      subject: 'Customer disputes a double charge',
      text: 'Hi! The customer says she was charged twice in March, see https://billing.example.com/inv/2291. Can you check? <img src=x onerror=alert(1)>',
      userData: withFields({ CustomerName: 'Maria Garcia', CaseNumber: 'CS-48213', Reason: 'Double charge' }),
      receivedAt: iso(-6000),
      expiresAt: iso(54_000),
    },
    {
      interactionId: 'pv-1002',
      agent: { uri: 'sip:agent2@lab.local', displayName: 'Priya Raman' },
      routingPoint: 'sip:claims-experts@lab.local',
      subject: "<script>alert('x')</script> Policy coverage",
      text: 'Is water damage covered? javascript:alert(1) or mail claims: mailto:claims@example.com',
      userData: { Policy: 'P-77120', Tier: 'Gold', Note: '<b>VIP</b>' },
      receivedAt: iso(-1000),
      expiresAt: iso(59_000),
    },
  ];
  if (longText) all.unshift(longPreview());
  return all.slice(0, Number(params.get('previews') ?? '2'));
}
let previews = makePreviews();

function msg(
  id: string,
  direction: 'in' | 'out',
  text: string,
  at: number,
  extra: Partial<ChatMessage> = {},
): ChatMessage {
  return {
    id,
    direction,
    text,
    at: iso(at),
    ...(direction === 'out' ? { delivery: 'delivered' } : {}),
    ...extra,
  };
}

const conversations = new Map<string, Conversation>();
for (const c of [
  {
    interactionId: 'ix-2001',
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
    routingPoint: 'sip:billing-experts@lab.local',
    subject: 'Refund for order 1182',
    userData: withFields({
      CustomerName: 'John Smith',
      CaseNumber: 'CS-48177',
      Reason: 'Refund not received after 14 days',
      Channel: 'voice',
      Account: 'https://crm.example.com/acc/90031',
    }),
    state: 'active',
    startedAt: iso(-14 * MIN),
    messages: [
      msg(
        'm1',
        'in',
        'Hi, I have Mr Smith on the line. His refund for order 1182 has not arrived after 14 days.',
        -14 * MIN,
      ),
      msg('m2', 'out', 'Hello! Let me look it up, one moment.', -13 * MIN),
      msg(
        'm3',
        'in',
        'Thanks. He says the bank shows nothing pending.\nOrder page: https://shop.example.com/orders/1182.',
        -12 * MIN,
      ),
      msg(
        'm4',
        'out',
        'The refund was issued on the 3rd but bounced: his IBAN changed. Can you confirm the new one with him?',
        -6 * MIN,
        {
          delivery: 'failed',
          error: 'No answer from the agent.',
          errorDetail: '408 Request Timeout',
        },
      ),
      msg('m5', 'out', 'I can re-issue it today once we have it.', -1 * MIN, { delivery: 'sending' }),
    ],
  },
  {
    interactionId: 'ix-2002',
    agent: { uri: 'sip:sam.patel@lab.local', displayName: 'Sam Patel' },
    routingPoint: 'sip:network-experts@lab.local',
    subject: 'Router config for the VIP line',
    userData: { CustomerName: 'Acme Corp', Contract: 'ENT-2231' },
    state: 'active',
    startedAt: iso(-40 * MIN),
    messages: [
      msg('n1', 'in', 'Do you know which QoS profile the VIP trunk uses?', -40 * MIN),
      msg('n2', 'out', 'Profile EF-46, since May.', -38 * MIN),
    ],
  },
  {
    interactionId: 'ix-1990',
    agent: { uri: 'sip:agent2@lab.local', displayName: 'Priya Raman' },
    routingPoint: 'sip:claims-experts@lab.local',
    subject: 'Address change on a policy',
    userData: { Policy: 'P-66012' },
    state: 'ended',
    endedBy: 'agent',
    startedAt: iso(-DAY - 30 * MIN),
    endedAt: iso(-DAY - 20 * MIN),
    messages: [
      msg('h1', 'in', 'Can the customer change the address online?', -DAY - 30 * MIN),
      msg('h2', 'out', 'Yes: https://example.com/account/address — takes effect next day.', -DAY - 28 * MIN),
      msg('h3', 'in', 'Perfect, thanks!', -DAY - 21 * MIN),
    ],
  },
  {
    interactionId: 'ix-1975',
    agent: { uri: 'sip:agent7@lab.local', displayName: 'Tom Becker' },
    subject: 'Invoice copy',
    userData: {},
    state: 'ended',
    endedBy: 'me',
    startedAt: iso(-3 * DAY),
    endedAt: iso(-3 * DAY + 6 * MIN),
    messages: [
      msg('k1', 'in', 'Where do I find invoice copies older than a year?', -3 * DAY),
      msg('k2', 'out', 'Archive tab, filter by year.', -3 * DAY + 2 * MIN),
    ],
  },
] as (Omit<Conversation, 'calls'> & Partial<Pick<Conversation, 'calls'>>)[]) {
  conversations.set(c.interactionId, { ...c, calls: c.calls ?? [] });
}
// gone=left|offline: ix-2001's last message got 481 from the agent's app (left), or 480 (offline).
function agentGone(c: Conversation, how: 'left' | 'offline'): Conversation {
  const failure =
    how === 'left'
      ? { error: 'The agent has left this chat.', errorDetail: '481 Interaction Does Not Exist' }
      : { error: 'The agent is offline.', errorDetail: '480 Temporarily Unavailable' };
  const messages = c.messages.map((m, i) =>
    i === c.messages.length - 1 ? { ...m, delivery: 'failed' as const, ...failure } : m,
  );
  return how === 'left'
    ? { ...c, messages, state: 'ended', endedBy: 'agent', endedAt: iso(-1 * MIN) }
    : { ...c, messages, agentOfflineSince: iso(-1 * MIN) };
}
const goneConversation = conversations.get('ix-2001');
if (goneConversation && (gone === 'left' || gone === 'offline'))
  conversations.set('ix-2001', agentGone(goneConversation, gone));
if (longText) {
  conversations.set('ix-2003', {
    interactionId: 'ix-2003',
    agent: LONG_AGENT,
    routingPoint: 'sip:billing-experts-for-very-long-routing-point-names@lab.local',
    subject: LONG_SUBJECT,
    userData: LONG_DATA,
    state: 'active',
    startedAt: iso(-3 * MIN),
    messages: [
      msg('l1', 'in', `Did you open file ${RLO}gpj.exe yet?`, -3 * MIN),
      msg('l2', 'in', `Unbroken: ${'0123456789'.repeat(20)}`, -2 * MIN),
      msg('l3', 'in', 'שלום, הלקוח מחכה על הקו (Hebrew: the customer is waiting)', -2 * MIN),
      msg('l4', 'out', 'Looking at it.', -1 * MIN),
    ],
    calls: [],
  });
}

// ---- requests that ended without the KW (the sentences are the core's, main/core/requests) ----

function makeRequests(): RequestEntryView[] {
  if (params.get('requests') === 'none') return [];
  const entry = (
    id: string,
    at: number,
    fields: Omit<RequestEntryView, 'id' | 'offeredAt' | 'endedAt' | 'seen'>,
    seen: boolean,
  ): RequestEntryView => ({ id, offeredAt: iso(at), endedAt: iso(at + 20_000), seen, ...fields });
  const all = [
    entry(
      'rq-6',
      -4 * MIN,
      {
        kind: 'chat',
        interactionId: 'ix-3006',
        agent: { uri: 'sip:agent2@lab.local', displayName: 'Priya Raman' },
        routingPoint: 'sip:claims-experts@lab.local',
        subject: 'Water damage in a rented flat',
        outcome: 'expired',
        text: 'Missed: it expired before you answered.',
      },
      false,
    ),
    entry(
      'rq-5',
      -12 * MIN,
      {
        kind: 'call-preview',
        interactionId: 'ix-2001',
        agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
        routingPoint: 'sip:billing-experts@lab.local',
        subject: 'Refund for order 1182',
        outcome: 'taken',
        text: 'Another expert took the call.',
      },
      false,
    ),
    entry(
      'rq-4',
      -35 * MIN,
      {
        kind: 'chat',
        interactionId: 'ix-3004',
        agent: { uri: 'sip:sam.patel@lab.local', displayName: 'Sam Patel' },
        subject: 'VPN for the branch office',
        outcome: 'declined',
        text: 'You declined it: “With a customer on the phone”.',
      },
      true,
    ),
    entry(
      'rq-3',
      -DAY + 3 * MIN,
      {
        kind: 'call',
        interactionId: 'ix-1975',
        agent: { uri: 'sip:agent7@lab.local', displayName: 'Tom Becker' },
        subject: 'Invoice copy',
        outcome: 'missed',
        text: 'Missed call. The caller gave up.',
      },
      true,
    ),
    entry(
      'rq-2',
      -DAY - 2 * 60 * MIN,
      {
        kind: 'chat',
        interactionId: 'ix-3002',
        agent: { uri: 'sip:agent3@lab.local', displayName: 'Lena Fischer' },
        routingPoint: 'sip:billing-experts@lab.local',
        subject: 'Direct debit returned twice',
        outcome: 'withdrawn',
        text: 'Withdrawn by the agent or the routing point before you answered.',
      },
      true,
    ),
  ];
  if (longText)
    all.unshift(
      entry(
        'rq-7',
        -1 * MIN,
        {
          kind: 'chat',
          interactionId: 'ix-3007',
          agent: LONG_AGENT,
          subject: LONG_SUBJECT,
          outcome: 'declined',
          text: `You declined it: “see ${RLO}gpj.exe ${'0123456789'.repeat(8)}”.`,
        },
        true,
      ),
    );
  return all;
}
let requestEntries = makeRequests();
const requestsView = (): RequestsView => ({
  entries: requestEntries,
  unseen: requestEntries.filter((e) => !e.seen).length,
});

// ---- calls ----

const JOHN = { uri: 'sip:+4930555123@lab.local', displayName: 'John Smith' };
const AGENT_ONE = { uri: 'sip:agent1@lab.local', displayName: 'Agent One' };
const PRIYA = { uri: 'sip:agent2@lab.local', displayName: 'Priya Raman' };
const LEE = { uri: 'sip:+4930555987@lab.local', displayName: 'Lee Wong' };
const REFUND_CONTEXT = {
  subject: 'Refund for order 1182',
  agent: AGENT_ONE,
  userData: withFields({ CustomerName: 'John Smith', CaseNumber: 'CS-48177', Reason: 'Refund not received' }),
};

function makeCall(token: string, n: number): CallView | null {
  const base = {
    callId: `call-${n}-${token}`,
    direction: 'incoming' as const,
    muted: false,
    held: false,
    remoteHeld: false,
    dtmf: '',
    waiting: false,
    offeredAt: t0 - 4000 + n * 1000,
  };
  const transfer = {
    ...base,
    remote: JOHN,
    interactionId: 'ix-2001',
    escalation: 'transfer' as const,
    context: REFUND_CONTEXT,
    participants: [JOHN],
  };
  const conference = {
    ...base,
    remote: PRIYA,
    interactionId: 'ix-2002',
    escalation: 'conference' as const,
    context: {
      subject: 'Router config for the VIP line',
      agent: PRIYA,
      userData: { CustomerName: 'Acme Corp', Contract: 'ENT-2231' },
    },
    participants: [PRIYA, LEE],
  };
  const answered = { phase: 'active' as const, answeredAt: t0 - 133_000 };
  switch (token) {
    case 'transfer':
      return { ...transfer, phase: 'ringing' };
    case 'conference':
      return { ...conference, phase: 'ringing' };
    case 'call':
      return {
        ...base,
        phase: 'ringing',
        remote: { uri: 'sip:frontdesk@lab.local', displayName: 'Front Desk' },
        participants: [{ uri: 'sip:frontdesk@lab.local', displayName: 'Front Desk' }],
      };
    case 'active':
      return { ...transfer, ...answered };
    case 'muted':
      return { ...transfer, ...answered, muted: true };
    case 'held':
      return { ...transfer, ...answered, held: true };
    case 'connecting':
      return { ...transfer, phase: 'connecting', answeredAt: t0 - 1000 };
    case 'conf-active':
      return { ...conference, ...answered, answeredAt: t0 - 754_000, dtmf: '' };
    case 'ended':
      return {
        ...transfer,
        phase: 'ended',
        answeredAt: t0 - 192_000,
        endedAt: t0 - 1000,
        endReason: 'Caller hung up',
      };
    case 'mic-failed':
      // Answered before the microphone opened, which then failed: ended with a BYE (issue 15).
      return {
        ...transfer,
        phase: 'ended',
        answeredAt: t0 - 2000,
        endedAt: t0 - 1000,
        endReason: 'Your microphone could not be opened',
      };
    case 'long':
    case 'long-active':
      return {
        ...base,
        remote: LONG_CUSTOMER,
        interactionId: 'ix-2003',
        escalation: 'transfer',
        context: { subject: LONG_SUBJECT, agent: LONG_AGENT, userData: LONG_DATA },
        participants: [LONG_CUSTOMER],
        ...(token === 'long' ? { phase: 'ringing' } : answered),
      };
    case 'held2':
      return {
        ...base,
        phase: 'active',
        held: true,
        answeredAt: t0 - 420_000,
        remote: { uri: 'sip:frontdesk@lab.local', displayName: 'Front Desk' },
        participants: [{ uri: 'sip:frontdesk@lab.local', displayName: 'Front Desk' }],
      };
    default:
      return null;
  }
}

let calls: CallView[] = (params.get('calls') ?? '')
  .split(',')
  .filter(Boolean)
  .flatMap((token, i) => makeCall(token, i) ?? []);

const inProgress = (c: CallView) => c.phase === 'connecting' || c.phase === 'active';

/** Every change: waiting flags follow, then the event. */
function emitCalls(): void {
  const busy = calls.some(inProgress);
  calls = calls.map((c) => (c.phase === 'ringing' ? { ...c, waiting: busy } : c));
  emit('calls', calls);
}
emitCalls();

function callById(callId: string): CallView {
  const c = calls.find((x) => x.callId === callId && x.phase !== 'ended');
  if (!c) throw new Error('this call has ended');
  return c;
}

function patchCall(callId: string, patch: Partial<CallView>): void {
  calls = calls.map((c) => (c.callId === callId ? { ...c, ...patch } : c));
  emitCalls();
}

function endCall(callId: string, reason: string): void {
  patchCall(callId, { phase: 'ended', endedAt: Date.now(), endReason: reason, waiting: false });
  setTimeout(() => {
    calls = calls.filter((c) => c.callId !== callId);
    emitCalls();
  }, 8000);
}

// ---- levels=talk|silent: the call meters (issue 12, point 7) ----

/** Fixed levels, so the screenshots are the same each time: talk lights 4 and 3 segments. */
const LEVELS = {
  talk: { input: 0.12, output: 0.03, inputSilent: false },
  silent: { input: 0, output: 0.05, inputSilent: true },
} as const;
const levelsParam = params.get('levels');
const fakeLevels = levelsParam === 'talk' || levelsParam === 'silent' ? LEVELS[levelsParam] : undefined;
if (fakeLevels) {
  setInterval(() => {
    for (const c of calls) {
      if (!inProgress(c)) continue;
      const micOff = c.muted || c.held;
      emit('levels', {
        callId: c.callId,
        input: micOff ? 0 : fakeLevels.input,
        output: c.held ? 0 : fakeLevels.output,
        inputSilent: !micOff && c.phase === 'active' && fakeLevels.inputSilent,
      });
    }
  }, 200);
}

let devices: DevicesView = {
  inputs: [
    { deviceId: 'default', label: 'Default - Built-in Microphone' },
    { deviceId: 'mic-jabra', label: 'Jabra Evolve2 65' },
    { deviceId: 'mic-int', label: 'Built-in Microphone' },
  ],
  outputs: [
    { deviceId: 'default', label: 'Default - Built-in Speakers' },
    { deviceId: 'spk-jabra', label: 'Jabra Evolve2 65' },
    { deviceId: 'spk-int', label: 'Built-in Speakers' },
  ],
  input: 'mic-jabra',
  output: '',
  available: true,
};

/** `?signin=1`: a new install, no account yet (the sign-in screen). */
let signingIn = params.get('signin') === '1';

/** `?provision=ready|failed|fetching`: a setup link arrived (kwdesk://provision). */
function fakeProvisioning(state: string | null): ProvisioningView {
  const host = 'provision.lab.local';
  if (state === 'fetching') return { state: 'fetching', host };
  if (state === 'failed')
    return {
      state: 'failed',
      host,
      sentence:
        "The setup link's server (provision.lab.local) has a certificate that is not trusted, so KW Desktop did not use it. Ask your administrator.",
    };
  if (state !== 'ready') return { state: 'idle' };
  return {
    state: 'ready',
    host,
    account: { uri: 'sip:kw1@lab.local', displayName: 'Kim Expert' },
    domain: 'lab.local',
    servers: ['wss://sip1.lab.local:7443', 'wss://sip2.lab.local:7443'],
    trustedRoutingPoints: ['sip:billing-experts@lab.local'],
    signsInWithCode: params.get('code') === '1',
    ...(signingIn ? {} : { replacesAccount: 'sip:jane.cooper@lab.local' }),
  };
}
let provisioning: ProvisioningView = fakeProvisioning(params.get('provision'));

let settings: SettingsView = {
  account: signingIn
    ? { uri: '', authUser: '', displayName: '', hasPassword: false }
    : {
        uri: 'sip:jane.cooper@lab.local',
        authUser: 'jane.cooper',
        displayName: 'Jane Cooper',
        hasPassword: true,
      },
  servers: signingIn ? [] : ['wss://sip1.lab.local:7443', 'wss://sip2.lab.local:7443'],
  idleMinutes: 10,
  startAtLogin: true,
  sounds: true,
  trustedRoutingPoints: ['sip:billing-experts@lab.local', 'sip:claims-experts@lab.local'],
  // `?shortcuts=locked`: the organization's policy turns them on with its own keys.
  locked: params.get('shortcuts') === 'locked' ? ['globalShortcuts'] : [],
  globalShortcuts: fakeShortcuts(params.get('shortcuts')),
  ...(params.get('shortcuts') === 'taken'
    ? {
        shortcutsProblem:
          'Another app already uses CommandOrControl+Alt+D (decline): choose another shortcut.',
      }
    : {}),
};

/** `?shortcuts=taken` (on, one held by another app) or `locked` (set by the policy); else off. */
function fakeShortcuts(param: string | null): SettingsView['globalShortcuts'] {
  if (param === 'taken') return { accept: 'CommandOrControl+Alt+A', decline: 'CommandOrControl+Alt+D' };
  if (param === 'locked')
    return { accept: 'CommandOrControl+Shift+F9', decline: 'CommandOrControl+Shift+F10' };
  return null;
}

/** The sentences and details main sends (main/core/sip/outcome-text.ts). */
function fakeConnection(): StatusView['connection'] {
  if (conn === 'retrying')
    return {
      phase: 'retrying',
      text: 'Not connected',
      retryAt: t0 + 5 * MIN,
      problem: {
        kind: 'credentials',
        sentence: 'The server refused your password. Check it in Settings.',
        detail: 'the server refused the credentials (403): check user and password',
      },
    };
  if (conn === 'unreachable')
    return {
      phase: 'retrying',
      text: 'Not connected',
      retryAt: t0 + 12_000,
      problem: {
        kind: 'unreachable',
        sentence: 'KW Desktop cannot reach the SIP server, so requests cannot reach you.',
        detail: 'connect ECONNREFUSED 10.0.0.12:7443',
      },
    };
  if (conn === 'connecting') return { phase: 'connecting', text: 'Connecting to wss://sip1.lab.local:7443…' };
  return { phase: 'registered', text: 'Registered with wss://sip1.lab.local:7443' };
}

function status(): StatusView {
  const effective = phone ? 'on-the-phone' : manual;
  const connection = fakeConnection();
  const registered = connection.phase === 'registered';
  const routable = registered && effective === 'available';
  const explanation = !registered
    ? connection.problem
      ? 'you are not connected to the SIP server'
      : 'connecting to the SIP server…'
    : routable
      ? 'the router sees you as Ready'
      : effective === 'offline'
        ? 'the router sees you as logged out'
        : `the router sees you as Not Ready (${STATE_LABELS[effective]})`;
  return {
    connection,
    presence: { manual, effective, published: registered, ...(effective === 'dnd' ? (dndUntil ?? {}) : {}) },
    routable: { routable, explanation },
    account: { uri: settings.account.uri, displayName: settings.account.displayName },
    previews,
    history: fakeHistory(),
    signIn: signingIn,
    // `?paused=1`: a routing point stopped sending requests after misses in a row.
    ...(params.get('paused') === '1' && !resumed
      ? { paused: { sentence: 'You missed 3 requests, so Billing experts stopped sending you requests.' } }
      : {}),
  };
}

let unreadableKeptAside = false;

function fakeHistory(): AppSnapshot['status']['history'] {
  if (params.get('history') === 'unsaved')
    return {
      saving: false,
      problem:
        "History can't be saved: the folder /home/jane/.config/KW Desktop/history is read-only. Chats are kept until you quit.",
    };
  if (params.get('history') === 'unreadable' && !unreadableKeptAside)
    return {
      saving: true,
      unreadable: {
        folder: '/home/jane/.config/KW Desktop/history/unreadable-2026-12-05-084012',
        reason: 'the key that protects it is missing',
      },
    };
  return { saving: true };
}

/**
 * `?lazy=wait|fail`: ended conversations are listed as the core lists them
 * (the last message and a summary); `chats.open` then never answers (wait) or
 * fails (fail), to show the chat view's reading and problem lines.
 */
const lazy = params.get('lazy');

function listed(c: Conversation): Conversation {
  if (lazy === null || c.state !== 'ended') return c;
  return {
    ...c,
    messages: c.messages.slice(-1),
    calls: c.calls.slice(-1),
    summary: { messageCount: c.messages.length, callCount: c.calls.length },
  };
}

/** The harness's way: the file comes back to the page, which downloads it. */
function fakeExport(
  interactionId: string | undefined,
  format: 'json' | 'html',
): CommandOutput<'history.export'> {
  const chosen = [...conversations.values()].filter(
    (c) => interactionId === undefined || c.interactionId === interactionId,
  );
  const content =
    format === 'json'
      ? JSON.stringify({ exportedBy: 'KW Desktop (preview)', conversations: chosen }, null, 2)
      : `<!doctype html><title>Preview export</title><p>${chosen.length} conversation(s)</p>`;
  return {
    kind: 'download',
    fileName: `kw-${interactionId ?? 'history'}.${format}`,
    mimeType: format === 'json' ? 'application/json' : 'text/html',
    content,
  };
}

const update = (c: Conversation) => {
  conversations.set(c.interactionId, c);
  emit('conversation', c);
};

function deliverLater(interactionId: string, messageId: string, fail: boolean): void {
  setTimeout(() => {
    const c = conversations.get(interactionId);
    if (!c) return;
    update({
      ...c,
      messages: c.messages.map((m) =>
        m.id === messageId
          ? {
              ...m,
              delivery: fail ? 'failed' : 'delivered',
              ...(fail ? { error: 'The agent is offline.', errorDetail: '480 Temporarily Unavailable' } : {}),
            }
          : m,
      ),
    });
  }, 800);
}

/** The agent writes (for screenshots of a message arriving): `__kwFakeSay('ix-2001', 'Hello')`. */
Object.defineProperty(window, '__kwFakeSay', {
  value: (interactionId: string, text: string) => {
    const c = conversations.get(interactionId);
    if (!c) throw new Error(`no conversation ${interactionId}`);
    update({
      ...c,
      messages: [
        ...c.messages,
        { id: `a-${Date.now()}`, direction: 'in', text, at: new Date().toISOString() },
      ],
    });
  },
});

/** Links the page asked to open (for checks from Playwright). */
const opened: string[] = [];
Object.defineProperty(window, '__kwFakeOpened', { value: opened });

const handlers: { [K in CommandName]: (input: CommandInput<K>) => CommandOutput<K> } = {
  'connection.retry': () => {
    if (conn !== 'registered') {
      conn = 'connecting';
      setTimeout(() => emit('status', status()), 0);
      setTimeout(() => {
        conn = 'registered';
        emit('status', status());
      }, 700);
    }
    return null;
  },
  'app.ready': (): AppSnapshot => {
    setTimeout(() => {
      const focus = params.get('focus') ?? 'ix-2001';
      if (focus !== 'none' && conversations.has(focus)) emit('focus', { interactionId: focus });
      if (params.get('typing') !== '0') emit('typing', { interactionId: 'ix-2001', active: true });
    }, 50);
    return {
      status: status(),
      conversations: [...conversations.values()].map(listed),
      calls,
      requests: requestsView(),
      provisioning,
    };
  },
  'presence.set': ({ state, until }) => {
    if (state === 'available') resumed = true;
    dndUntil = until !== undefined ? { until, returnTo: manual === 'dnd' ? 'available' : manual } : undefined;
    manual = state;
    setTimeout(() => emit('status', status()), 150);
    return null;
  },
  'previews.accept': ({ interactionId }) => {
    const p = previews.find((x) => x.interactionId === interactionId);
    if (!p) throw new Error('this request is no longer pending');
    previews = previews.filter((x) => x !== p);
    const c: Conversation = {
      interactionId,
      agent: p.agent,
      routingPoint: p.routingPoint,
      subject: p.subject,
      userData: p.userData,
      state: 'active',
      startedAt: new Date().toISOString(),
      messages: [{ id: `${interactionId}-0`, direction: 'in', text: p.text, at: p.receivedAt }],
      calls: [],
    };
    emit('status', status());
    update(c);
    emit('focus', { interactionId });
    return null;
  },
  'previews.seen': ({ interactionId }) => {
    console.info('[fake kw] preview seen', interactionId);
    return null;
  },
  'previews.decline': ({ interactionId }) => {
    previews = previews.filter((x) => x.interactionId !== interactionId);
    emit('status', status());
    return null;
  },
  'chats.send': ({ interactionId, text }) => {
    const c = conversations.get(interactionId);
    if (!c || c.state === 'ended') throw new Error('the conversation has ended');
    const id = `s-${Date.now()}`;
    update({
      ...c,
      messages: [
        ...c.messages,
        { id, direction: 'out', text, at: new Date().toISOString(), delivery: 'sending' },
      ],
    });
    deliverLater(interactionId, id, /fail/i.test(text));
    // The agent answers a bit later, typing first.
    setTimeout(() => emit('typing', { interactionId, active: true }), 1200);
    setTimeout(() => {
      const now = conversations.get(interactionId);
      if (now?.state !== 'active') return;
      update({
        ...now,
        messages: [
          ...now.messages,
          { id: `r-${Date.now()}`, direction: 'in', text: 'Got it, thanks!', at: new Date().toISOString() },
        ],
      });
    }, 3500);
    return null;
  },
  'chats.retry': ({ interactionId, messageId }) => {
    const c = conversations.get(interactionId);
    if (!c) throw new Error('no such conversation');
    update({
      ...c,
      messages: c.messages.map((m) =>
        m.id === messageId
          ? { id: m.id, direction: m.direction, text: m.text, at: m.at, delivery: 'sending' }
          : m,
      ),
    });
    deliverLater(interactionId, messageId, false);
    return null;
  },
  'chats.typing': () => null,
  'chats.end': ({ interactionId }) => {
    const c = conversations.get(interactionId);
    if (!c) throw new Error('no such conversation');
    update({ ...c, state: 'ended', endedBy: 'me', endedAt: new Date().toISOString() });
    return null;
  },
  'settings.get': () => settings,
  'provisioning.open': ({ url }) => {
    provisioning = fakeProvisioning(url.includes('bad') ? 'failed' : 'ready');
    emit('provisioning', provisioning);
    return provisioning;
  },
  'provisioning.apply': () => {
    if (provisioning.state !== 'ready') throw new Error('There is no setup link to apply.');
    settings = {
      ...settings,
      account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim Expert', hasPassword: true },
      servers: provisioning.servers,
      trustedRoutingPoints: provisioning.trustedRoutingPoints,
    };
    provisioning = { state: 'idle' };
    signingIn = false;
    emit('provisioning', provisioning);
    emit('status', status());
    return null;
  },
  'provisioning.cancel': () => {
    provisioning = { state: 'idle' };
    emit('provisioning', provisioning);
    return null;
  },
  'settings.save': (input) => {
    settings = {
      account: {
        uri: input.account.uri,
        authUser: input.account.authUser,
        displayName: input.account.displayName,
        hasPassword:
          input.account.password === undefined ? settings.account.hasPassword : input.account.password !== '',
      },
      servers: input.servers,
      idleMinutes: input.idleMinutes,
      startAtLogin: input.startAtLogin,
      sounds: input.sounds,
      trustedRoutingPoints: input.trustedRoutingPoints ?? settings.trustedRoutingPoints,
      locked: settings.locked,
      globalShortcuts: input.globalShortcuts === undefined ? settings.globalShortcuts : input.globalShortcuts,
    };
    signingIn = false;
    emit('status', status());
    return settings;
  },
  'links.open': ({ url }) => {
    if (!safeExternalUrl(url)) throw new Error('only https: and mailto: links open');
    opened.push(url);
    console.info('[fake kw] open link', url);
    return null;
  },
  'windows.showMain': () => null,
  'history.export': ({ interactionId, format }) => fakeExport(interactionId, format),
  'chats.open': ({ interactionId }) => {
    const c = conversations.get(interactionId);
    if (!c) throw new Error('no such conversation');
    if (lazy === 'fail') throw new Error('a line of its file could not be decrypted.');
    return c;
  },
  'history.keepAside': () => {
    unreadableKeptAside = true;
    emit('status', status());
    return null;
  },
  'app.quit': () => {
    console.info('[fake kw] quit');
    return null;
  },
  'requests.markSeen': () => {
    requestEntries = requestEntries.map((e) => ({ ...e, seen: true }));
    setTimeout(() => emit('requests', requestsView()), 100);
    return null;
  },
  'calls.answer': ({ callId }) => {
    const c = callById(callId);
    if (c.phase !== 'ringing') throw new Error('this call is not ringing');
    // Answering puts the call in progress on hold, as the core does.
    calls = calls.map((x) => (inProgress(x) && !x.held ? { ...x, held: true } : x));
    patchCall(callId, { phase: 'connecting', answeredAt: Date.now(), waiting: false });
    setTimeout(() => {
      if (calls.find((x) => x.callId === callId)?.phase === 'connecting')
        patchCall(callId, { phase: 'active' });
    }, 700);
    return null;
  },
  'calls.decline': ({ callId }) => {
    callById(callId);
    endCall(callId, 'Declined');
    return null;
  },
  'calls.hangup': ({ callId }) => {
    callById(callId);
    endCall(callId, 'You hung up');
    return null;
  },
  'calls.mute': ({ callId, muted }) => {
    callById(callId);
    patchCall(callId, { muted });
    return null;
  },
  'calls.hold': ({ callId, held }) => {
    callById(callId);
    if (!held) calls = calls.map((x) => (x.callId !== callId && inProgress(x) ? { ...x, held: true } : x));
    patchCall(callId, { held });
    return null;
  },
  'calls.dtmf': ({ callId, tones }) => {
    const c = callById(callId);
    patchCall(callId, { dtmf: c.dtmf + tones });
    return null;
  },
  'devices.list': () => devices,
  'devices.select': ({ input, output }) => {
    devices = { ...devices, input: input ?? devices.input, output: output ?? devices.output };
    return devices;
  },
};

const invoke: Invoke = (name, input) =>
  new Promise((resolve, reject) => {
    if (name === 'chats.open' && lazy === 'wait') return;
    setTimeout(() => {
      const check = checkCommand(name, input);
      if (!check.ok) {
        reject(new Error(check.error));
        return;
      }
      try {
        const handler = handlers[name] as (input: unknown) => unknown;
        resolve(structuredClone(handler(check.input)) as never);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }, 60);
  });

// Previews that time out disappear, as in the core.
setInterval(() => {
  const before = previews.length;
  previews = previews.filter((p) => Date.parse(p.expiresAt) > Date.now());
  if (previews.length !== before) emit('status', status());
}, 500);

Object.defineProperty(window, 'kw', {
  value: buildKwApi(invoke, events.subscribe),
  writable: false,
  configurable: false,
});
