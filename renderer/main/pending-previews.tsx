/** "Pending requests" in the main window (the browser fallback has no popup window). */
import type { JSX } from 'preact';
import { MoreBelow } from '../shared/components/more-below.js';
import { PreviewCard } from '../shared/components/preview-card.js';
import { previews } from '../shared/store.js';

export function PendingPreviews(): JSX.Element | null {
  const list = previews.value;
  if (!list.length) return null;
  return (
    <section class="pending" data-testid="pending-previews" aria-labelledby="h-pending">
      <h2 id="h-pending" class="pending-heading">
        Pending requests <span class="count">{list.length}</span>
      </h2>
      <div class="pending-list">
        {list.map((p) => (
          <PreviewCard key={p.interactionId} preview={p} variant="strip" />
        ))}
      </div>
      {/* The strip scrolls when a card is opened or several are pending: say so. */}
      <MoreBelow />
    </section>
  );
}
