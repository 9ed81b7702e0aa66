/** Building responses to requests, and the random identifiers SIP needs. */
import { randomBytes } from 'node:crypto';
import { hasControlCharacter } from './header-rules.js';
import { HeaderList, type SipRequest, type SipResponse } from './message.js';
import { reasonPhrase } from './sanitize.js';
import { parseNameAddr, getParam } from './syntax.js';

export const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  412: 'Conditional Request Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  489: 'Bad Event',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

export const SERVER_NAME = 'kw-lab-sip';

export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

export function newTag(): string {
  return randomToken(6);
}

export interface ResponseOptions {
  reason?: string;
  /** tag added to To when the request has none (a fresh one by default, none for 100) */
  toTag?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
}

/**
 * RFC 3261 §8.2.6: Via, From, To, Call-ID and CSeq copied from the request,
 * whatever of them it has (a 400 for a missing header still gets sent back),
 * except a value with a control character: nothing unsafe is echoed. The
 * reason phrase always goes through the sanitiser.
 */
export function createResponse(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
  const headers = new HeaderList();
  const copy = (name: string, value: string | undefined): void => {
    if (value !== undefined && !hasControlCharacter(value)) headers.add(name, value);
  };
  for (const v of req.headers.getAll('Via')) copy('Via', v);
  copy('From', req.headers.get('From'));
  const to = req.headers.get('To');
  if (to !== undefined) {
    const na = parseNameAddr(to);
    const needsTag = status > 100 && na !== undefined && getParam(na.params, 'tag') === undefined;
    copy('To', needsTag ? `${to};tag=${opts.toTag ?? newTag()}` : to);
  }
  copy('Call-ID', req.headers.get('Call-ID'));
  copy('CSeq', req.headers.get('CSeq'));
  for (const [name, value] of opts.headers ?? []) headers.add(name, value);
  headers.add('Server', SERVER_NAME);
  const standard = REASONS[status] ?? 'Unknown';
  return {
    kind: 'response',
    status,
    reason: reasonPhrase(opts.reason ?? standard) || standard,
    headers,
    body: opts.body ?? '',
  };
}
