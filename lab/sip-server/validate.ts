/**
 * Checks a parsed request for what every handler relies on (RFC 3261 §8.1.1)
 * and returns those fields parsed once, or the precise reason it is malformed.
 */
import { SINGLE_VALUE_HEADERS } from './header-rules.js';
import type { SipRequest } from './message.js';
import { KNOWN_METHODS } from './methods.js';
import {
  getParam,
  parseCSeq,
  parseNameAddr,
  parseUri,
  parseVia,
  viaSentBy,
  type CSeq,
  type NameAddr,
  type SipUri,
  type Via,
} from './syntax.js';

export interface Party {
  readonly addr: NameAddr;
  /** undefined when the URI is not sip:/sips: (tel:, http:, … are valid in From and To, RFC 4475 §3.3.4) */
  readonly uri: SipUri | undefined;
  readonly tag: string | undefined;
}

export interface RequestInfo {
  readonly via: Via;
  readonly branch: string | undefined;
  readonly sentBy: string;
  readonly from: Party;
  readonly to: Party;
  readonly callId: string;
  readonly cseq: CSeq;
  readonly ruri: SipUri;
  readonly maxForwards: number | undefined;
}

export type Inspection =
  | { readonly ok: true; readonly info: RequestInfo }
  | { readonly ok: false; readonly status: number; readonly reason: string };

const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/;

function party(value: string | undefined): Party | undefined {
  if (value === undefined) return undefined;
  const addr = parseNameAddr(value);
  if (!addr) return undefined;
  const tag = getParam(addr.params, 'tag');
  if (!/^sips?:/i.test(addr.uri))
    return ABSOLUTE_URI.test(addr.uri) ? { addr, uri: undefined, tag } : undefined;
  const uri = parseUri(addr.uri);
  return uri ? { addr, uri, tag } : undefined;
}

/** Single-value headers present more than once, in the order they first appear. */
function duplicated(req: SipRequest): string[] {
  return SINGLE_VALUE_HEADERS.filter((name) => req.headers.getAll(name).length > 1);
}

/** Each Contact a name-addr or addr-spec with an absolute URI, or `*`. */
function contactsWellFormed(req: SipRequest): boolean {
  return req.headers.getAll('Contact').every((c) => {
    if (c.trim() === '*') return true;
    const addr = parseNameAddr(c);
    return (
      addr !== undefined &&
      ABSOLUTE_URI.test(addr.uri) &&
      (!/^sips?:/i.test(addr.uri) || parseUri(addr.uri) !== undefined)
    );
  });
}

const fail = (status: number, reason: string): Inspection => ({ ok: false, status, reason });

export function inspectRequest(req: SipRequest): Inspection {
  const upper = req.method.toUpperCase();
  if (req.method !== upper && KNOWN_METHODS.has(upper))
    return fail(400, `Method names are case-sensitive (${upper})`);
  const dups = duplicated(req);
  if (dups.length > 0) return fail(400, `Multiple values in single-value header: ${dups.join(', ')}`);

  const h = req.headers;
  const viaText = h.get('Via');
  if (viaText === undefined) return fail(400, 'Missing Via header');
  const via = parseVia(viaText);
  if (!via) return fail(400, 'Malformed Via header');

  if (!h.has('From')) return fail(400, 'Missing From header');
  const from = party(h.get('From'));
  if (!from) return fail(400, 'Malformed From header');
  if (!h.has('To')) return fail(400, 'Missing To header');
  const to = party(h.get('To'));
  if (!to) return fail(400, 'Malformed To header');

  const callId = h.get('Call-ID');
  if (callId === undefined) return fail(400, 'Missing Call-ID header');
  if (callId === '' || /\s/.test(callId)) return fail(400, 'Malformed Call-ID header');

  const cseqText = h.get('CSeq');
  if (cseqText === undefined) return fail(400, 'Missing CSeq header');
  const cseq = parseCSeq(cseqText);
  if (!cseq) return fail(400, 'Malformed CSeq header');
  if (cseq.method !== req.method) return fail(400, 'CSeq method does not match the request method');

  if (!/^sips?:/i.test(req.uri)) return fail(416, 'Unsupported URI Scheme');
  const ruri = parseUri(req.uri);
  if (!ruri) return fail(400, 'Bad Request-URI');
  // Escaped headers in a Request-URI (RFC 4475 §3.1.2.11): refused rather than forwarded.
  if (ruri.headers !== undefined) return fail(400, 'Headers in the Request-URI');

  const mf = h.get('Max-Forwards');
  const maxForwards = mf === undefined ? undefined : parseMaxForwards(mf);
  if (maxForwards === null) return fail(400, 'Malformed Max-Forwards header');
  if (!contactsWellFormed(req)) return fail(400, 'Malformed Contact header');
  return {
    ok: true,
    info: {
      via,
      branch: getParam(via.params, 'branch'),
      sentBy: viaSentBy(via),
      from,
      to,
      callId,
      cseq,
      ruri,
      maxForwards,
    },
  };
}

/** 0–255, leading zeros allowed (RFC 4475 §3.1.1.1 sends `0068`). */
function parseMaxForwards(text: string): number | null {
  if (!/^\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n <= 255 ? n : null;
}
