/** A preview card's answers: Accept / Decline / Decline with reason, and the reason form. */
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** Accept, Decline and "with reason"; the popup shows its keys on them. */
export function PreviewButtons(props: {
  popup: boolean;
  disabled: boolean;
  onAccept: () => void;
  onDecline: () => void;
  onOpenReason: () => void;
}): JSX.Element {
  const { popup } = props;
  return (
    <div class="preview-actions">
      <button
        type="button"
        class="btn btn-primary"
        data-testid="accept"
        onClick={props.onAccept}
        disabled={props.disabled}
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
        onClick={props.onDecline}
        disabled={props.disabled}
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
        onClick={props.onOpenReason}
        disabled={props.disabled}
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
  );
}

/**
 * Declining with a reason. The reason lives in the card (it survives closing
 * the form); the input takes focus when the form opens; Escape closes it
 * without leaving the window's key handler a chance to decline.
 */
export function DeclineReasonForm(props: {
  interactionId: string;
  reason: string;
  disabled: boolean;
  onReason: (reason: string) => void;
  onDecline: () => void;
  onClose: () => void;
}): JSX.Element {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
  }, []);
  const id = `pv-reason-${props.interactionId}`;
  return (
    <form
      class="preview-reason"
      onSubmit={(e) => {
        e.preventDefault();
        props.onDecline();
      }}
    >
      <label class="visually-hidden" for={id}>
        Reason for declining
      </label>
      <input
        id={id}
        ref={input}
        data-testid="decline-reason"
        type="text"
        maxLength={200}
        placeholder="Reason (optional)"
        title="Reason (optional), e.g. in a meeting"
        value={props.reason}
        onInput={(e) => props.onReason(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            props.onClose();
          }
        }}
      />
      <button type="submit" class="btn btn-danger" data-testid="decline" disabled={props.disabled}>
        Decline
      </button>
      <button type="button" class="btn btn-quiet" onClick={props.onClose}>
        Cancel
      </button>
    </form>
  );
}
