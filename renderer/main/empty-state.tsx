/** The content area with no conversation open: what stands between the KW and requests now. */
import type { JSX } from 'preact';
import { status } from '../shared/store.js';
import { emptyStateText } from './connection-text.js';

export function EmptyState(): JSX.Element {
  return (
    <div class="empty" data-testid="empty-state">
      <h1>No conversation selected</h1>
      <p>{emptyStateText(status.value)}</p>
    </div>
  );
}
