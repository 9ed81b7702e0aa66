// The only door to JsSIP in the core: the scoped bundle (see
// scripts/build-jssip.mjs), never the `jssip` package directly, so no code
// path can reach JsSIP's browser globals.
export { JsSIP, OutgoingRequest, RequestSender, setMediaClasses, mediaClasses } from '#jssip';
export type { MediaClasses } from '#jssip';
export type { UA, UAConfiguration } from 'jssip/lib/UA';
export type {
  IncomingRequest,
  IncomingResponse,
  OutgoingRequest as OutgoingSipRequest,
} from 'jssip/lib/SIPMessage';
export type { RTCSession } from 'jssip/lib/RTCSession';
export type { Subscriber } from 'jssip/lib/Subscriber';
export type { Message } from 'jssip/lib/Message';
