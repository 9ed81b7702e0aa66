/** The presence states a KW can pick, and their labels. Pure: the renderer uses these too. */
export const MANUAL_STATES = ['available', 'busy', 'dnd', 'brb', 'away', 'offline'] as const;
export type ManualState = (typeof MANUAL_STATES)[number];

/** What the KW effectively is: a manual state or an automatic one. */
export const EFFECTIVE_STATES = [...MANUAL_STATES, 'on-the-phone'] as const;
export type EffectiveState = (typeof EFFECTIVE_STATES)[number];

export const STATE_LABELS: Record<EffectiveState, string> = {
  available: 'Available',
  busy: 'Busy',
  dnd: 'Do not disturb',
  brb: 'Be right back',
  away: 'Away',
  offline: 'Appear offline',
  'on-the-phone': 'In a call',
};

export function isManualState(value: unknown): value is ManualState {
  return typeof value === 'string' && (MANUAL_STATES as readonly string[]).includes(value);
}
