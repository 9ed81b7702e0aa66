/**
 * The links the shell hands over (main/electron/argv-links.ts): a setup link
 * `kwdesk://provision?url=https://…`, or a `sip:`/`sips:`/`tel:` address.
 * Pure: which one it is, and its target.
 */
import { toAor } from '../../../wire/sip/uri.js';

export type AppLink =
  | { readonly kind: 'provision'; readonly url: string }
  | { readonly kind: 'dial'; readonly address: string; readonly aor?: string }
  | { readonly kind: 'unknown' };

export function parseAppLink(link: string): AppLink {
  if (link.length > 4096) return { kind: 'unknown' };
  if (/^kwdesk:/i.test(link)) {
    let parsed: URL;
    try {
      parsed = new URL(link);
    } catch {
      return { kind: 'unknown' };
    }
    const url = parsed.searchParams.get('url');
    return parsed.host.toLowerCase() === 'provision' && url
      ? { kind: 'provision', url }
      : { kind: 'unknown' };
  }
  if (/^(sips?|tel):\S+$/i.test(link)) {
    const aor = toAor(link);
    return { kind: 'dial', address: link, ...(aor ? { aor: aor.toLowerCase() } : {}) };
  }
  return { kind: 'unknown' };
}
