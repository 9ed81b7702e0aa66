/**
 * Typing notifications, RFC 3994 (application/im-iscomposing+xml). The whole
 * document must be well-formed XML (wire/presence/xml.ts: no DOCTYPE, no
 * entities) with an `isComposing` root in the RFC's namespace, exactly one
 * `state` of `active` or `idle`, and at most one positive `refresh`; anything
 * else is refused with the reason why.
 */
import { parseXml, type XmlElement } from './presence/xml.js';
import { utf8Length } from './utf8.js';

export const IS_COMPOSING_NAMESPACE = 'urn:ietf:params:xml:ns:im-iscomposing';
/** A notification is a few hundred bytes; anything much larger is not one. */
export const IS_COMPOSING_MAX_BYTES = 4096;
/** RFC 3994 puts no upper bound on refresh; ours keeps a typo from pinning the indicator for days. */
const MAX_REFRESH_SECONDS = 3600;
/** The RFC's elements; others must come from another namespace (its `##other` extension point). */
const KNOWN_ELEMENTS = new Set(['state', 'lastactive', 'contenttype', 'refresh']);

export interface Composing {
  readonly state: 'active' | 'idle';
  /** Seconds until an `active` state lapses without a refresh (RFC 3994 §4: default 120). */
  readonly refresh?: number;
}

export type ComposingParse =
  | { readonly ok: true; readonly composing: Composing }
  | { readonly ok: false; readonly status: 400 | 413; readonly reason: string };

export function encodeIsComposing(c: Composing): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<isComposing xmlns="${IS_COMPOSING_NAMESPACE}">`,
    `  <state>${c.state}</state>`,
    '  <contenttype>text/plain</contenttype>',
    ...(c.refresh !== undefined ? [`  <refresh>${Math.round(c.refresh)}</refresh>`] : []),
    '</isComposing>',
  ].join('\n');
}

/** Reads a typing notification; the reason of a refusal is safe for a SIP status line. */
export function parseIsComposing(body: string): ComposingParse {
  if (utf8Length(body) > IS_COMPOSING_MAX_BYTES)
    return { ok: false, status: 413, reason: 'isComposing Document Too Large' };
  const xml = parseXml(body);
  if (!xml.ok) return refuse('Malformed isComposing XML');
  const root = xml.root;
  if (root.local !== 'isComposing' || namespaceOf(root) !== IS_COMPOSING_NAMESPACE)
    return refuse('Not An isComposing Document');
  if (ownChildren(root).some((c) => !KNOWN_ELEMENTS.has(c.local)))
    return refuse('Unknown isComposing Element');
  const states = childrenNamed(root, 'state');
  const state = states[0]?.text.trim();
  if (states.length !== 1 || (state !== 'active' && state !== 'idle'))
    return refuse('Invalid isComposing State');
  const refreshes = childrenNamed(root, 'refresh');
  const refreshText = refreshes[0]?.text.trim();
  if (refreshes.length > 1) return refuse('Invalid isComposing Refresh');
  if (refreshText === undefined) return { ok: true, composing: { state } };
  const refresh = /^\d{1,5}$/.test(refreshText) ? Number(refreshText) : 0;
  if (refresh < 1 || refresh > MAX_REFRESH_SECONDS) return refuse('Invalid isComposing Refresh');
  return { ok: true, composing: { state, refresh } };
}

function refuse(reason: string): ComposingParse {
  return { ok: false, status: 400, reason };
}

/** The namespace of an element from its own declaration (`xmlns` or `xmlns:prefix`). */
function namespaceOf(element: XmlElement): string | undefined {
  const colon = element.name.indexOf(':');
  const declaration = colon === -1 ? 'xmlns' : `xmlns:${element.name.slice(0, colon)}`;
  return element.attrs.get(declaration);
}

/** Children in the root's own namespace (unprefixed, or with the root's prefix); others are extensions. */
function ownChildren(root: XmlElement): XmlElement[] {
  const colon = root.name.indexOf(':');
  const prefix = colon === -1 ? '' : root.name.slice(0, colon + 1);
  return root.children.filter((c) => c.name === `${prefix}${c.local}` && !c.attrs.has('xmlns'));
}

function childrenNamed(root: XmlElement, local: string): XmlElement[] {
  return ownChildren(root).filter((c) => c.local === local);
}
