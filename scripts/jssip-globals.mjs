// The one definition of how JsSIP's WebRTC globals are scoped; used by every
// esbuild build that bundles JsSIP (scripts/build-jssip.mjs). `define` must map
// to plain identifiers: esbuild only adds the inject import for those.
import { fileURLToPath } from 'node:url';

export const jssipInject = [
  fileURLToPath(new URL('../main/core/sip/vendor/media-scope.mjs', import.meta.url)),
];

export const jssipDefine = {
  'window.RTCPeerConnection': 'kwRTCPeerConnection',
  RTCPeerConnection: 'kwRTCPeerConnection',
  RTCSessionDescription: 'kwRTCSessionDescription',
};
