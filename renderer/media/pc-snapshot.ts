/**
 * A peer connection's versioned snapshot: main applies it before it resolves
 * or dispatches (JsSIP reads that state synchronously), and the version tells
 * it which of two snapshots is newer.
 */
import type { Description, Snapshot } from '../../wire/media-host.js';

export type PcState = Omit<Snapshot, 'pcId' | 'version'>;

/** What a snapshot is taken of: the connection, and the last state and version sent for it. */
export interface VersionedPc {
  readonly id: string;
  readonly pc: RTCPeerConnection;
  version: number;
  last: PcState;
}

function description(d: RTCSessionDescription | RTCSessionDescriptionInit | null): Description | null {
  return d ? { type: d.type, sdp: d.sdp ?? '' } : null;
}

export function readState(pc: RTCPeerConnection): PcState {
  return {
    signalingState: pc.signalingState,
    iceGatheringState: pc.iceGatheringState,
    iceConnectionState: pc.iceConnectionState,
    connectionState: pc.connectionState,
    localDescription: description(pc.localDescription),
    remoteDescription: description(pc.remoteDescription),
  };
}

function sameDescription(a: Description | null, b: Description | null): boolean {
  return a === b || (a !== null && b !== null && a.type === b.type && a.sdp === b.sdp);
}

function sameState(a: PcState, b: PcState): boolean {
  return (
    a.signalingState === b.signalingState &&
    a.iceGatheringState === b.iceGatheringState &&
    a.iceConnectionState === b.iceConnectionState &&
    a.connectionState === b.connectionState &&
    sameDescription(a.localDescription, b.localDescription) &&
    sameDescription(a.remoteDescription, b.remoteDescription)
  );
}

/** The snapshot of a peer connection now; its version grows whenever its state differs from the last one sent. */
export function takeSnapshot(entry: VersionedPc): Snapshot {
  const state = readState(entry.pc);
  if (!sameState(state, entry.last)) {
    entry.version++;
    entry.last = state;
  }
  return { pcId: entry.id, version: entry.version, ...entry.last };
}
