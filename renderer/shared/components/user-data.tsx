/**
 * The user data attached to an interaction, as a key/value list (text only):
 * the whole list for the chat's customer-data panel, and one row for the
 * cards (user-data-card.tsx).
 */
import type { JSX } from 'preact';
import { humanKey } from '../format.js';
import { neutralizeBidi } from '../net-text.js';
import { MoreBelow } from './more-below.js';
import { NetText } from './net-text.js';

/** One field: its key made readable ("CaseNumber" → "Case Number", the raw key its tooltip) and its value. */
export function UserDataRow(props: {
  name: string;
  value: string;
  /** `line`: key and value each on one line, cut with an ellipsis; `wrap`: whole. */
  fit: 'line' | 'wrap';
  /** Out of a card's box: kept in place for measuring, not shown. */
  clipped?: boolean;
}): JSX.Element {
  return (
    <div class={`kv-row${props.clipped ? ' is-clipped' : ''}`}>
      <dt title={neutralizeBidi(props.name)}>
        <NetText text={humanKey(props.name)} fit={props.fit} />
      </dt>
      <dd>
        <NetText text={props.value} fit={props.fit} links />
      </dd>
    </div>
  );
}

/** Every field, each whole; "More ↓" at the bottom of the panel while fields are below its fold. */
export function UserData(props: {
  data: Readonly<Record<string, string>>;
  class?: string;
  fit?: 'line' | 'wrap';
}): JSX.Element | null {
  const entries = Object.entries(props.data);
  if (!entries.length) return null;
  return (
    <>
      <dl class={`kv ${props.class ?? ''}`}>
        {entries.map(([k, v]) => (
          <UserDataRow key={k} name={k} value={v} fit={props.fit ?? 'wrap'} />
        ))}
      </dl>
      <MoreBelow />
    </>
  );
}
