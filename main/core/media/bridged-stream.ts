/**
 * Stand-ins for the media host's MediaStream and tracks, handed to JsSIP as
 * `mediaStream` so it never calls `navigator.mediaDevices`. Plain classes on
 * purpose: JsSIP reads `then` on the stream while resolving a promise, so a
 * catch-all Proxy would make it look like a thenable and hang (docs/design.md §3).
 */
import type { TrackInfo } from '../../../wire/media-host.js';

export type TrackKind = 'audio' | 'video';

/** What a local track needs from the bridge: tell the host about `enabled`. */
export interface TrackControl {
  setEnabled(trackId: string, enabled: boolean): void;
}

/** A local track of the host (microphone), as JsSIP reads it through `sender.track`. */
export class BridgedTrack {
  readonly kind: TrackKind;
  readonly label: string;
  private hostId: string;
  private isEnabled = true;
  private state: 'live' | 'ended' = 'live';

  constructor(
    info: TrackInfo,
    readonly streamId: string,
    private readonly control: TrackControl,
  ) {
    this.hostId = info.trackId;
    this.kind = info.kind;
    this.label = info.label;
  }

  get id(): string {
    return this.hostId;
  }

  get readyState(): 'live' | 'ended' {
    return this.state;
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  /** Mute and hold in JsSIP are exactly this setter; the host's real track follows. */
  set enabled(value: boolean) {
    const next = Boolean(value);
    if (next === this.isEnabled) return;
    this.isEnabled = next;
    if (this.state === 'live') this.control.setEnabled(this.hostId, next);
  }

  /** Ends the stand-in only: the host's track is stopped by `MediaBridge.release`. */
  stop(): void {
    this.state = 'ended';
  }

  /** The host replaced the track (new input device): keep JsSIP's object, follow the new id. */
  rebind(info: TrackInfo): void {
    this.hostId = info.trackId;
    if (!this.isEnabled && this.state === 'live') this.control.setEnabled(this.hostId, false);
  }
}

/** The host's captured stream; `id` is the host's `streamId`. */
export class BridgedStream {
  private tracks: BridgedTrack[];

  constructor(
    readonly id: string,
    tracks: readonly BridgedTrack[],
  ) {
    this.tracks = [...tracks];
  }

  get active(): boolean {
    return this.tracks.some((t) => t.readyState === 'live');
  }

  getTracks(): BridgedTrack[] {
    return [...this.tracks];
  }

  getAudioTracks(): BridgedTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }

  getVideoTracks(): BridgedTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }

  getTrackById(id: string): BridgedTrack | null {
    return this.tracks.find((t) => t.id === id) ?? null;
  }

  /** JsSIP removes tracks its media constraints exclude (only from this stand-in). */
  removeTrack(track: unknown): void {
    this.tracks = this.tracks.filter((t) => t !== track);
  }

  /** @internal the bridge marks every track ended once the host stream is gone. */
  end(): void {
    for (const track of this.tracks) track.stop();
  }
}

/** A remote track the host plays (from its `track` event), as seen in `getReceivers()`. */
export class RemoteTrack {
  readonly enabled = true;
  readonly readyState = 'live';
  constructor(
    readonly id: string,
    readonly kind: TrackKind,
  ) {}
}
