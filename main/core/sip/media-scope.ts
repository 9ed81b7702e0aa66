/**
 * What JsSIP sees as WebRTC in main (see vendor/media-scope.mjs). Until a media
 * host is plugged in (the bridged peer connection of a later issue), a
 * placeholder stands there: JsSIP only tests the class for truthiness before it
 * hands an incoming INVITE to the agent, which then decides (redirect, reject,
 * or 480 "no media host") instead of JsSIP's blanket 488.
 */
import { mediaClasses, setMediaClasses } from './jssip.js';

export function NoMediaHostPeerConnection(): never {
  throw new Error('no media host is attached: calls cannot be answered yet');
}

export function ensureMediaScope(): void {
  const current = mediaClasses();
  if (current.RTCPeerConnection === undefined) {
    setMediaClasses({ ...current, RTCPeerConnection: NoMediaHostPeerConnection });
  }
}

export function hasMediaHost(): boolean {
  const pc = mediaClasses().RTCPeerConnection;
  return pc !== undefined && pc !== NoMediaHostPeerConnection;
}
