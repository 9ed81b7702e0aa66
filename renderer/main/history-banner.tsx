/**
 * A lasting warning while history cannot be saved, with the core's sentence,
 * until history is written again. The live region is always in the page (only
 * its content comes and goes), so screen readers announce the warning when it
 * appears. Text only: nothing in it is rendered as HTML.
 */
import type { JSX } from 'preact';
import type { StatusView } from '../../preload/contract.js';
import { AlertIcon } from '../shared/components/icons.js';
import { historyNotice } from './history-notice.js';

export function HistoryBanner(props: { history: StatusView['history'] | undefined }): JSX.Element {
  const notice = historyNotice(props.history);
  return (
    <div class="history-status" role="status" aria-live="polite">
      {notice !== null && (
        <p class="history-banner" data-testid="history-banner">
          <AlertIcon />
          <span>{notice}</span>
        </p>
      )}
    </div>
  );
}
