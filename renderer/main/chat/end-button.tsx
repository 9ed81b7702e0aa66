/** "End conversation", with a confirmation that takes focus (Escape cancels). */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationView } from '../../../preload/contract.js';
import { errorText, kwApi } from '../../shared/kw.js';

export function EndButton(props: { c: ConversationView }): JSX.Element {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    setConfirming(false);
    setError(null);
  }, [props.c.interactionId]);
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);
  const end = () => {
    const kw = kwApi();
    if (!kw) return;
    setBusy(true);
    setError(null);
    kw.chats
      .end({ interactionId: props.c.interactionId })
      .then(() => setConfirming(false))
      .catch((err: unknown) => setError(`Could not end: ${errorText(err)}`))
      .finally(() => setBusy(false));
  };
  return (
    <div class="end-wrap">
      {confirming ? (
        <div
          class="confirm"
          role="group"
          aria-label="Confirm ending the conversation"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setConfirming(false);
          }}
        >
          <span>End this conversation?</span>
          <button
            type="button"
            class="btn btn-danger btn-small"
            data-testid="confirm-end"
            onClick={end}
            disabled={busy}
          >
            End
          </button>
          <button type="button" class="btn btn-small" ref={cancelRef} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="btn" data-testid="end-conversation" onClick={() => setConfirming(true)}>
          End conversation
        </button>
      )}
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
