/**
 * Sends one out-of-dialog request through JsSIP's transaction layer (which also
 * answers digest challenges) and resolves with the final response. JsSIP has
 * no PUBLISH; this is what the publisher is built on.
 */
import { JsSIP, OutgoingRequest, RequestSender } from './jssip.js';
import type { IncomingResponse } from 'jssip/lib/SIPMessage';
import type { UA } from 'jssip/lib/UA';

export interface FinalResponse {
  readonly status: number;
  readonly reason: string;
  header(name: string): string | undefined;
}

export class SipRequestError extends Error {
  override readonly name = 'SipRequestError';
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly response?: FinalResponse,
  ) {
    super(`${status} ${reason}`);
  }

  /** No response came: the status stands for a timeout (408) or a request never sent (503). */
  get local(): boolean {
    return this.response === undefined;
  }
}

/** 408 stands for "no answer", 503 for "could not be sent" (RFC 3261 §8.1.3.1). */
export const TIMEOUT = 408;
export const TRANSPORT_ERROR = 503;

/** A JsSIP response as the rest of the code reads it (status, reason, headers). */
export function finalResponse(response: IncomingResponse): FinalResponse {
  return {
    status: response.status_code,
    reason: response.reason_phrase,
    header: (name) => (response.hasHeader(name) ? response.getHeader(name) : undefined),
  };
}

export function sendRequest(
  ua: UA,
  method: string,
  target: string,
  extraHeaders: string[],
  body?: string,
): Promise<FinalResponse> {
  // OutgoingRequest needs a parsed URI (a string fails its To header).
  const uri = JsSIP.URI.parse(target);
  if (!uri) return Promise.reject(new SipRequestError(416, `Unsupported URI Scheme: ${target}`));
  return new Promise((resolve) => {
    const request = new OutgoingRequest(method, uri, ua, null, extraHeaders, body);
    const sender = new RequestSender(ua, request, {
      onRequestTimeout: () =>
        resolve({ status: TIMEOUT, reason: 'Request Timeout', header: () => undefined }),
      onTransportError: () =>
        resolve({ status: TRANSPORT_ERROR, reason: 'Transport Error', header: () => undefined }),
      onReceiveResponse: (response) => {
        if (response.status_code >= 200) resolve(finalResponse(response));
      },
    });
    sender.send();
  });
}
