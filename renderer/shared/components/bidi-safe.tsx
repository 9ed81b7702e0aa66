/**
 * Network text as text nodes, each bidi control shown as a small marker
 * (see net-text.ts): the pieces inside <NetText> and inside its links.
 */
import type { JSX } from 'preact';
import { bidiMarker, splitBidiControls } from '../net-text.js';

export function BidiSafe(props: { text: string }): JSX.Element {
  return (
    <>
      {splitBidiControls(props.text).map((part, i) =>
        part.kind === 'text' ? (
          part.text
        ) : (
          <span
            key={i}
            class="bidi-control"
            title={`A hidden ${part.name} character (${part.codePoint}) was here: shown so it cannot reorder the text`}
          >
            {bidiMarker(part)}
          </span>
        ),
      )}
    </>
  );
}
