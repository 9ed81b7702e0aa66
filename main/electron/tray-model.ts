/**
 * The tray menu as a pure model of the status: the presence choices (a radio
 * item checked on the current manual state), the effective state, the
 * connection when it is not signed in, "Hang up" while a call is up,
 * "Open KW Desktop" and "Quit"; and which icon to show. tray.ts turns it
 * into an Electron menu.
 */
import { DND_DURATIONS, untilText } from '../../wire/presence/timed-dnd.js';
import type { CallView, StatusView } from '../../preload/contract.js';
import {
  MANUAL_STATES,
  STATE_LABELS,
  type EffectiveState,
  type ManualState,
} from '../../wire/presence/manual-states.js';

export type TrayAction =
  | { readonly kind: 'presence'; readonly state: ManualState }
  | { readonly kind: 'dnd-for'; readonly minutes: number }
  | { readonly kind: 'hangup'; readonly callId: string }
  /** The main window on the Requests section. */
  | { readonly kind: 'requests' }
  | { readonly kind: 'open' }
  | { readonly kind: 'quit' };

export type TrayItem =
  | { readonly type: 'radio'; readonly label: string; readonly checked: boolean; readonly action: TrayAction }
  | { readonly type: 'normal'; readonly label: string; readonly action: TrayAction }
  | { readonly type: 'label'; readonly label: string }
  | { readonly type: 'separator' };

/** One icon per effective presence state, one for "not signed in", and the attention icon a flash alternates with. */
export type TrayIconKey = EffectiveState | 'disconnected' | 'attention';

export interface TrayModel {
  readonly tooltip: string;
  readonly icon: TrayIconKey;
  readonly items: readonly TrayItem[];
  /** A request waits unseen: the icon alternates with the attention icon. */
  readonly flash?: boolean;
}

/** The call the tray can hang up: answered (connecting or active). */
export interface TrayCall {
  readonly callId: string;
  readonly remote: string;
}

export type TrayStatus = Pick<StatusView, 'presence' | 'connection' | 'paused'> & {
  /** No account yet: the menu offers to sign in instead of presence states (StatusView.signIn). */
  readonly signIn?: boolean;
  /** A request has waited unseen (StatusView.alerting). */
  readonly alerting?: boolean;
  /** The time the end of a timed Do not disturb is read against (tests); the real clock otherwise. */
  readonly now?: Date;
  readonly call?: TrayCall;
  /** Requests that ended without the KW and that the KW has not seen (RequestsView.unseen). */
  readonly missed?: number;
};

/** The call "Hang up" ends: the answered one the KW is talking on (not the one on hold), else any answered one. */
export function trayCall(calls: readonly CallView[]): TrayCall | undefined {
  const answered = calls.filter((c) => c.phase === 'active' || c.phase === 'connecting');
  const call = answered.find((c) => !c.held) ?? answered[0];
  if (!call) return undefined;
  return { callId: call.callId, remote: call.remote.displayName || call.remote.uri };
}

/** Before sign-in there is no presence to set: one way to the sign-in screen, and Quit. */
function signInModel(): TrayModel {
  return {
    tooltip: 'KW Desktop — not signed in',
    icon: 'disconnected',
    items: [
      { type: 'label', label: 'Not signed in' },
      { type: 'normal', label: 'Sign in…', action: { kind: 'open' } },
      { type: 'separator' },
      { type: 'normal', label: 'Quit', action: { kind: 'quit' } },
    ],
  };
}

export function trayModel(status: TrayStatus): TrayModel {
  if (status.signIn) return signInModel();
  const signedIn = status.connection.phase === 'registered';
  const effective = STATE_LABELS[status.presence.effective];
  const call = status.call;
  const problem = status.connection.problem;
  const until =
    status.presence.until !== undefined && status.presence.effective === 'dnd'
      ? ` ${untilText(new Date(status.presence.until), status.now ?? new Date())}`
      : '';
  const items: TrayItem[] = [
    { type: 'label', label: `Status: ${effective}${until}${problem ? ' — not reachable' : ''}` },
    ...(signedIn ? [] : [{ type: 'label', label: problem?.sentence ?? status.connection.text } as const]),
    ...(call
      ? [
          { type: 'label', label: `In a call with ${call.remote}` } as const,
          { type: 'normal', label: 'Hang up', action: { kind: 'hangup', callId: call.callId } } as const,
        ]
      : []),
    ...missedItems(status.missed),
    ...(status.paused ? [{ type: 'label', label: status.paused.sentence } as const] : []),
    { type: 'separator' },
    ...MANUAL_STATES.map((state): TrayItem => ({
      type: 'radio',
      label: STATE_LABELS[state],
      checked: state === status.presence.manual,
      action: { kind: 'presence', state },
    })),
    ...DND_DURATIONS.map((d): TrayItem => ({
      type: 'normal',
      label: `Do not disturb ${d.label}`,
      action: { kind: 'dnd-for', minutes: d.minutes },
    })),
    { type: 'separator' },
    { type: 'normal', label: 'Open KW Desktop', action: { kind: 'open' } },
    { type: 'normal', label: 'Quit', action: { kind: 'quit' } },
  ];
  const model = withMissed(
    {
      tooltip: problem
        ? `KW Desktop — not connected: ${problem.sentence}`
        : call
          ? `KW Desktop — in a call with ${call.remote}`
          : signedIn
            ? `KW Desktop — ${effective}${until}`
            : `KW Desktop — ${status.connection.text}`,
      icon: signedIn ? status.presence.effective : 'disconnected',
      items,
    },
    status.missed,
  );
  return status.alerting
    ? { ...model, flash: true, tooltip: `A request is waiting for you — ${model.tooltip}` }
    : model;
}

/** "1 missed request", "3 missed requests". */
export function missedLabel(count: number): string {
  return `${count} missed request${count === 1 ? '' : 's'}`;
}

/** The tooltip says how many requests were missed, until the KW has seen them. */
function withMissed(model: TrayModel, missed: number | undefined): TrayModel {
  return missed ? { ...model, tooltip: `${model.tooltip} · ${missedLabel(missed)}` } : model;
}

/** "3 missed requests" until the KW has seen them; it opens the Requests section. */
function missedItems(missed: number | undefined): TrayItem[] {
  if (!missed) return [];
  return [{ type: 'normal', label: missedLabel(missed), action: { kind: 'requests' } }];
}

/** Two models show the same menu (rebuild only when this is false). */
export function sameTrayModel(a: TrayModel, b: TrayModel): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
