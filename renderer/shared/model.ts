/**
 * Pure state logic of the renderer: how events change the lists, ordering,
 * search, and turning a rejected settings save into per-field errors. No DOM
 * and no Preact, so it runs under Vitest in Node.
 */
import { DEFAULT_SHORTCUTS } from '../../wire/settings-fields.js';
import type {
  CallView,
  ConversationView,
  PreviewView,
  SettingsInput,
  SettingsView,
} from '../../preload/contract.js';

/** Replaces the conversation with the same interaction id, or adds it. */
export function upsertConversation(
  list: readonly ConversationView[],
  conversation: ConversationView,
): readonly ConversationView[] {
  const i = list.findIndex((c) => c.interactionId === conversation.interactionId);
  if (i < 0) return [...list, conversation];
  const next = list.slice();
  next[i] = conversation;
  return next;
}

/** When anything last happened in a conversation (ms). */
export function lastActivity(c: ConversationView): number {
  const times = [c.startedAt, c.endedAt, c.messages[c.messages.length - 1]?.at]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : 0;
}

/** Active conversations first, then history; most recent first within each. */
export function sortConversations(list: readonly ConversationView[]): ConversationView[] {
  return [...list].sort((a, b) => {
    if (a.state !== b.state) return a.state === 'active' ? -1 : 1;
    return lastActivity(b) - lastActivity(a);
  });
}

/** Every word of the query must appear in the agent, subject, routing point, user data or a message. */
export function matchesQuery(c: ConversationView, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const haystack = [
    c.agent.displayName,
    c.agent.uri,
    c.subject,
    c.routingPoint ?? '',
    ...Object.values(c.userData),
    ...c.messages.map((m) => m.text),
  ]
    .join('\n')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function filterConversations(list: readonly ConversationView[], query: string): ConversationView[] {
  return sortConversations(list.filter((c) => matchesQuery(c, query)));
}

export function inboundCount(c: ConversationView | undefined): number {
  return c ? c.messages.filter((m) => m.direction === 'in').length : 0;
}

/** Previews oldest first, so the newest is at the bottom of a stack. */
export function orderPreviews(previews: readonly PreviewView[]): PreviewView[] {
  return [...previews].sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt));
}

/** Ids present in `next` but not in `prev` (e.g. previews that just appeared). */
export function newIds(prev: ReadonlySet<string>, next: readonly { interactionId: string }[]): string[] {
  return next.map((p) => p.interactionId).filter((id) => !prev.has(id));
}

/** Typing indicators: set or clear one interaction. */
export function applyTyping(
  typing: ReadonlySet<string>,
  event: { interactionId: string; active: boolean },
): ReadonlySet<string> {
  if (typing.has(event.interactionId) === event.active) return typing;
  const next = new Set(typing);
  if (event.active) next.add(event.interactionId);
  else next.delete(event.interactionId);
  return next;
}

/** A conversation update ends the agent's typing when a new message from them arrived or it ended. */
export function typingAfterUpdate(
  typing: ReadonlySet<string>,
  before: ConversationView | undefined,
  after: ConversationView,
): ReadonlySet<string> {
  if (!typing.has(after.interactionId)) return typing;
  if (after.state === 'ended' || inboundCount(after) > inboundCount(before)) {
    return applyTyping(typing, { interactionId: after.interactionId, active: false });
  }
  return typing;
}

// ---- settings form ----

export interface SettingsForm {
  uri: string;
  authUser: string;
  /** Empty = keep the stored password. */
  password: string;
  forgetPassword: boolean;
  displayName: string;
  servers: string[];
  idleMinutes: string;
  startAtLogin: boolean;
  sounds: boolean;
  /** The global accept / decline shortcuts: on, and their keys (kept while off, for turning them on again). */
  shortcutsOn: boolean;
  acceptKey: string;
  declineKey: string;
}

/** Form field keys errors attach to: the names above, or `servers.N`. */
export type FieldErrors = Record<string, string>;

export function formFromSettings(s: SettingsView): SettingsForm {
  return {
    uri: s.account.uri,
    authUser: s.account.authUser,
    password: '',
    forgetPassword: false,
    displayName: s.account.displayName,
    servers: s.servers.length ? [...s.servers] : [''],
    idleMinutes: String(s.idleMinutes),
    startAtLogin: s.startAtLogin,
    sounds: s.sounds,
    shortcutsOn: s.globalShortcuts !== null,
    acceptKey: s.globalShortcuts?.accept ?? DEFAULT_SHORTCUTS.accept,
    declineKey: s.globalShortcuts?.decline ?? DEFAULT_SHORTCUTS.decline,
  };
}

/** The input for `settings.save`, or the errors the form can see by itself. */
export function inputFromForm(
  form: SettingsForm,
): { ok: true; input: SettingsInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const idleText = form.idleMinutes.trim();
  const idle = Number(idleText);
  if (!/^\d+$/.test(idleText) || !Number.isSafeInteger(idle))
    errors.idleMinutes = 'a whole number of minutes';
  if (Object.keys(errors).length) return { ok: false, errors };
  const password = form.forgetPassword ? '' : form.password ? form.password : undefined;
  return {
    ok: true,
    input: {
      account: {
        uri: form.uri.trim(),
        authUser: form.authUser.trim(),
        displayName: form.displayName.trim(),
        ...(password !== undefined ? { password } : {}),
      },
      servers: form.servers.map((s) => s.trim()),
      idleMinutes: idle,
      startAtLogin: form.startAtLogin,
      sounds: form.sounds,
      globalShortcuts: form.shortcutsOn
        ? { accept: form.acceptKey.trim(), decline: form.declineKey.trim() }
        : null,
    },
  };
}

