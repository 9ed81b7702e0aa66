/**
 * The call popup: every ringing call as a card, oldest at the top, and the
 * ringtone while any rings (unless the `sounds` setting is off). Keyboard:
 * Enter or A answers, D or Escape declines the focused card (else the oldest
 * call); Enter on a focused button presses that button.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { bridge } from '../shared/kw.js';
import { callFrom, callKind, newIds, partyName, ringingCalls } from '../shared/model.js';
import { calls, fatal, status } from '../shared/store.js';
import { CallCard, type CallAction } from './call-card.js';
import { Ringtone } from './ringtone.js';

const ringtone = new Ringtone();

/** Reads `sounds` once per ring (a change in settings applies to the next call). */
function useSoundsSetting(ringing: boolean): boolean {
  const [sounds, setSounds] = useState(true);
  useEffect(() => {
    if (!ringing) return;
    bridge()
      ?.settings.get({})
      .then(
        (s) => setSounds(s.sounds),
        () => setSounds(true),
      );
  }, [ringing]);
  return sounds;
}

export function CallApp(): JSX.Element {
  const ringing = ringingCalls(calls.value);
  /** Calls the KW answered or declined here: silent at once, before main's update arrives. */
  const [handled, setHandled] = useState<ReadonlySet<string>>(new Set());
  const sounding = ringing.filter((c) => !handled.has(c.callId));
  const sounds = useSoundsSetting(sounding.length > 0);
  const seen = useRef<Set<string>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  /** The card the keys act on: the one with focus, else the oldest. */
  const [focused, setFocused] = useState<string | null>(null);
  const keyTarget = ringing.find((c) => c.callId === focused)?.callId ?? ringing[0]?.callId;

  const wanted = !sounds || !sounding.length ? null : sounding.some((c) => !c.waiting) ? 'ring' : 'waiting';
  useEffect(() => {
    if (wanted) ringtone.start(wanted);
    else ringtone.stop();
  }, [wanted]);
  useEffect(() => () => ringtone.stop(), []);

  // Announce and focus each call that appears.
  useEffect(() => {
    const fresh = newIds(
      seen.current,
      ringing.map((c) => ({ interactionId: c.callId })),
    );
    seen.current = new Set(ringing.map((c) => c.callId));
    const first = ringing.find((c) => c.callId === fresh[0]);
    if (!first) return;
    setAnnouncement(`Incoming ${callKind(first).toLowerCase()} from ${partyName(callFrom(first))}`);
    const active = document.activeElement;
    if (!active || active === document.body) {
      document.querySelector<HTMLElement>(`[data-call-id="${CSS.escape(first.callId)}"]`)?.focus();
    }
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const target = document.activeElement;
      if (e.key === 'Enter' && target?.tagName === 'BUTTON') return;
      const key = e.key.toLowerCase();
      const action =
        key === 'enter' || key === 'a'
          ? 'call-answer'
          : key === 'd' || key === 'escape'
            ? 'call-decline'
            : null;
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

  const onAction = (callId: string, _action: CallAction): void => {
    setHandled((prev) => new Set(prev).add(callId));
  };

  if (fatal.value) {
    return (
      <p class="inline-error call-popup-empty" role="alert">
        {fatal.value}
      </p>
    );
  }
  if (!status.value) return <p class="call-popup-empty">Connecting…</p>;
  return (
    <div
      class="call-stack"
      onFocusIn={(e) => {
        const card = (e.target as Element).closest<HTMLElement>('[data-testid="call-card"]');
        setFocused(card?.dataset.callId ?? null);
      }}
    >
      <p class="visually-hidden" aria-live="assertive">
        {announcement}
      </p>
      {ringing.length === 0 && <p class="call-popup-empty">No incoming calls.</p>}
      {ringing.map((c) => (
        <CallCard
          key={c.callId}
          call={c}
          variant="popup"
          keyTarget={c.callId === keyTarget}
          onAction={onAction}
        />
      ))}
    </div>
  );
}
