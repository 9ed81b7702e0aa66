/**
 * Keeps a conversation's timeline at its newest item while the KW reads
 * there, and raises "New messages" instead when the KW scrolled up
 * (follow-bottom.ts decides). A timeline that gets shorter (the keypad opens,
 * the composer grows) stays at its end too.
 */
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ConversationView } from '../../../preload/contract.js';
import { followAction, isAtBottom, newItems, timelineItems } from './follow-bottom.js';

export interface FollowBottom {
  /** New items arrived below while the KW was reading above. */
  readonly pill: boolean;
  /** To the newest item (the pill's click). */
  readonly jump: () => void;
  /** The scroll container's onScroll. */
  readonly onScroll: () => void;
}

function toEnd(el: HTMLElement): void {
  el.scrollTop = el.scrollHeight;
}

/** `extra` are further things that change the timeline's height at its end (the typing line). */
export function useFollowBottom(
  ref: RefObject<HTMLElement>,
  c: ConversationView,
  extra: readonly unknown[],
): FollowBottom {
  const atBottom = useRef(true);
  const seen = useRef<ReadonlySet<string>>(new Set());
  const [pill, setPill] = useState(false);

  useLayoutEffect(() => {
    const items = timelineItems(c);
    const action = followAction(atBottom.current, newItems(seen.current, items));
    seen.current = new Set(items.map((item) => item.id));
    const el = ref.current;
    if (action === 'scroll' && el) {
      toEnd(el);
      atBottom.current = true;
      setPill(false);
    } else if (action === 'pill') setPill(true);
  }, [c, ...extra]);

  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) toEnd(el);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  return {
    pill,
    jump: () => {
      const el = ref.current;
      if (!el) return;
      toEnd(el);
      atBottom.current = true;
      setPill(false);
      el.focus(); // the pill goes: keyboard focus stays in the timeline
    },
    onScroll: () => {
      const el = ref.current;
      if (!el) return;
      atBottom.current = isAtBottom(el);
      if (atBottom.current) setPill(false);
    },
  };
}
