/**
 * One piece of text from the network (a name, an address, a subject, a
 * message, a reason): its own bidi isolate (<bdi dir="auto">), so it cannot
 * reorder the text around it; bidi controls inside it shown as markers, so it
 * cannot reorder itself; text nodes only. `line` stays on one line with an
 * ellipsis and the full text as its tooltip (screen readers read the full text
 * anyway: the ellipsis is only drawn); `wrap` breaks anywhere. Neither widens
 * its container (theme.css, "Network text").
 */
import type { JSX } from 'preact';
import { neutralizeBidi } from '../net-text.js';
import { BidiSafe } from './bidi-safe.js';
import { LinkedText } from './rich-text.js';

export function NetText(props: {
  text: string;
  fit: 'line' | 'wrap';
  /** https: and mailto: URLs become links (chat messages, user data values, preview text). */
  links?: boolean;
  class?: string;
  testId?: string;
}): JSX.Element {
  const { text, fit } = props;
  return (
    <bdi
      dir="auto"
      class={`net-text net-${fit}${props.class ? ` ${props.class}` : ''}`}
      title={fit === 'line' ? neutralizeBidi(text) : undefined}
      data-testid={props.testId}
    >
      {props.links ? <LinkedText text={text} /> : <BidiSafe text={text} />}
    </bdi>
  );
}
