/**
 * History from before could not be decrypted at start (its key is missing or
 * another one): it was moved aside, never deleted, and the KW chooses: keep
 * it aside and start fresh (the banner goes), or quit. Its live region is
 * always in the page, so the choice is announced when it appears. Text only.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { StatusView } from '../../preload/contract.js';
import { AlertIcon } from '../shared/components/icons.js';
import { errorText, kwApi } from '../shared/kw.js';
import { unreadableNotice } from './history-notice.js';

export function UnreadableHistoryBanner(props: { history: StatusView['history'] | undefined }): JSX.Element {
  const sentence = unreadableNotice(props.history);
  return (
    <div class="history-status" role="status" aria-live="polite">
      {sentence !== null && <Choice sentence={sentence} />}
    </div>
  );
}

function Choice(props: { sentence: string }): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const act = (run: () => Promise<unknown> | undefined) => {
    setError(null);
    run()?.catch((err: unknown) => setError(`That did not work: ${errorText(err)}`));
  };
  return (
    <div class="history-banner history-unreadable" data-testid="history-unreadable">
      <AlertIcon />
      <div class="history-unreadable-body">
        <span>{props.sentence}</span>
        <div class="history-unreadable-actions">
          <button
            type="button"
            class="btn btn-small btn-primary"
            data-testid="history-keep-aside"
            onClick={() => act(() => kwApi()?.history.keepAside({}))}
          >
            Keep it aside and start fresh
          </button>
          <button
            type="button"
            class="btn btn-small"
            data-testid="history-quit"
            onClick={() => act(() => kwApi()?.app.quit({}))}
          >
            Quit
          </button>
        </div>
        {error && <span class="inline-error">{error}</span>}
      </div>
    </div>
  );
}
