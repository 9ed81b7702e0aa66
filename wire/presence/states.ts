/**
 * The KW's presence states, what each one publishes (docs/design.md §4), and how
 * automatic states override the one the KW chose. Pure.
 */
import type { PresenceDocument, RpidActivity } from './pidf.js';

import type { EffectiveState, ManualState } from './manual-states.js';

export { MANUAL_STATES, STATE_LABELS, isManualState } from './manual-states.js';
export type { EffectiveState, ManualState } from './manual-states.js';

export interface AutomaticConditions {
  readonly inCall: boolean;
  readonly idle: boolean;
  readonly locked: boolean;
}

/**
 * Automatic states override, then give back, the manual one. Appear offline and
 * Do not disturb are deliberate choices: nothing automatic overrides them. A call
 * beats idle/lock (a KW on a call with a locked screen is still on the phone).
 * Idle and lock only turn Available or Busy into Away.
 */
export function effectiveState(manual: ManualState, auto: AutomaticConditions): EffectiveState {
  if (manual === 'offline' || manual === 'dnd') return manual;
  if (auto.inCall) return 'on-the-phone';
  if ((auto.idle || auto.locked) && (manual === 'available' || manual === 'busy')) return 'away';
  return manual;
}

const PUBLISHED: Record<
  EffectiveState,
  { basic: 'open' | 'closed'; activities: RpidActivity[]; note?: string; dnd?: boolean }
> = {
  available: { basic: 'open', activities: [] },
  busy: { basic: 'open', activities: ['busy'], note: 'Busy' },
  dnd: { basic: 'open', activities: ['busy'], note: 'Do not disturb', dnd: true },
  brb: { basic: 'open', activities: ['away'], note: 'Be right back' },
  away: { basic: 'open', activities: ['away'], note: 'Away' },
  'on-the-phone': { basic: 'open', activities: ['on-the-phone'], note: 'In a call' },
  offline: { basic: 'closed', activities: [] },
};

/** What `state` publishes; `until` (a timed Do not disturb) is written as the activities' RPID `until`. */
export function presenceDocument(
  entity: string,
  state: EffectiveState,
  contact?: string,
  until?: Date,
): PresenceDocument {
  const p = PUBLISHED[state];
  return {
    ...(until && p.activities.length > 0 ? { until } : {}),
    entity,
    basic: p.basic,
    activities: p.activities,
    ...(p.note ? { note: p.note } : {}),
    ...(p.dnd ? { extensions: { dnd: true } } : {}),
    ...(contact ? { contact } : {}),
    timestamp: new Date(),
  };
}
