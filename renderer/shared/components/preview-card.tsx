/**
 * One interaction preview: who asks, through which routing point, about what,
 * the first message and user data, a countdown, Accept / Decline (+ reason).
 * Used by the preview popup (with keyboard shortcuts) and by the main window's
 * "Pending requests" strip.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { PreviewView } from '../../../preload/contract.js';
import { remainingFraction, secondsLeft } from '../format.js';
import { kwApi } from '../kw.js';
import { now } from '../clock.js';
import { DeclineReasonForm, PreviewButtons } from './preview-buttons.js';
import { usePreviewCommands, useRegisteredActions, type PreviewActions } from './preview-commands.js';
import { CountdownBar, PreviewBody, PreviewHead } from './preview-parts.js';

export type { PreviewActions } from './preview-commands.js';

export function PreviewCard(props: {
  preview: PreviewView;
  /** Popup: shortcuts and larger layout. */
  variant: 'popup' | 'strip';
  /** Registers the card's actions so a window-level key handler can drive it. */
  register?: (id: string, actions: PreviewActions | null) => void;
}): JSX.Element {
  const p = props.preview;
  const id = p.interactionId;
  const { busy, error, accept, decline } = usePreviewCommands(id);
  const [reasonOpen, setReasonOpen] = useState(false);
  const [reason, setReason] = useState('');
  const openReason = () => setReasonOpen(true);
  useRegisteredActions(id, props.register, { accept, declineNow: () => decline(), openReason });

  const popup = props.variant === 'popup';
  const left = secondsLeft(p.expiresAt, now.value);
  const titleId = `pv-title-${id}`;
  const descId = `pv-desc-${id}`;
  const urgent = left <= 5;
  return (
    <section
      class={`preview preview-${props.variant}${urgent ? ' is-urgent' : ''}`}
      role={popup ? 'dialog' : 'group'}
      aria-labelledby={titleId}
      aria-describedby={descId}
      data-testid="preview-card"
      data-interaction-id={id}
      tabIndex={popup ? -1 : undefined}
      // The KW's own pointer or keys on the card mean they saw it (not the focus the popup gives a new card).
      onMouseEnter={() => markSeen(id)}
      onKeyDown={() => markSeen(id)}
    >
      <PreviewHead preview={p} titleId={titleId} secondsLeft={left} />
      <PreviewBody preview={p} descId={descId} />
      <CountdownBar fraction={remainingFraction(p.receivedAt, p.expiresAt, now.value)} />
      {reasonOpen ? (
        <DeclineReasonForm
          interactionId={id}
          reason={reason}
          disabled={busy !== null}
          onReason={setReason}
          onDecline={() => decline(reason.trim() || undefined)}
          onClose={() => setReasonOpen(false)}
        />
      ) : (
        <PreviewButtons
          popup={popup}
          disabled={busy !== null}
          onAccept={accept}
          onDecline={() => decline()}
          onOpenReason={openReason}
        />
      )}
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

const seenSent = new Set<string>();

/** Tells main once per request that the KW saw it: its alerts (chime again, tray, notification) stop. */
function markSeen(interactionId: string): void {
  if (seenSent.has(interactionId)) return;
  seenSent.add(interactionId);
  void kwApi()
    ?.previews.seen({ interactionId })
    .catch(() => seenSent.delete(interactionId));
}
