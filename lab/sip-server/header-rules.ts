/**
 * Rules on header fields as a whole (not their inner syntax): which control
 * characters a value may carry, which headers may appear only once, and list
 * headers without empty elements. Used by the parser and when echoing
 * headers into a response.
 */
import { splitOutside } from './syntax.js';

/**
 * Headers with a single value (RFC 3261 §7.3.1 and §20, RFC 3265/3903/3515):
 * two of them leave it ambiguous which one an element acts on.
 */
export const SINGLE_VALUE_HEADERS: readonly string[] = [
  'Call-ID',
  'CSeq',
  'From',
  'To',
  'Max-Forwards',
  'Content-Length',
  'Content-Type',
  'Content-Disposition',
  'Expires',
  'Min-Expires',
  'Date',
  'Event',
  'Subscription-State',
  'SIP-If-Match',
  'Refer-To',
];

const isControl = (c: number): boolean => (c < 0x20 && c !== 0x09) || c === 0x7f;

/**
 * True when the value holds a control character other than HTAB (RFC 3261
 * §25.1: only LWS between tokens). Inside a quoted string a control
 * character is allowed as a quoted-pair (`\` + byte, not CR or LF), as in the
 * display name of RFC 4475 §3.1.1.2.
 */
export function hasControlCharacter(value: string): boolean {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted && c === 0x5c) {
      const next = value.charCodeAt(i + 1);
      if (next === 0x0a || next === 0x0d) return true;
      i++;
      continue;
    }
    if (c === 0x22) quoted = !quoted;
    else if (isControl(c)) return true;
  }
  return false;
}

/** `a, , b` or a trailing comma: a list header with an empty element (RFC 4475 §3.1.2.1). */
export function hasEmptyListElement(value: string): boolean {
  return splitOutside(value, ',').some((part) => part.trim() === '');
}
