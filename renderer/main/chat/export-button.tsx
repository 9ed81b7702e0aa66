/** "Export…" in the chat header: this conversation as a web page (HTML) or as JSON; what happened, in a sentence. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConversationView } from '../../../preload/contract.js';
import { errorText } from '../../shared/kw.js';
import { exportHistory } from '../history-export.js';

export function ExportButton(props: { c: ConversationView }): JSX.Element {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => {
    setOpen(false);
    setNote('');
  }, [props.c.interactionId]);
  const run = (format: 'html' | 'json') => {
    setBusy(true);
    setNote('');
    exportHistory({ interactionId: props.c.interactionId, format })
      .then((sentence) => {
        setNote(sentence);
        setOpen(false);
      })
      .catch((err: unknown) => setNote(`Could not export: ${errorText(err)}`))
      .finally(() => setBusy(false));
  };
  return (
    <div class="export-wrap">
      {open ? (
        <div
          class="confirm"
          role="group"
          aria-label="Export this conversation"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          <span>Export as</span>
          <button
            type="button"
            class="btn btn-small"
            data-testid="export-html"
            disabled={busy}
            onClick={() => run('html')}
          >
            Web page
          </button>
          <button
            type="button"
            class="btn btn-small"
            data-testid="export-json"
            disabled={busy}
            onClick={() => run('json')}
          >
            JSON
          </button>
          <button type="button" class="btn btn-small btn-quiet" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button
          type="button"
          class="btn"
          data-testid="export-conversation"
          title="Save this conversation to a file you can read"
          onClick={() => setOpen(true)}
        >
          Export…
        </button>
      )}
      <p class="small muted export-note" role="status" data-testid="export-note">
        {note}
      </p>
    </div>
  );
}
