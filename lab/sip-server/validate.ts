/**
 * Checks a parsed request for what every handler relies on (RFC 3261 §8.1.1)
 * and returns those fields parsed once, or the precise reason it is malformed.
 */
import type { SipRequest } from './message.js';
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
  readonly uri: SipUri;
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

function party(value: string | undefined): Party | undefined {
  if (value === undefined) return undefined;
  const addr = parseNameAddr(value);
  const uri = addr ? parseUri(addr.uri) : undefined;
  if (!addr || !uri) return undefined;
  return { addr, uri, tag: getParam(addr.params, 'tag') };
}

const fail = (status: number, reason: string): Inspection => ({ ok: false, status, reason });

export function inspectRequest(req: SipRequest): Inspection {
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
  if (cseq.method.toUpperCase() !== req.method)
    return fail(400, 'CSeq method does not match the request method');

  if (!/^sips?:/i.test(req.uri)) return fail(416, 'Unsupported URI Scheme');
  const ruri = parseUri(req.uri);
  if (!ruri) return fail(400, 'Bad Request-URI');

  let maxForwards: number | undefined;
  const mf = h.get('Max-Forwards');
  if (mf !== undefined) {
    if (!/^\d{1,3}$/.test(mf) || Number(mf) > 255) return fail(400, 'Malformed Max-Forwards header');
    maxForwards = Number(mf);
  }
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
