/**
 * The call popup: every ringing call as a card, oldest at the top, and the
 * ringtone while any rings (unless the `sounds` setting is off). Keyboard:
 * Enter or A answers, D or Escape declines the focused card (else the oldest
 * call); Enter on a focused button presses that button.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ringingCalls } from '../shared/model.js';
import { calls, fatal, status } from '../shared/store.js';
import { MoreBelow } from '../shared/components/more-below.js';
import { CallCard, type CallAction } from './call-card.js';
import { ringKind, useAnnounceNewCalls, useCallKeys, useRingtone, useSoundsSetting } from './popup-hooks.js';
import type { Ringer } from './ringtone.js';

export function CallApp(props: { ringtone: Ringer }): JSX.Element {
  const ringing = ringingCalls(calls.value);
  /** Calls the KW answered or declined here: silent at once, before main's update arrives. */
  const [handled, setHandled] = useState<ReadonlySet<string>>(new Set());
  const sounding = ringing.filter((c) => !handled.has(c.callId));
  const sounds = useSoundsSetting(sounding.length > 0);
  useRingtone(props.ringtone, sounds ? ringKind(sounding) : null);
  const announcement = useAnnounceNewCalls(ringing);
  useCallKeys();
  /** The card the keys act on: the one with focus, else the oldest. */
  const [focused, setFocused] = useState<string | null>(null);
  const keyTarget = ringing.find((c) => c.callId === focused)?.callId ?? ringing[0]?.callId;

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
    // A main landmark and a heading, so a screen reader can jump to the calls.
    <main
      class="call-stack"
      onFocusIn={(e) => {
        const card = (e.target as Element).closest<HTMLElement>('[data-testid="call-card"]');
        setFocused(card?.dataset.callId ?? null);
      }}
    >
      <h1 class="visually-hidden">Incoming calls</h1>
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
      {/* An opened card or several calls are taller than the popup: say that it scrolls. */}
      <MoreBelow />
    </main>
  );
}
