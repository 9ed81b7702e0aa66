/** The header of a page that replaces the chat (Settings, Requests): Back to conversations, the page's title, extras. */
import type { ComponentChildren, JSX } from 'preact';
import { BackIcon } from '../shared/components/icons.js';
import { view } from '../shared/store.js';

export function PageHead(props: { id: string; title: string; children?: ComponentChildren }): JSX.Element {
  return (
    <header class="page-head">
      <button
        type="button"
        class="btn btn-icon"
        aria-label="Back to conversations"
        onClick={() => {
          view.value = 'chat';
        }}
      >
        <BackIcon />
      </button>
      <h1 id={props.id}>{props.title}</h1>
      {props.children}
    </header>
  );
}
