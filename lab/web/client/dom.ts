/**
 * Tiny DOM helpers for the lab pages. Text always goes in through textContent:
 * nothing that came over the network is ever parsed as HTML.
 */
export function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`page is missing [data-testid="${id}"]`);
  return el;
}

export function input(id: string): HTMLInputElement {
  return byTestId<HTMLInputElement>(id);
}

export function button(id: string): HTMLButtonElement {
  return byTestId<HTMLButtonElement>(id);
}

/** Sets a status element's machine state (data-state) and its human text together. */
export function setState(el: HTMLElement, state: string, text: string): void {
  el.dataset.state = state;
  el.textContent = text;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; testId?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.testId) el.dataset.testid = props.testId;
  if (props.text !== undefined) el.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  for (const child of children) el.append(child);
  return el;
}

/** A line in a page's event log, newest last, capped so a long session stays light. */
export function logLine(list: HTMLElement, text: string, kind: 'info' | 'warn' = 'info'): void {
  const time = new Date().toLocaleTimeString();
  list.append(h('li', { className: kind, text: `${time}  ${text}` }));
  while (list.childElementCount > 200) list.firstElementChild?.remove();
  list.scrollTop = list.scrollHeight;
}
