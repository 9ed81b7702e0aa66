/** The user data attached to an interaction, as a key/value list (text only). */
import type { JSX } from 'preact';
import { humanKey } from '../format.js';
import { neutralizeBidi } from '../net-text.js';
import { NetText } from './net-text.js';

export function UserData(props: {
  data: Readonly<Record<string, string>>;
  class?: string;
  /** `line`: each key and value on one line, cut (cards); `wrap` (default): whole (the chat's panel). */
  fit?: 'line' | 'wrap';
  /** It scrolls (a preview card keeps it a few lines high): the keyboard must reach it. */
  scrolls?: boolean;
}): JSX.Element | null {
  const fit = props.fit ?? 'wrap';
  const entries = Object.entries(props.data);
  if (!entries.length) return null;
  return (
    <dl
      class={`kv ${props.class ?? ''}`}
      tabIndex={props.scrolls ? 0 : undefined}
      aria-label={props.scrolls ? 'Customer data' : undefined}
    >
      {entries.map(([k, v]) => (
        <div class="kv-row" key={k}>
          <dt title={neutralizeBidi(k)}>
            <NetText text={humanKey(k)} fit={fit} />
          </dt>
          <dd>
            <NetText text={v} fit={fit} links />
          </dd>
        </div>
      ))}
    </dl>
  );
}
