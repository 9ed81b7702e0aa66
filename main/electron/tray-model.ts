/**
 * The tray menu as a pure model of the status: the presence choices (a radio
 * item checked on the current manual state), the effective state, the
 * connection when it is not signed in, "Open KW Desktop" and "Quit"; and
 * which icon to show. tray.ts turns it into an Electron menu.
 */
import type { StatusView } from '../../preload/contract.js';
import {
  MANUAL_STATES,
  STATE_LABELS,
  type EffectiveState,
  type ManualState,
} from '../core/presence/manual-states.js';

export type TrayAction =
  | { readonly kind: 'presence'; readonly state: ManualState }
  | { readonly kind: 'open' }
  | { readonly kind: 'quit' };

export type TrayItem =
  | { readonly type: 'radio'; readonly label: string; readonly checked: boolean; readonly action: TrayAction }
  | { readonly type: 'normal'; readonly label: string; readonly action: TrayAction }
  | { readonly type: 'label'; readonly label: string }
  | { readonly type: 'separator' };

/** One icon per effective presence state, plus one for "not signed in". */
export type TrayIconKey = EffectiveState | 'disconnected';

export interface TrayModel {
  readonly tooltip: string;
  readonly icon: TrayIconKey;
  readonly items: readonly TrayItem[];
}

export type TrayStatus = Pick<StatusView, 'presence' | 'connection'>;

export function trayModel(status: TrayStatus): TrayModel {
  const signedIn = status.connection.phase === 'registered';
  const effective = STATE_LABELS[status.presence.effective];
  const items: TrayItem[] = [
    { type: 'label', label: `Status: ${effective}` },
    ...(signedIn ? [] : [{ type: 'label', label: status.connection.text } as const]),
    { type: 'separator' },
    ...MANUAL_STATES.map((state): TrayItem => ({
      type: 'radio',
      label: STATE_LABELS[state],
      checked: state === status.presence.manual,
      action: { kind: 'presence', state },
    })),
    { type: 'separator' },
    { type: 'normal', label: 'Open KW Desktop', action: { kind: 'open' } },
    { type: 'normal', label: 'Quit', action: { kind: 'quit' } },
  ];
  return {
    tooltip: signedIn ? `KW Desktop — ${effective}` : `KW Desktop — ${status.connection.text}`,
    icon: signedIn ? status.presence.effective : 'disconnected',
    items,
  };
}

/** Two models show the same menu (rebuild only when this is false). */
export function sameTrayModel(a: TrayModel, b: TrayModel): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
