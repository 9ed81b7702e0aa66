// The WebRTC classes JsSIP sees instead of browser globals. The JsSIP bundle is
// built with `window.RTCPeerConnection`, `RTCPeerConnection` and
// `RTCSessionDescription` rewritten to these bindings (esbuild define+inject),
// so main gets no global `window` and the media bridge plugs in here.
// Undefined means "no WebRTC".
export let kwRTCPeerConnection = undefined;
export let kwRTCSessionDescription = undefined;

export function setMediaClasses(classes) {
  kwRTCPeerConnection = classes.RTCPeerConnection;
  kwRTCSessionDescription = classes.RTCSessionDescription;
}

export function mediaClasses() {
  return { RTCPeerConnection: kwRTCPeerConnection, RTCSessionDescription: kwRTCSessionDescription };
}
