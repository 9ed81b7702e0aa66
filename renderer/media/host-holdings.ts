/**
 * What the media host holds for main: microphone streams and peer
 * connections, under the host's own ids (`t1`, `r2`), never Chromium's: they
 * stay stable when the microphone changes, and remote ids from the network
 * (Firefox sends `{…}`) never break the protocol's id rule.
 */
import type { VersionedPc } from './pc-snapshot.js';

/** An error main gets by name (NotFoundError, InvalidStateError, …), as a DOMException would give it. */
export class HostError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LocalStream {
  readonly stream: MediaStream;
  /** Host track id → the track it stands for now (switchInput swaps the track, not the id). */
  readonly tracks: Map<string, MediaStreamTrack>;
}

export interface RemoteTrack {
  readonly id: string;
  /** The element that plays it; none for a video track. */
  readonly audio: HTMLAudioElement | undefined;
}

export interface PcEntry extends VersionedPc {
  readonly remote: Map<MediaStreamTrack, RemoteTrack>;
  /** Senders of a prepared answer that may send but have no track yet: `addTrack` fills them. */
  readonly idleSenders: RTCRtpSender[];
  /** Removes the host's listeners from the connection. */
  readonly detach: () => void;
}

export interface MediaHostInventory {
  readonly pcs: number;
  readonly streams: number;
  readonly liveLocalTracks: number;
  readonly liveRemoteTracks: number;
  readonly audioElements: number;
}

export class HostHoldings {
  readonly streams = new Map<string, LocalStream>();
  readonly pcs = new Map<string, PcEntry>();
  /** Captures under way that go onto a call (`sendOn`): stream id → whether they may sound now. */
  readonly sendingWhenCaptured = new Map<string, boolean>();
  /** The speaker every remote `<audio>` plays on; '' is the default one. */
  sinkId = '';
  private seq = 0;

  /** A new host id: `t…` for a local track, `r…` for a remote one (one counter: an id is never reused). */
  newId(prefix: 't' | 'r'): string {
    return `${prefix}${++this.seq}`;
  }

  pc(pcId: string): PcEntry {
    const entry = this.pcs.get(pcId);
    if (!entry) throw new HostError('NotFoundError', `no peer connection ${pcId}`);
    return entry;
  }

  stream(streamId: string): LocalStream {
    const s = this.streams.get(streamId);
    if (!s) throw new HostError('NotFoundError', `no stream ${streamId}`);
    return s;
  }

  track(trackId: string): MediaStreamTrack {
    for (const s of this.streams.values()) {
      const t = s.tracks.get(trackId);
      if (t) return t;
    }
    throw new HostError('NotFoundError', `no track ${trackId}`);
  }

  /** Every `<audio>` that plays a remote track. */
  audioElements(): HTMLAudioElement[] {
    return [...this.pcs.values()].flatMap((e) => [...e.remote.values()].flatMap((r) => r.audio ?? []));
  }

  inventory(): MediaHostInventory {
    let liveLocalTracks = 0;
    for (const s of this.streams.values())
      for (const t of s.tracks.values()) if (t.readyState === 'live') liveLocalTracks++;
    let liveRemoteTracks = 0;
    for (const e of this.pcs.values())
      for (const r of e.pc.getReceivers()) if (r.track.readyState === 'live') liveRemoteTracks++;
    return {
      pcs: this.pcs.size,
      streams: this.streams.size,
      liveLocalTracks,
      liveRemoteTracks,
      audioElements: this.audioElements().length,
    };
  }

  /** Closes every peer connection and stops every local track. */
  clear(): void {
    for (const entry of this.pcs.values()) closePc(entry);
    this.pcs.clear();
    for (const s of this.streams.values()) stopStream(s);
    this.streams.clear();
    this.sendingWhenCaptured.clear();
  }
}

/** Closes the connection and ends its remote tracks and their `<audio>` elements. */
export function closePc(entry: PcEntry): void {
  entry.detach();
  entry.pc.close();
  for (const [track, remote] of entry.remote) {
    remote.audio?.remove();
    if (remote.audio) remote.audio.srcObject = null;
    track.stop();
  }
  entry.remote.clear();
}

export function stopStream(s: LocalStream): void {
  for (const t of s.tracks.values()) t.stop();
}
