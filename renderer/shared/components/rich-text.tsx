/**
 * Text from the network, as text: plain segments become text nodes, http(s)
 * and mailto URLs become links that open through main. Never HTML.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { linkify } from '../linkify.js';
import { bridge, errorText } from '../kw.js';

export function RichText(props: { text: string }): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const open = (url: string) => (e: MouseEvent) => {
    e.preventDefault();
    const kw = bridge();
    if (!kw) return;
    setError(null);
    kw.links.open({ url }).catch((err: unknown) => setError(`Could not open the link: ${errorText(err)}`));
  };
  return (
    <>
      {linkify(props.text).map((s, i) =>
        s.kind === 'text' ? (
          s.text
        ) : (
          <a key={i} href={s.url} onClick={open(s.url)} onAuxClick={open(s.url)} rel="noreferrer noopener">
            {s.text}
          </a>
        ),
      )}
      {error && (
        <span class="inline-error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </>
  );
}
