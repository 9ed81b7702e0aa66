/**
 * Text from the network with its links: plain segments become text nodes,
 * https: and mailto: URLs (the ones main opens, see linkify.ts) become links
 * that open through main. Never HTML. Bidi controls show as markers, in link
 * text too. Used inside <NetText links>.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { linkify } from '../linkify.js';
import { errorText, kwApi } from '../kw.js';
import { BidiSafe } from './bidi-safe.js';

export function LinkedText(props: { text: string }): JSX.Element {
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
          <BidiSafe key={i} text={s.text} />
        ) : (
          <a key={i} href={s.url} onClick={open(s.url)} onAuxClick={open(s.url)} rel="noreferrer noopener">
            <BidiSafe text={s.text} />
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
