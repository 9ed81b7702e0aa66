/**
 * The WebRTC classes JsSIP sees in main (installed by sip/media-scope.ts).
 * JsSIP constructs `new RTCPeerConnection(pcConfig, constraints)` with no
 * other context, and its class binding is process-wide (one bundle), so the
 * bridges it can reach are listed process-wide too: this registry is the one
 * module-level state of the media code, and it is unavoidable for the same
 * reason. Several bridges can coexist (tests run a caller and a callee in one
 * process): `pcConfig[PC_CONFIG_MARKER]` names the bridge; without a marker
 * the most recent available bridge is used.
 */
import { SessionDescription, type BridgedPeerConnection } from './bridged-peer-connection.js';
import { MediaBridgeError } from './errors.js';

/** The pcConfig key that names the bridge a new peer connection belongs to. */
export const PC_CONFIG_MARKER = 'kwMediaBridge';

/** The pcConfig key that names a peer connection prepared while the call rang (MediaBridge.prepareAnswer). */
export const PREPARED_PC_MARKER = 'kwPreparedPc';

export interface PeerConnectionSource {
  readonly id: string;
  readonly available: boolean;
  createPeerConnection(config: unknown): BridgedPeerConnection;
}

const sources: PeerConnectionSource[] = [];

/** Lists a bridge for JsSIP's peer connections; returns its removal. */
export function registerPeerConnectionSource(source: PeerConnectionSource): () => void {
  if (!sources.includes(source)) sources.push(source);
  return () => {
    const at = sources.indexOf(source);
    if (at >= 0) sources.splice(at, 1);
  };
}

export function hasAvailableSource(): boolean {
  return sources.some((s) => s.available);
}

function sourceFor(config: unknown): PeerConnectionSource {
  const marker =
    typeof config === 'object' && config !== null
      ? (config as Record<string, unknown>)[PC_CONFIG_MARKER]
      : undefined;
  if (marker !== undefined) {
    const named = sources.find((s) => s.id === marker);
    if (!named) throw new MediaBridgeError('unavailable', `no media bridge "${String(marker)}" is attached`);
    return named;
  }
  const chosen = sources.findLast((s) => s.available) ?? sources.at(-1);
  if (!chosen)
    throw new MediaBridgeError('unavailable', 'no media host is attached: calls cannot be answered');
  return chosen;
}

/**
 * JsSIP's `RTCPeerConnection`. A function, not a class: `new` on a function
 * that returns an object yields that object, the bridged peer connection of
 * the bridge the pcConfig names.
 */
export function ScopedPeerConnection(pcConfig?: unknown): BridgedPeerConnection {
  return sourceFor(pcConfig).createPeerConnection(pcConfig);
}

/** JsSIP's `RTCSessionDescription`: a plain `{type, sdp}`. */
export const ScopedSessionDescription = SessionDescription;

export function scopedMediaClasses(): { RTCPeerConnection: unknown; RTCSessionDescription: unknown } {
  return { RTCPeerConnection: ScopedPeerConnection, RTCSessionDescription: ScopedSessionDescription };
}
