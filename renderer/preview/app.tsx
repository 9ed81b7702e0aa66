/**
 * The preview popup: every pending preview as a card, newest at the bottom.
 * With `only` (the entry reads it from `?interactionId=…`) it shows that one
 * preview only (one window per preview). Keyboard: Enter or A accepts, D or
 * Escape declines the focused card (or the oldest one when focus is not in a card).
 */
import type { JSX } from 'preact';
import { MoreBelow } from '../shared/components/more-below.js';
import { PreviewCard } from '../shared/components/preview-card.js';
import type { Chime } from '../shared/sound.js';
import { fatal, previews, status } from '../shared/store.js';
import { useActionRegistry, useAlertChimes, useAnnounceNewPreviews, usePreviewKeys } from './popup-hooks.js';

export function PreviewApp(props: { only: string | null; chime: Chime }): JSX.Element {
  const { only } = props;
  const list = previews.value.filter((p) => !only || p.interactionId === only);
  const { registry, register } = useActionRegistry();
  const announcement = useAnnounceNewPreviews(list, props.chime);
  useAlertChimes(props.chime);
  usePreviewKeys(registry, only);

  if (fatal.value) {
    return (
      <p class="inline-error preview-fatal" role="alert">
        {fatal.value}
      </p>
    );
  }
  if (!status.value) return <p class="preview-empty">Connecting…</p>;
  return (
    // A main landmark and a heading, so a screen reader can jump to the requests.
    <main class="preview-stack">
      <h1 class="visually-hidden">Expert requests</h1>
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {list.length === 0 && <p class="preview-empty">No pending requests.</p>}
      {list.map((p) => (
        <PreviewCard key={p.interactionId} preview={p} variant="popup" register={register} />
      ))}
      {/* An opened card or several cards are taller than the popup: say that it scrolls. */}
      <MoreBelow />
    </main>
  );
}
