/**
 * A lasting banner at the top of the main window while the KW cannot be
 * reached: the problem in a sentence, when KW Desktop tries again, "Retry now"
 * and "Open settings"; the technical detail behind a disclosure. The live
 * region is always in the page and announces only the sentence (the countdown
 * would repeat every second), and "Connected again" when it is over.
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { StatusView } from '../../preload/contract.js';
import { now } from '../shared/clock.js';
import { AlertIcon } from '../shared/components/icons.js';
import { NetText } from '../shared/components/net-text.js';
import { errorText, kwApi } from '../shared/kw.js';
import { status, view } from '../shared/store.js';
import { bannerRetryLine } from './connection-text.js';

type Connection = StatusView['connection'];
type Problem = NonNullable<Connection['problem']>;

export function ConnectionBanner(): JSX.Element {
  const connection = status.value?.connection;
  const problem = connection?.problem;
  const announcement = useAnnouncement(connection);
  return (
    <div class="connection-region">
      <p class="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {connection && problem && <Banner connection={connection} problem={problem} />}
    </div>
  );
}

/** The sentence while there is a problem; "Connected" once after one; else nothing. */
function useAnnouncement(connection: Connection | undefined): string {
  const hadProblem = useRef(false);
  if (connection?.problem) {
    hadProblem.current = true;
    return connection.problem.sentence;
  }
  if (hadProblem.current && connection?.phase === 'registered') return 'Connected again.';
  return '';
}

function Banner(props: { connection: Connection; problem: Problem }): JSX.Element {
  const { connection, problem } = props;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const retry = () => {
    const kw = kwApi();
    if (!kw) return;
    setBusy(true);
    setError(null);
    kw.connection
      .retry({})
      .catch((err: unknown) => setError(`Could not try again: ${errorText(err)}`))
      .finally(() => setBusy(false));
  };
  return (
    <section
      class="connection-banner"
      data-testid="connection-banner"
      data-problem={problem.kind}
      aria-labelledby="connection-banner-title"
    >
      <AlertIcon />
      <div class="connection-banner-text">
        <p>
          <strong id="connection-banner-title">{problem.sentence}</strong>{' '}
          <span class="connection-banner-retry" data-testid="connection-banner-retry">
            {bannerRetryLine(connection, now.value)}
          </span>
        </p>
        <div class="connection-banner-foot">
          <Actions settingsFirst={needsSettings(problem)} busy={busy} onRetry={retry} />
          <details class="connection-banner-details">
            <summary>Technical details</summary>
            <NetText text={problem.detail} fit="wrap" />
          </details>
        </div>
        {error && (
          <p class="inline-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </section>
  );
}

/** Only the person can fix these: Settings is the first thing to do. */
function needsSettings(problem: Problem): boolean {
  return problem.kind === 'credentials' || problem.kind === 'unknown-account';
}

function Actions(props: { settingsFirst: boolean; busy: boolean; onRetry: () => void }): JSX.Element {
  const primary = (first: boolean) => `btn btn-small${first ? ' btn-primary' : ''}`;
  return (
    <div class="connection-banner-actions">
      <button
        type="button"
        class={primary(!props.settingsFirst)}
        data-testid="connection-retry"
        disabled={props.busy}
        onClick={props.onRetry}
      >
        Retry now
      </button>
      <button
        type="button"
        class={primary(props.settingsFirst)}
        data-testid="connection-settings"
        onClick={() => {
          view.value = 'settings';
        }}
      >
        Open settings
      </button>
    </div>
  );
}
