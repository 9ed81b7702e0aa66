/**
 * Text from the network, as text: plain segments become text nodes, https:
 * and mailto: URLs (the ones main opens, see linkify.ts) become links that
 * open through main. Never HTML.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { linkify } from '../linkify.js';
import { errorText, kwApi } from '../kw.js';

export function RichText(props: { text: string }): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const open = (url: string) => (e: MouseEvent) => {
    e.preventDefault();
    const kw = kwApi();
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
