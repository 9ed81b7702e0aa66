/** The delivery state under an outgoing message: sending, delivered, or not delivered with Retry. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ChatMessageView } from '../../../preload/contract.js';
import { AlertIcon, CheckIcon, ClockIcon } from '../../shared/components/icons.js';
import { NetText } from '../../shared/components/net-text.js';
import { errorText, kwApi } from '../../shared/kw.js';
import { neutralizeBidi } from '../../shared/net-text.js';

export function Delivery(props: {
  m: ChatMessageView;
  interactionId: string;
  readOnly: boolean;
}): JSX.Element | null {
  const { m } = props;
  const [error, setError] = useState<string | null>(null);
  const [retrying, setRetrying] = useState(false);
  if (m.direction !== 'out' || !m.delivery) return null;
  if (m.delivery === 'sending') {
    return (
      <span class="delivery is-sending">
        <ClockIcon /> Sending…
      </span>
    );
  }
  if (m.delivery === 'delivered') {
    return (
      <span class="delivery is-delivered">
        <CheckIcon /> Delivered
      </span>
    );
  }
  const retry = () => {
    const kw = kwApi();
    if (!kw) return;
    setRetrying(true);
    setError(null);
    kw.chats
      .retry({ interactionId: props.interactionId, messageId: m.id })
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setRetrying(false));
  };
  return (
    <span class="delivery is-failed">
      <AlertIcon />
      {/* The sentence is the text; the status line behind it only a tooltip. */}
      <span
        data-testid="delivery-error"
        title={m.errorDetail !== undefined ? neutralizeBidi(m.errorDetail) : undefined}
      >
        Not delivered.
        {m.error && (
          <>
            {' '}
            <NetText text={m.error} fit="wrap" />
          </>
        )}
      </span>
      {!props.readOnly && (
        <button type="button" class="btn btn-small" data-testid="retry" onClick={retry} disabled={retrying}>
          Retry
        </button>
      )}
      {error && (
        <span class="inline-error" role="alert">
          {' '}
          Retry failed: {error}
        </span>
      )}
    </span>
  );
}
