/**
 * User data in a card (preview popup, pending requests, ringing call): the
 * first fields side by side in a box of a line or two, each cut with an
 * ellipsis (its full text is the tooltip), and "+N more" in the box's corner
 * when fields do not fit ("Show all" when they fit but one is cut short). It
 * opens every field as a list, each value whole; "Show less" closes it.
 * Nothing is cut in half or hidden without a trace.
 */
import type { JSX, RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { collapsedLayout, type CollapsedLayout } from '../clipped-rows.js';
import { UserDataRow } from './user-data.js';

export function CardUserData(props: {
  data: Readonly<Record<string, string>>;
  /** Unique in the page (an interaction or call id): names the list for its button. */
  idBase: string;
  class?: string;
}): JSX.Element | null {
  const entries = Object.entries(props.data);
  const [expanded, setExpanded] = useState(false);
  const list = useRef<HTMLDListElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const layout = useCollapsedLayout(list, button, !expanded, entries.length);
  if (!entries.length) return null;
  const shown = expanded ? entries.length : layout.shown;
  const more = entries.length - shown;
  const id = `data-${props.idBase}`;
  return (
    <div
      class={`card-data ${expanded ? 'is-expanded' : 'is-collapsed'}${props.class ? ` ${props.class}` : ''}`}
      data-testid="card-data"
    >
      <dl id={id} ref={list} class={expanded ? 'kv kv-compact' : 'kv kv-inline'} aria-label="Customer data">
        {entries.map(([key, value], i) => (
          <UserDataRow
            key={key}
            name={key}
            value={value}
            fit={expanded ? 'wrap' : 'line'}
            clipped={i >= shown}
          />
        ))}
      </dl>
      <button
        ref={button}
        type="button"
        class={`btn-link card-data-toggle${expanded || layout.button ? '' : ' is-idle'}`}
        data-testid="card-data-toggle"
        aria-expanded={expanded}
        aria-controls={id}
        onClick={() => setExpanded(!expanded)}
      >
        {expanded ? (
          'Show less'
        ) : more === 0 ? (
          <>
            Show all<span class="visually-hidden"> customer data</span>
          </>
        ) : (
          <>
            <span aria-hidden="true">+</span>
            {more} more<span class="visually-hidden"> customer data {more === 1 ? 'field' : 'fields'}</span>
          </>
        )}
      </button>
    </div>
  );
}

/**
 * What the collapsed box shows while `active`: measured after each render and
 * when the box changes size. Hidden rows keep their place (visibility only),
 * so hiding them moves nothing and the measurement settles at once.
 */
function useCollapsedLayout(
  list: RefObject<HTMLElement>,
  button: RefObject<HTMLElement>,
  active: boolean,
  count: number,
): CollapsedLayout {
  const [layout, setLayout] = useState<CollapsedLayout>({ shown: count, button: false });
  const measure = (): void => {
    const el = list.current;
    const corner = button.current;
    if (!active || !el || !corner) return;
    const next = collapsedLayout(
      [...el.children].map(rowBox),
      el.getBoundingClientRect(),
      corner.getBoundingClientRect(),
    );
    setLayout((prev) => (prev.shown === next.shown && prev.button === next.button ? prev : next));
  };
  useLayoutEffect(measure);
  useEffect(() => {
    const el = list.current;
    if (!active || !el || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [active]);
  return { shown: Math.min(layout.shown, count), button: layout.button };
}

/** A row's box, and whether its key or value is cut with an ellipsis. */
function rowBox(row: Element) {
  const r = row.getBoundingClientRect();
  const lines = [...row.querySelectorAll('.net-line')];
  const truncated = lines.some((line) => line.scrollWidth > line.clientWidth + 1);
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, truncated };
}
