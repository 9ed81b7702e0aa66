/**
 * What JsSIP sees as WebRTC in main (see vendor/media-scope.mjs): the scoped
 * classes of the media bridge (main/core/media/peer-connection-scope.ts). The
 * class is always there, so JsSIP hands every incoming INVITE to the agent,
 * which then decides (take, redirect, reject, or 480 "no media host") instead
 * of JsSIP's blanket 488; constructing a peer connection with no bridge
 * attached throws a clear error.
 */
import { mediaClasses, setMediaClasses } from './jssip.js';
import { scopedMediaClasses } from '../media/peer-connection-scope.js';

/** Installs the scoped classes unless someone (a test) installed others. */
export function ensureMediaScope(): void {
  if (mediaClasses().RTCPeerConnection === undefined) setMediaClasses(scopedMediaClasses());
}
