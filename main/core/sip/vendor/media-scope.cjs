// The WebRTC classes JsSIP sees instead of browser globals. The JsSIP bundle is
// built with `window.RTCPeerConnection`, `RTCPeerConnection` and
// `RTCSessionDescription` rewritten to properties of this object, so main gets
// no global `window` and the media bridge (a later issue) plugs in here.
// Empty means "no WebRTC": an incoming INVITE is then refused by the agent.
exports.kwMediaScope = { RTCPeerConnection: undefined, RTCSessionDescription: undefined };
