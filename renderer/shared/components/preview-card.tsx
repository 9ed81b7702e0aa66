/**
 * One interaction preview: who asks, through which routing point, about what,
 * the first message and user data, a countdown, Accept / Decline (+ reason).
 * Used by the preview popup (with keyboard shortcuts) and by the main window's
 * "Pending requests" strip.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PreviewView } from '../../../preload/contract.js';
import { remainingFraction, secondsLeft } from '../format.js';
import { bridge, errorText } from '../kw.js';
import { now } from '../store.js';
import { RichText } from './rich-text.js';
import { UserData } from './user-data.js';

export interface PreviewActions {
  accept(): void;
  declineNow(): void;
  openReason(): void;
}

export function PreviewCard(props: {
  preview: PreviewView;
  /** Popup: shortcuts and larger layout. */
  variant: 'popup' | 'strip';
  /** Registers the card's actions so a window-level key handler can drive it. */
  register?: (id: string, actions: PreviewActions | null) => void;
}): JSX.Element {
  const p = props.preview;
  const [busy, setBusy] = useState<null | 'accept' | 'decline'>(null);
  const [error, setError] = useState<string | null>(null);
  const [reasonOpen, setReasonOpen] = useState(false);
  const [reason, setReason] = useState('');
  const reasonRef = useRef<HTMLInputElement>(null);
  const popup = props.variant === 'popup';
  const id = p.interactionId;
  const left = secondsLeft(p.expiresAt, now.value);
  const fraction = remainingFraction(p.receivedAt, p.expiresAt, now.value);

  const run = (kind: 'accept' | 'decline', call: () => Promise<null> | undefined) => {
    if (busy) return;
    const promise = call();
    if (!promise) return;
    setBusy(kind);
    setError(null);
    promise.then(
      () => setBusy(null),
      (err: unknown) => {
        setBusy(null);
        setError(`${kind === 'accept' ? 'Accept' : 'Decline'} failed: ${errorText(err)}`);
      },
    );
  };
  const accept = () => run('accept', () => bridge()?.previews.accept({ interactionId: id }));
  const decline = (withReason?: string) =>
    run('decline', () =>
      bridge()?.previews.decline(
        withReason ? { interactionId: id, reason: withReason } : { interactionId: id },
      ),
    );
  const openReason = () => setReasonOpen(true);

  const actions = useRef<PreviewActions>({ accept, declineNow: () => decline(), openReason });
  actions.current.accept = accept;
  actions.current.declineNow = () => decline();
  actions.current.openReason = openReason;
  const register = props.register;
  useEffect(() => {
    if (!register) return undefined;
    register(id, {
      accept: () => actions.current.accept(),
      declineNow: () => actions.current.declineNow(),
      openReason: () => actions.current.openReason(),
    });
    return () => register(id, null);
  }, [id, register]);

  useEffect(() => {
    if (reasonOpen) reasonRef.current?.focus();
  }, [reasonOpen]);

  const titleId = `pv-title-${id}`;
  const descId = `pv-desc-${id}`;
  const urgent = left <= 5;
  return (
    <article
      class={`preview preview-${props.variant}${urgent ? ' is-urgent' : ''}`}
      role={popup ? 'dialog' : 'group'}
      aria-labelledby={titleId}
      aria-describedby={descId}
      data-testid="preview-card"
      data-interaction-id={id}
      tabIndex={popup ? -1 : undefined}
    >
      <header class="preview-head">
        <h2 id={titleId} class="preview-title">
          <span class="visually-hidden">Request from </span>
          {p.agent.displayName || p.agent.uri}
        </h2>
        <div
          class="preview-seconds"
          data-testid="preview-countdown"
          role="timer"
          aria-label={`${left} seconds left to answer`}
        >
          {left}
          <span class="unit"> s</span>
        </div>
      </header>
      <div id={descId} class="preview-body">
        <p class="preview-meta" title={`${p.agent.uri}${p.routingPoint ? ` via ${p.routingPoint}` : ''}`}>
          {p.agent.uri}
          {p.routingPoint && ` · via ${p.routingPoint.replace(/^sips?:/, '')}`}
        </p>
        <p class="preview-subject" title={p.subject}>
          {p.subject || 'No subject'}
        </p>
        {p.text && (
          <p class="preview-text">
            <span class="clamp">
              <RichText text={p.text} />
            </span>
          </p>
        )}
        <UserData data={p.userData} class="kv-inline" />
      </div>
      <div class="countdown" aria-hidden="true">
        <div class="countdown-fill" style={{ transform: `scaleX(${fraction})` }} />
      </div>
      {reasonOpen ? (
        <form
          class="preview-reason"
          onSubmit={(e) => {
            e.preventDefault();
            decline(reason.trim() || undefined);
          }}
        >
          <label class="visually-hidden" for={`pv-reason-${id}`}>
            Reason for declining
          </label>
          <input
            id={`pv-reason-${id}`}
            ref={reasonRef}
            data-testid="decline-reason"
            type="text"
            maxLength={200}
            placeholder="Reason (optional), e.g. in a meeting"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                setReasonOpen(false);
              }
            }}
          />
          <button type="submit" class="btn btn-danger" data-testid="decline" disabled={busy !== null}>
            Decline
          </button>
          <button type="button" class="btn btn-quiet" onClick={() => setReasonOpen(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div class="preview-actions">
          <button
            type="button"
            class="btn btn-primary"
            data-testid="accept"
            onClick={accept}
            disabled={busy !== null}
            aria-keyshortcuts={popup ? 'Enter A' : undefined}
          >
            {popup ? (
              <span>
                <u>A</u>ccept <kbd aria-hidden="true">Enter</kbd>
              </span>
            ) : (
              'Accept'
            )}
          </button>
          <button
            type="button"
            class="btn"
            data-testid="decline"
            onClick={() => decline()}
            disabled={busy !== null}
            aria-keyshortcuts={popup ? 'D Escape' : undefined}
          >
            {popup ? (
              <span>
                <u>D</u>ecline <kbd aria-hidden="true">Esc</kbd>
              </span>
            ) : (
              'Decline'
            )}
          </button>
          <button
            type="button"
            class="btn-link"
            onClick={openReason}
            disabled={busy !== null}
            aria-keyshortcuts={popup ? 'R' : undefined}
            aria-label={popup ? 'Decline with reason' : undefined}
          >
            {popup ? (
              <>
                <u>R</u>eason…
              </>
            ) : (
              'Decline with reason…'
            )}
          </button>
        </div>
      )}
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
