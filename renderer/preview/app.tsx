/**
 * The preview popup: every pending preview as a card, newest at the bottom.
 * With `?interactionId=…` in the URL it shows that one preview only (one
 * window per preview). Keyboard: Enter or A accepts, D or Escape declines the
 * focused card (or the oldest one when focus is not in a card).
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { PreviewCard, type PreviewActions } from '../shared/components/preview-card.js';
import { bridge } from '../shared/kw.js';
import { newIds } from '../shared/model.js';
import { chime } from '../shared/sound.js';
import { fatal, previews, status } from '../shared/store.js';

const only = new URLSearchParams(location.search).get('interactionId');

/** Chimes unless the `sounds` setting is off (read each time, so a change applies at once). */
function chimeIfWanted(): void {
  const kw = bridge();
  if (!kw) return;
  kw.settings.get({}).then(
    (s) => {
      if (s.sounds) chime();
    },
    () => chime(),
  );
}

function isTextEntry(el: Element | null): boolean {
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT');
}

export function PreviewApp(): JSX.Element {
  const list = previews.value.filter((p) => !only || p.interactionId === only);
  const registry = useRef(new Map<string, PreviewActions>());
  const seen = useRef<Set<string> | null>(null);
  const register = useCallback((id: string, actions: PreviewActions | null) => {
    if (actions) registry.current.set(id, actions);
    else registry.current.delete(id);
  }, []);

  const [announcement, setAnnouncement] = useState('');

  // A chime, an announcement and focus for each preview that appears.
  useEffect(() => {
    if (!status.value) return;
    const fresh = newIds(seen.current ?? new Set(), list);
    seen.current = new Set(list.map((p) => p.interactionId));
    if (!fresh.length) return;
    chimeIfWanted();
    const first = list.find((p) => p.interactionId === fresh[0]);
    if (first) {
      setAnnouncement(`New request from ${first.agent.displayName || first.agent.uri}: ${first.subject}`);
    }
    const active = document.activeElement;
    if (!active || active === document.body) {
      const card = document.querySelector<HTMLElement>(
        `[data-interaction-id="${CSS.escape(fresh[0] ?? '')}"]`,
      );
      card?.focus();
    }
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const target = document.activeElement;
      if (isTextEntry(target)) return;
      const cardEl = target?.closest<HTMLElement>('[data-testid="preview-card"]');
      // Enter on a focused button presses that button; elsewhere it accepts.
      if (e.key === 'Enter' && target?.tagName === 'BUTTON') return;
      const id =
        cardEl?.dataset.interactionId ??
        previews.value.find((p) => !only || p.interactionId === only)?.interactionId;
      const actions = id ? registry.current.get(id) : undefined;
      if (!actions) return;
      const key = e.key.toLowerCase();
      if (key === 'enter' || key === 'a') {
        e.preventDefault();
        actions.accept();
      } else if (key === 'd' || key === 'escape') {
        e.preventDefault();
        actions.declineNow();
      } else if (key === 'r') {
        e.preventDefault();
        actions.openReason();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (fatal.value) {
    return (
      <p class="inline-error preview-fatal" role="alert">
        {fatal.value}
      </p>
    );
  }
  if (!status.value) return <p class="preview-empty">Connecting…</p>;
  return (
    <div class="preview-stack">
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {list.length === 0 && <p class="preview-empty">No pending requests.</p>}
      {list.map((p) => (
        <PreviewCard key={p.interactionId} preview={p} variant="popup" register={register} />
      ))}
    </div>
  );
}
