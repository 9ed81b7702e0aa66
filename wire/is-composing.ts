/**
 * Typing notifications, RFC 3994 (application/im-iscomposing+xml). Small
 * documents with a fixed shape: read with bounded regular expressions rather
 * than a full XML parser, and refuse anything else.
 */

export interface Composing {
  readonly state: 'active' | 'idle';
  /** Seconds until an `active` state lapses without a refresh (RFC 3994 §4: default 120). */
  readonly refresh?: number;
}

export function encodeIsComposing(c: Composing): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">',
    `  <state>${c.state}</state>`,
    '  <contenttype>text/plain</contenttype>',
    ...(c.refresh !== undefined ? [`  <refresh>${Math.round(c.refresh)}</refresh>`] : []),
    '</isComposing>',
  ].join('\n');
}

export function parseIsComposing(body: string): Composing | undefined {
  if (body.length > 4096 || !/<(?:\w+:)?isComposing[\s>]/.test(body) || /<!DOCTYPE/i.test(body))
    return undefined;
  const state = /<(?:\w+:)?state>\s*(active|idle)\s*<\/(?:\w+:)?state>/.exec(body)?.[1];
  if (state !== 'active' && state !== 'idle') return undefined;
  const refreshText = /<(?:\w+:)?refresh>\s*(\d{1,5})\s*<\/(?:\w+:)?refresh>/.exec(body)?.[1];
  const refresh = refreshText === undefined ? undefined : Number(refreshText);
  return { state, ...(refresh !== undefined && refresh > 0 ? { refresh } : {}) };
}
