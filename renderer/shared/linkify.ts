/**
 * Splits text from the network into plain-text and link segments. Pure: the
 * renderer turns segments into text nodes and <a> elements (never HTML), so
 * markup in a message stays text. What becomes a link is decided by the rule
 * main opens links by (`safeExternalUrl` in wire/links.ts: https: with a host,
 * mailto:), so every link the KW sees also opens; http:, javascript:, data:,
 * file:, ... stay plain text.
 */
import { safeExternalUrl } from '../../wire/links.js';

export type Segment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly url: string };

/** http: is a candidate too, so an http: URL stays text as a whole (no https: link inside its query). */
const CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"»”’]+$/;

/** Drops punctuation that ends a sentence rather than the URL, and unbalanced closing brackets. */
function trimCandidate(raw: string): string {
  let url = raw;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, '');
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
      ['{', '}'],
    ] as const) {
      if (url.endsWith(close) && count(url, close) > count(url, open)) url = url.slice(0, -1);
    }
    if (url === before) return url;
  }
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}

/** The URL to open for a candidate, or null when main's rule (wire/links.ts) refuses it. */
export function safeLinkUrl(candidate: string): string | null {
  return safeExternalUrl(candidate)?.href ?? null;
}

export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let plain = '';
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const candidate = trimCandidate(match[0]);
    const url = safeLinkUrl(candidate);
    if (!url) continue;
    plain += text.slice(last, start);
    if (plain) segments.push({ kind: 'text', text: plain });
    plain = '';
    segments.push({ kind: 'link', text: candidate, url });
    last = start + candidate.length;
  }
  plain += text.slice(last);
  if (plain) segments.push({ kind: 'text', text: plain });
  return segments;
}