const FIELD_OF_PATH: Record<string, string> = {
  'account.uri': 'uri',
  'account.authUser': 'authUser',
  'account.password': 'password',
  'account.displayName': 'displayName',
  servers: 'servers',
  idleMinutes: 'idleMinutes',
  startAtLogin: 'startAtLogin',
  sounds: 'sounds',
  'globalShortcuts.accept': 'acceptKey',
  'globalShortcuts.decline': 'declineKey',
};

/**
 * Main rejects an invalid save with "invalid input for settings.save at
 * account.uri: the SIP address looks like sip:user@domain". Which form field
 * that names, and the message to show under it (null field: show it on the form).
 */
export function fieldErrorFromMessage(message: string): { field: string | null; message: string } {
  const m = /\bat ([A-Za-z0-9_.]+): (.+)$/s.exec(message);
  if (!m?.[1] || !m[2]) return { field: null, message };
  const path = m[1];
  const server = /^servers\.(\d+)$/.exec(path);
  if (server?.[1]) return { field: `servers.${server[1]}`, message: m[2] };
  return { field: FIELD_OF_PATH[path] ?? null, message: FIELD_OF_PATH[path] ? m[2] : message };
}

/** Moves item `i` by `delta` places (for the failover order of servers). */
export function move<T>(list: readonly T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return [...list];
  const next = [...list];
  const a = next[i] as T;
  next[i] = next[j] as T;
  next[j] = a;
  return next;
}

// ---- calls ----

/** A party for people: the display name, else the address without `sip:`. */
export function partyName(p: { readonly uri: string; readonly displayName: string }): string {
  return p.displayName.trim() || p.uri.replace(/^sips?:/i, '');
}

/** Calls still ringing, oldest first (the stack grows downwards, like previews). */
export function ringingCalls(calls: readonly CallView[]): CallView[] {
  return calls.filter((c) => c.phase === 'ringing').sort((a, b) => a.offeredAt - b.offeredAt);
}

const answeredAt = (c: CallView): number => c.answeredAt ?? c.offeredAt;

/**
 * The call the in-call panel shows: the one not on hold; else the latest held
 * one; else one that just ended (shown briefly, with its reason).
 */
export function currentCall(calls: readonly CallView[]): CallView | null {
  const live = calls.filter((c) => c.phase === 'connecting' || c.phase === 'active');
  const byLatest = (a: CallView, b: CallView) => answeredAt(b) - answeredAt(a);
  const talking = live.filter((c) => !c.held).sort(byLatest)[0];
  if (talking) return talking;
  const held = [...live].sort(byLatest)[0];
  if (held) return held;
  // Only calls that were answered end up here: a declined or missed ring just goes.
  return (
    calls
      .filter((c) => c.phase === 'ended' && c.answeredAt !== undefined)
      .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))[0] ?? null
  );
}

/** Answered calls besides the current one (on hold, waiting to be resumed). */
export function otherCalls(calls: readonly CallView[], current: CallView | null): CallView[] {
  return calls
    .filter((c) => (c.phase === 'connecting' || c.phase === 'active') && c.callId !== current?.callId)
    .sort((a, b) => answeredAt(a) - answeredAt(b));
}

/** "0:07", "12:34", "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Talk time so far (or in all, once ended); 0 before answer. */
export function talkTime(c: CallView, now: number): number {
  if (c.answeredAt === undefined) return 0;
  return (c.endedAt ?? now) - c.answeredAt;
}

export function callKind(c: CallView): 'Transfer' | 'Conference' | 'Call' {
  return c.escalation === 'transfer' ? 'Transfer' : c.escalation === 'conference' ? 'Conference' : 'Call';
}

/** Who the call is from: the escalating agent when there is one, else the caller. */
export function callFrom(c: CallView): { readonly uri: string; readonly displayName: string } {
  return c.context?.agent ?? c.remote;
}

export type CallPhaseKey = 'ringing' | 'connecting' | 'active' | 'held' | 'remote-held' | 'ended';

export function callPhaseKey(c: CallView): CallPhaseKey {
  if (c.phase !== 'active') return c.phase;
  if (c.held) return 'held';
  return c.remoteHeld ? 'remote-held' : 'active';
}

export const PHASE_TEXT: Record<CallPhaseKey, string> = {
  ringing: 'Ringing',
  connecting: 'Connecting…',
  active: 'In call',
  held: 'On hold',
  'remote-held': 'Held by the other side',
  ended: 'Ended',
};

/** Microphone/speaker options: the system default first; Chromium's own "default" entries would repeat it. */
export function deviceOptions(
  devices: readonly { readonly deviceId: string; readonly label: string }[],
  kind: 'Microphone' | 'Speaker',
): { value: string; label: string }[] {
  const real = devices.filter((d) => d.deviceId !== 'default' && d.deviceId !== 'communications');
  return [
    { value: '', label: 'System default' },
    ...real.map((d, i) => ({ value: d.deviceId, label: d.label || `${kind} ${i + 1}` })),
  ];
}
