/**
 * "More ↓" over the bottom edge of the panel that scrolls around it (its
 * nearest scrolling ancestor), with a fade, while content lies below the
 * fold: a short panel (the customer data in a small window) says that it
 * scrolls. A click scrolls most of a panel's height. For the mouse: the
 * panel itself is focusable and scrolls with the keys, so the hint is hidden
 * from assistive technology and the tab order.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { DownIcon } from './icons.js';

/** Content within this many pixels of the fold does not count as "more". */
const SLACK_PX = 4;

/** What scrolls: the box, and where its scroll events go (a popup's body scrolls the whole page). */
interface Scroller {
  readonly box: Element;
  readonly events: EventTarget;
}

function scrollingAncestor(el: HTMLElement | null): Scroller | null {
  for (let p = el?.parentElement ?? null; p; p = p.parentElement) {
    const overflow = getComputedStyle(p).overflowY;
    if (overflow !== 'auto' && overflow !== 'scroll') continue;
    if (p === document.body) return { box: document.scrollingElement ?? p, events: window };
    return { box: p, events: p };
  }
  return null;
}

function hasMoreBelow(box: Element): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight > SLACK_PX;
}

export function MoreBelow(): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const [more, setMore] = useState(false);
  const box = useRef<Element | null>(null);
  useEffect(() => {
    const scroller = scrollingAncestor(ref.current);
    box.current = scroller?.box ?? null;
    if (!scroller) return undefined;
    const { box: panel, events } = scroller;
    const update = (): void => setMore(hasMoreBelow(panel));
    update();
    events.addEventListener('scroll', update, { passive: true });
    // The panel's size, and its content's (a card opening, data arriving).
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
    const parent = ref.current?.parentElement;
    for (const el of [panel, ...(parent ? [parent, ...parent.children] : [])]) observer?.observe(el);
    return () => {
      events.removeEventListener('scroll', update);
      observer?.disconnect();
    };
  }, []);
  return (
    <div ref={ref} class={`more-below${more ? ' is-on' : ''}`} aria-hidden="true" data-testid="more-below">
      {more && (
        <button
          type="button"
          tabIndex={-1}
          class="more-below-button"
          onClick={() => box.current?.scrollBy({ top: box.current.clientHeight * 0.8 })}
        >
          More
          <DownIcon />
        </button>
      )}
    </div>
  );
}
