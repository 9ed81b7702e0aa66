/**
 * A routing point stopped sending this KW requests after misses in a row
 * (issue 16): the core's sentence and one way back, "Receive requests again",
 * which sets Available (main then sends `resume` to the routing point). Text
 * only: the sentence is never rendered as HTML.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { StatusView } from '../../preload/contract.js';
import { AlertIcon } from '../shared/components/icons.js';
import { errorText, kwApi } from '../shared/kw.js';

export function PausedNotice(props: { paused: StatusView['paused'] }): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const resume = () => {
    const kw = kwApi();
    if (!kw) return;
    setPending(true);
    setError(null);
    kw.presence
      .set({ state: 'available' })
      .catch((err: unknown) => setError(`That did not work: ${errorText(err)}`))
      .finally(() => setPending(false));
  };
  return (
    <div class="history-status" role="status" aria-live="polite">
      {props.paused && (
        <div class="history-banner paused-notice" data-testid="paused-notice">
          <AlertIcon />
          <div class="history-unreadable-body">
            <span>{props.paused.sentence}</span>
            <div class="history-unreadable-actions">
              <button
                type="button"
                class="btn btn-small btn-primary"
                data-testid="paused-resume"
                disabled={pending}
                onClick={resume}
              >
                Receive requests again
              </button>
            </div>
            {error !== null && <span role="alert">{error}</span>}
          </div>
        </div>
      )}
    </div>
  );
}
