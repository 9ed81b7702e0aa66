/** The call popup's behaviour around its cards: ringing, announcing, keys. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CallView } from '../../preload/contract.js';
import { kwApi } from '../shared/kw.js';
import { callFrom, callKind, newIds, partyName } from '../shared/model.js';
import { neutralizeBidi } from '../shared/net-text.js';
import type { Ringer, RingKind } from './ringtone.js';

/** Reads `sounds` once per ring (a change in settings applies to the next call). */
export function useSoundsSetting(ringing: boolean): boolean {
  const [sounds, setSounds] = useState(true);
  useEffect(() => {
    if (!ringing) return;
    kwApi()
      ?.settings.get({})
      .then(
        (s) => setSounds(s.sounds),
        () => setSounds(true),
      );
  }, [ringing]);
  return sounds;
}

/** The pattern the calls want: a full ring unless every one of them waits behind the current call. */
export function ringKind(sounding: readonly CallView[]): RingKind | null {
  if (!sounding.length) return null;
  return sounding.some((c) => !c.waiting) ? 'ring' : 'waiting';
}

/** Plays `wanted` (silence for null), and stops when the popup goes. */
export function useRingtone(ringtone: Ringer, wanted: RingKind | null): void {
  useEffect(() => {
    if (wanted) ringtone.start(wanted);
    else ringtone.stop();
  }, [ringtone, wanted]);
  useEffect(() => () => ringtone.stop(), [ringtone]);
}

/** Announces each call that appears (the returned text goes to a live region) and focuses its card. */
export function useAnnounceNewCalls(ringing: readonly CallView[]): string {
  const seen = useRef<Set<string>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    const fresh = newIds(
      seen.current,
      ringing.map((c) => ({ interactionId: c.callId })),
    );
    seen.current = new Set(ringing.map((c) => c.callId));
    const first = ringing.find((c) => c.callId === fresh[0]);
    if (!first) return;
    setAnnouncement(
      `Incoming ${callKind(first).toLowerCase()} from ${neutralizeBidi(partyName(callFrom(first)))}`,
    );
    const active = document.activeElement;
    if (!active || active === document.body) {
      document.querySelector<HTMLElement>(`[data-call-id="${CSS.escape(first.callId)}"]`)?.focus();
    }
  });
  return announcement;
}

/** Enter or A answers, D or Escape declines the focused card (else the oldest); Enter on a button presses it. */
export function useCallKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const target = document.activeElement;
      if (e.key === 'Enter' && target?.tagName === 'BUTTON') return;
      const action = keyAction(e.key.toLowerCase());
      if (!action) return;
      const card =
        target?.closest<HTMLElement>('[data-testid="call-card"]') ??
        document.querySelector<HTMLElement>('[data-testid="call-card"]');
      const button = card?.querySelector<HTMLButtonElement>(`[data-testid="${action}"]`);
      if (!button || button.disabled) return;
      e.preventDefault();
      button.click();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

function keyAction(key: string): 'call-answer' | 'call-decline' | null {
  if (key === 'enter' || key === 'a') return 'call-answer';
  if (key === 'd' || key === 'escape') return 'call-decline';
  return null;
}
