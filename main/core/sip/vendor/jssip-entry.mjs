// Entry of the JsSIP bundle for Node/Electron main (see scripts/build-jssip.mjs).
// Everything from JsSIP that the core uses is exported from this one bundle so
// the classes share one module graph (RequestSender and UA internals).
import JsSIP from 'jssip';
import SIPMessage from 'jssip/lib/SIPMessage';
import RequestSender from 'jssip/lib/RequestSender';

export { setMediaClasses, mediaClasses } from './media-scope.mjs';
export { JsSIP, RequestSender };
export const OutgoingRequest = SIPMessage.OutgoingRequest;
