/** The preview popup's behaviour around its cards: the registry of their actions, announcing, keys. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { PreviewView } from '../../preload/contract.js';
import type { PreviewActions } from '../shared/components/preview-card.js';
import { kwApi } from '../shared/kw.js';
import { newIds } from '../shared/model.js';
import { neutralizeBidi } from '../shared/net-text.js';
import type { Chime } from '../shared/sound.js';
import { previews, status } from '../shared/store.js';

export type ActionRegistry = ReadonlyMap<string, PreviewActions>;

/** The actions each card registers, by interaction id, and the stable `register` the cards call. */
export function useActionRegistry(): {
  registry: { readonly current: ActionRegistry };
  register: (id: string, actions: PreviewActions | null) => void;
} {
  const registry = useRef(new Map<string, PreviewActions>());
  const register = useCallback((id: string, actions: PreviewActions | null) => {
    if (actions) registry.current.set(id, actions);
    else registry.current.delete(id);
  }, []);
  return { registry, register };
}

/** Chimes unless the `sounds` setting is off (read each time, so a change applies at once). */
function chimeIfWanted(chime: Chime, loudness = 1): void {
  const kw = kwApi();
  if (!kw) return;
  kw.settings.get({}).then(
    (s) => {
      if (s.sounds) chime.play(loudness);
    },
    () => chime.play(loudness),
  );
}

/** A request still unseen: the chime again, louder at each level (main decides when). */
export function useAlertChimes(chime: Chime): void {
  useEffect(() => kwApi()?.on('alert', ({ level }) => chimeIfWanted(chime, level)), [chime]);
}

/** A chime, an announcement (returned, for a live region) and focus for each preview that appears. */
export function useAnnounceNewPreviews(list: readonly PreviewView[], chime: Chime): string {
  const seen = useRef<Set<string> | null>(null);
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    if (!status.value) return;
    const fresh = newIds(seen.current ?? new Set(), list);
    seen.current = new Set(list.map((p) => p.interactionId));
    if (!fresh.length) return;
    chimeIfWanted(chime);
    const first = list.find((p) => p.interactionId === fresh[0]);
    if (first) {
      const who = neutralizeBidi(first.agent.displayName || first.agent.uri);
      setAnnouncement(`New request from ${who}: ${neutralizeBidi(first.subject)}`);
    }
    const active = document.activeElement;
    if (!active || active === document.body) {
      const card = document.querySelector<HTMLElement>(
        `[data-interaction-id="${CSS.escape(fresh[0] ?? '')}"]`,
      );
      card?.focus();
    }
  });
  return announcement;
}

function isTextEntry(el: Element | null): boolean {
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT');
}

/**
 * Enter or A accepts, D or Escape declines, R opens the reason of the focused
 * card, or of the oldest one (of `only`, when set) when focus is not in a card.
 */
export function usePreviewKeys(registry: { readonly current: ActionRegistry }, only: string | null): void {
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
      const action = actions ? keyAction(actions, e.key.toLowerCase()) : undefined;
      if (!action) return;
      e.preventDefault();
      action();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [registry, only]);
}

/** The action of a key, or undefined when the key means nothing here. */
function keyAction(actions: PreviewActions, key: string): (() => void) | undefined {
  if (key === 'enter' || key === 'a') return () => actions.accept();
  if (key === 'd' || key === 'escape') return () => actions.declineNow();
  if (key === 'r') return () => actions.openReason();
  return undefined;
}
