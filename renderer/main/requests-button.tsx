/**
 * The sidebar's way into the Requests section, with the count of requests
 * missed since the KW last looked (the tray shows the same count). The count is
 * also said in a live region, so a screen reader hears a request was missed.
 */
import type { JSX } from 'preact';
import { Icon } from '../shared/components/icons.js';
import { requests, view } from '../shared/store.js';
import { missedText } from './requests-model.js';

/** An inbox tray. */
const InboxIcon = () => (
  <Icon d="M22 12h-6l-2 3h-4l-2-3H2M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z" />
);

export function RequestsButton(): JSX.Element {
  const unseen = requests.value.unseen;
  const open = view.value === 'requests';
  return (
    <div class="requests-nav">
      <button
        type="button"
        class={`requests-button${open ? ' is-active' : ''}${unseen > 0 ? ' has-missed' : ''}`}
        data-testid="requests-button"
        aria-pressed={open}
        onClick={() => {
          view.value = open ? 'chat' : 'requests';
        }}
      >
        <InboxIcon />
        <span class="requests-button-label">Requests</span>
        {unseen > 0 && (
          <span class="requests-badge" data-testid="requests-unseen">
            {unseen} missed
          </span>
        )}
      </button>
      <span class="visually-hidden" aria-live="polite">
        {unseen > 0 ? missedText(unseen) : ''}
      </span>
    </div>
  );
}
