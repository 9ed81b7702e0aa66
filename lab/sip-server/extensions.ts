/**
 * SIP extensions a request insists on (RFC 3261 §8.2.2.3, §16.3 step 5): the
 * option tags of Proxy-Require (checked by us as a proxy) or Require
 * (checked when we answer as the UAS) that we do not implement. We implement
 * none, so any tag there is answered 420 with an Unsupported header.
 */
import type { SipRequest } from './message.js';
import { splitList } from './syntax.js';

/** Option tags this server implements (none). */
const SUPPORTED: ReadonlySet<string> = new Set<string>();

/** The option tags of `header` we do not support, each once, in the order given. */
export function unsupportedExtensions(req: SipRequest, header: 'Proxy-Require' | 'Require'): string[] {
  const tags = req.headers.getAll(header).flatMap(splitList);
  return [...new Set(tags)].filter((t) => !SUPPORTED.has(t.toLowerCase()));
}
