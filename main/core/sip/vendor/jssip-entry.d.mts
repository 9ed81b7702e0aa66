// Types of build/jssip.cjs (the scoped JsSIP bundle). JsSIP ships no typings
// for RequestSender, so the part of it the publisher uses is declared here.
import type * as JsSIPModule from 'jssip';
import type { UA } from 'jssip/lib/UA';
import type { IncomingResponse, OutgoingRequest } from 'jssip/lib/SIPMessage';
import type { URI } from 'jssip/lib/URI';

interface OutgoingRequestParams {
  from_uri?: URI;
  from_tag?: string;
  to_uri?: URI;
  call_id?: string;
  cseq?: number;
}

interface OutgoingRequestCtor {
  new (
    method: string,
    ruri: URI | string,
    ua: UA,
    params: OutgoingRequestParams | null,
    extraHeaders: string[],
    body?: string,
  ): OutgoingRequest;
}

interface RequestSenderHandlers {
  onRequestTimeout(): void;
  onTransportError(): void;
  onReceiveResponse(response: IncomingResponse): void;
  onAuthenticated?(request: OutgoingRequest): void;
}

interface RequestSenderCtor {
  new (ua: UA, request: OutgoingRequest, handlers: RequestSenderHandlers): { send(): void };
}

export interface MediaClasses {
  RTCPeerConnection: unknown;
  RTCSessionDescription: unknown;
}

export declare const JsSIP: typeof JsSIPModule;
export declare const OutgoingRequest: OutgoingRequestCtor;
export declare const RequestSender: RequestSenderCtor;
export declare function setMediaClasses(classes: MediaClasses): void;
export declare function mediaClasses(): MediaClasses;
