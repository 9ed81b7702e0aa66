// The one definition of how JsSIP's WebRTC globals are scoped; used by every
// esbuild build that bundles JsSIP (scripts/build-jssip.mjs).
import { fileURLToPath } from 'node:url';

export const jssipInject = [fileURLToPath(new URL('../main/core/sip/vendor/media-scope.cjs', import.meta.url))];

export const jssipDefine = {
  'window.RTCPeerConnection': 'kwMediaScope.RTCPeerConnection',
  RTCPeerConnection: 'kwMediaScope.RTCPeerConnection',
  RTCSessionDescription: 'kwMediaScope.RTCSessionDescription',
};
