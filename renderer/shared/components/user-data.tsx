/** The user data attached to an interaction, as a key/value list (text only). */
import type { JSX } from 'preact';
import { humanKey } from '../format.js';
import { RichText } from './rich-text.js';

export function UserData(props: {
  data: Readonly<Record<string, string>>;
  class?: string;
}): JSX.Element | null {
  const entries = Object.entries(props.data);
  if (!entries.length) return null;
  return (
    <dl class={`kv ${props.class ?? ''}`}>
      {entries.map(([k, v]) => (
        <div class="kv-row" key={k}>
          <dt title={k}>{humanKey(k)}</dt>
          <dd>
            <RichText text={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
