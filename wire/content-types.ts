/** The content types the parties exchange, spelled once, and how to compare them. */
export const PIDF_CONTENT_TYPE = 'application/pidf+xml';
/** The control messages of the wire protocol (wire/control.ts). */
export const CONTROL_CONTENT_TYPE = 'application/vnd.kwdesk+json';
/** Typing notifications, RFC 3994 (wire/is-composing.ts). */
export const IS_COMPOSING_CONTENT_TYPE = 'application/im-iscomposing+xml';
export const TEXT_PLAIN = 'text/plain';
/** What we send chat text as. */
export const TEXT_PLAIN_UTF8 = 'text/plain; charset=utf-8';
export const SDP_CONTENT_TYPE = 'application/sdp';

/** The media type of a Content-Type value, without parameters, lower case: `text/plain; charset=utf-8` → `text/plain`. */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0]?.trim().toLowerCase() ?? '';
}
