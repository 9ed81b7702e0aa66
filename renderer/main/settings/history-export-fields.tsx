/** Settings › Chat history: export every conversation kept on this computer to a readable file. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { errorText } from '../../shared/kw.js';
import { exportHistory } from '../history-export.js';

export function HistoryExportFields(): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const run = (format: 'html' | 'json') => {
    setBusy(true);
    setNote('');
    exportHistory({ format })
      .then(setNote)
      .catch((err: unknown) => setNote(`Could not export: ${errorText(err)}`))
      .finally(() => setBusy(false));
  };
  return (
    <fieldset data-testid="history-export">
      <legend>Chat history</legend>
      <p class="field-hint">
        Your conversations are kept encrypted on this computer. An export is a readable copy that is not
        encrypted: keep it somewhere safe.
      </p>
      <div class="export-all">
        <button
          type="button"
          class="btn"
          data-testid="export-all-html"
          disabled={busy}
          onClick={() => run('html')}
        >
          Export all as web page…
        </button>
        <button
          type="button"
          class="btn"
          data-testid="export-all-json"
          disabled={busy}
          onClick={() => run('json')}
        >
          Export all as JSON…
        </button>
      </div>
      <p class="small muted" role="status" data-testid="export-all-note">
        {note}
      </p>
    </fieldset>
  );
}
