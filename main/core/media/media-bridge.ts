/**
 * Main's side of the media: one media host at a time (the hidden Electron
 * window, the harness page, a Node host in tests) behind a MediaHostLink.
 * It makes the stand-in streams JsSIP is given, the bridged peer connections
 * JsSIP creates (through the scoped classes, see peer-connection-scope.ts),
 * and it reports whether calls can have media at all (`available`).
 *
 * Use: `attach(link)`; `capture()` a stream; pass it with `pcConfig()` to
 * `session.answer()` / `agent.call()`; `release(stream)` when the call ends
 * (JsSIP never stops a stream it was given).
 */
import { randomUUID } from 'node:crypto';
import type { MediaHostLink, MediaStats, SoundLevels, TrackInfo } from '../../../wire/media-host.js';
import { BridgedPeerConnection } from './bridged-peer-connection.js';
import { BridgedStream, BridgedTrack, type TrackControl } from './bridged-stream.js';
import { HostSession } from './host-session.js';
import { MediaBridgeError, realTimers, type Timers } from './errors.js';
import {
  PC_CONFIG_MARKER,
  PREPARED_PC_MARKER,
  registerPeerConnectionSource,
  scopedMediaClasses,
  type PeerConnectionSource,
} from './peer-connection-scope.js';
import { TypedEmitter, type Unsubscribe } from '../events.js';
import type { Logger } from '../log.js';

export interface MediaBridgeOptions {
  readonly logger: Logger;
  /** JsSIP waits for ICE gathering with no bound; this one ends the wait (default 2000 ms). */
  readonly iceGatheringTimeoutMs?: number;
  /** A host request with no answer after this fails (default 10000 ms). */
  readonly requestTimeoutMs?: number;
  readonly timers?: Timers;
  /** The bridge's name in pcConfig; random by default. */
  readonly id?: string;
}

export interface MediaBridgeEvents extends Record<string, unknown> {
  /** Whether a media host is attached and has said hello. */
  availability: boolean;
  /** The sound of a call's peer connection (`session.connection`), about 5 times a second while connected. */
  levels: { readonly connection: BridgedPeerConnection; readonly levels: SoundLevels };
}

export interface DeviceLists {
  readonly inputs: readonly { readonly deviceId: string; readonly label: string }[];
  readonly outputs: readonly { readonly deviceId: string; readonly label: string }[];
}

/** An answer prepared while the call rings: pass `pcConfig` to `session.answer()`, or `discard()` it. */
export interface PreparedAnswer {
  readonly pcConfig: Readonly<Record<string, string>>;
  /** JsSIP's `new RTCPeerConnection(pcConfig)` would take it now (not taken, closed, lost or ICE-failed). */
  usable(): boolean;
  /** Closes the prepared peer connection unless JsSIP has taken it (then JsSIP closes it). Idempotent. */
  discard(): void;
  /** Opens the microphone straight onto the prepared sender (on Answer): one round trip fewer. */
  captureOnto(audioDeviceId: string | undefined, enabled: boolean): CaptureOnto;
}

/**
 * A capture that goes onto a call as soon as it opens; `setEnabled` reaches it even before then.
 * `S`: the stream as its user knows it (the call manager's port sees an opaque one).
 */
export interface CaptureOnto<S = BridgedStream> {
  readonly stream: Promise<S>;
  setEnabled(enabled: boolean): void;
}

export const DEFAULT_ICE_GATHERING_TIMEOUT_MS = 2000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export class MediaBridge extends TypedEmitter<MediaBridgeEvents> implements PeerConnectionSource {
  readonly id: string;
  private session: HostSession | undefined;
  private readonly streams = new Map<string, BridgedStream>();
  /** Peer connections prepared for a ringing call, not yet taken by JsSIP. */
  private readonly prepared = new Map<string, BridgedPeerConnection>();
  /** Rejects a pending attach() when its session ends before hello. */
  private readonly endHooks = new WeakMap<HostSession, () => void>();
  private unregister: (() => void) | undefined;
  private nextPc = 1;
  private nextStream = 1;
  private readonly log: Logger;
  private readonly timers: Timers;
  private readonly iceGatheringTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly trackControl: TrackControl;

  constructor(options: MediaBridgeOptions) {
    super();
    this.id = options.id ?? `bridge-${randomUUID().slice(0, 8)}`;
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(this.id)) throw new RangeError(`not a bridge id: ${this.id}`);
    this.log = options.logger;
    this.timers = options.timers ?? realTimers;
    this.iceGatheringTimeoutMs = options.iceGatheringTimeoutMs ?? DEFAULT_ICE_GATHERING_TIMEOUT_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.trackControl = {
      setEnabled: (trackId, enabled) => {
        this.session?.request({ op: 'setTrackEnabled', trackId, enabled }).catch((error: unknown) => {
          this.log.warn('media host could not enable/disable a track', {
            trackId,
            enabled,
            error: String(error),
          });
        });
      },
    };
  }

  get available(): boolean {
    return this.session?.ready ?? false;
  }

  /** The attached host's name from its hello. */
  get hostName(): string | undefined {
    return this.session?.ready ? this.session.hostName : undefined;
  }

  onAvailability(listener: (available: boolean) => void): Unsubscribe {
    return this.on('availability', listener);
  }

  onLevels(listener: (connection: object, levels: SoundLevels) => void): Unsubscribe {
    return this.on('levels', (e) => listener(e.connection, e.levels));
  }

  /**
   * Attaches a host; resolves when it says hello, rejects if it goes away
   * before. A second attach replaces the first: its peer connections fail
   * (their calls hang up), its streams end.
   */
  attach(link: MediaHostLink): Promise<void> {
    this.endSession('the media host was replaced');
    this.unregister ??= registerPeerConnectionSource(this);
    const ready = new Promise<void>((resolve, reject) => {
      const session: HostSession = new HostSession({
        link,
        logger: this.log.child('host'),
        requestTimeoutMs: this.requestTimeoutMs,
        timers: this.timers,
        onHello: () => {
          resolve();
          this.emit('availability', true);
        },
        onClosed: (reason) => {
          this.log.warn('media host link closed', { reason });
          if (this.session === session) this.endSession(`media host link closed: ${reason}`);
        },
        onLevels: (connection, levels) => this.emit('levels', { connection, levels }),
      });
      this.session = session;
      // Settles attach() if this session ends before hello (replaced, detached, link closed).
      const settle = (): void => {
        if (session.ended && !session.hostName)
          reject(new MediaBridgeError('lost', 'the media host went away before hello'));
      };
      this.endHooks.set(session, settle);
    });
    // A caller that fires and forgets (availability events tell the rest) must not crash the process.
    ready.catch(() => undefined);
    return ready;
  }

  /** Lets go of the host: open calls fail, and JsSIP can no longer reach this bridge. */
  detach(reason = 'the media host was detached'): void {
    this.endSession(reason);
    this.unregister?.();
    this.unregister = undefined;
  }

  capture(audioDeviceId?: string): Promise<BridgedStream> {
    return this.captureAs(`${this.id}-s${this.nextStream++}`, audioDeviceId, undefined);
  }

  private async captureAs(
    streamId: string,
    audioDeviceId: string | undefined,
    sendOn: { pcId: string; enabled: boolean } | undefined,
  ): Promise<BridgedStream> {
    const session = this.requireSession();
    const { tracks } = await session.request({
      op: 'capture',
      streamId,
      ...(audioDeviceId ? { audioDeviceId } : {}),
      ...(sendOn ? { sendOn } : {}),
    });
    const stream = new BridgedStream(
      streamId,
      tracks.map((t) => new BridgedTrack(t, streamId, this.trackControl)),
    );
    if (session.ended) {
      stream.end();
      throw new MediaBridgeError('lost', 'the media host went away during capture');
    }
    this.streams.set(streamId, stream);
    return stream;
  }

  /** Stops the host's tracks of `stream` (JsSIP never stops a stream it was given). Idempotent. */
  release(stream: { readonly id: string }): void {
    const known = this.streams.get(stream.id);
    if (!known) return;
    this.streams.delete(stream.id);
    known.end();
    this.session?.request({ op: 'release', streamId: stream.id }).catch((error: unknown) => {
      this.log.debug('media host release failed', { streamId: stream.id, error: String(error) });
    });
  }

  /** Moves `stream` to another microphone; every call that sends it follows. */
  async switchInput(stream: { readonly id: string }, audioDeviceId: string): Promise<void> {
    const known = this.streams.get(stream.id);
    if (!known) throw new MediaBridgeError('closed', 'this stream was released');
    const { tracks } = await this.requireSession().request({
      op: 'switchInput',
      streamId: stream.id,
      audioDeviceId,
    });
    rebind(known, tracks);
  }

  async devices(): Promise<DeviceLists> {
    return this.requireSession().request({ op: 'devices' });
  }

  async setOutput(audioDeviceId: string): Promise<void> {
    await this.requireSession().request({ op: 'setOutput', audioDeviceId });
  }

  /** Packet counters of a call's peer connection (`session.connection`). */
  stats(pc: unknown): Promise<MediaStats> {
    if (!(pc instanceof BridgedPeerConnection)) {
      return Promise.reject(new TypeError('stats: not a bridged peer connection'));
    }
    return pc.stats();
  }

  /** The pcConfig fields that send JsSIP's new peer connection to this bridge. */
  pcConfig(): { readonly [PC_CONFIG_MARKER]: string } {
    return { [PC_CONFIG_MARKER]: this.id };
  }

  /** The classes for JsSIP's `setMediaClasses` (the same for every bridge; sip/media-scope.ts installs them). */
  mediaClasses(): { RTCPeerConnection: unknown; RTCSessionDescription: unknown } {
    return scopedMediaClasses();
  }

  /**
   * Answers `offer` on the host while the call rings (peer connection made,
   * offer applied, answer set, ICE gathered; no track, so nothing is sent).
   * `session.answer({ pcConfig })` then takes that peer connection and only
   * has to send the 200 OK.
   */
  async prepareAnswer(offer: string): Promise<PreparedAnswer> {
    const pc = this.newPeerConnection({});
    this.prepared.set(pc.id, pc);
    const discard = (): void => {
      if (this.prepared.get(pc.id) !== pc) return;
      this.prepared.delete(pc.id);
      pc.close();
    };
    try {
      await pc.prepareAnswer(offer);
    } catch (error) {
      discard();
      throw error;
    }
    if (pc.closed || pc.lostReason !== undefined) {
      discard();
      throw new MediaBridgeError('lost', 'the media host went away while the answer was prepared');
    }
    return {
      pcConfig: { [PC_CONFIG_MARKER]: this.id, [PREPARED_PC_MARKER]: pc.id },
      usable: () => this.prepared.get(pc.id) === pc && fitToAnswer(pc),
      discard,
      captureOnto: (audioDeviceId, enabled) => this.captureOnto(pc.id, audioDeviceId, enabled),
    };
  }

  private captureOnto(pcId: string, audioDeviceId: string | undefined, enabled: boolean): CaptureOnto {
    const streamId = `${this.id}-s${this.nextStream++}`;
    return {
      stream: this.captureAs(streamId, audioDeviceId, { pcId, enabled }),
      setEnabled: (next) => {
        this.session?.request({ op: 'setSending', streamId, enabled: next }).catch((error: unknown) => {
          this.log.debug('media host setSending failed', { streamId, error: String(error) });
        });
      },
    };
  }

  /** Called through JsSIP's `new RTCPeerConnection(pcConfig)`: the prepared one it names, or a new one. */
  createPeerConnection(config: unknown): BridgedPeerConnection {
    const preparedId =
      typeof config === 'object' && config !== null
        ? (config as Record<string, unknown>)[PREPARED_PC_MARKER]
        : undefined;
    const prepared = typeof preparedId === 'string' ? this.prepared.get(preparedId) : undefined;
    if (prepared) {
      this.prepared.delete(prepared.id);
      // A connection whose early ICE failed while ringing is no use: start afresh.
      if (fitToAnswer(prepared)) return prepared;
      prepared.close();
    }
    return this.newPeerConnection(config);
  }

  /** Peer connections prepared for ringing calls and not taken yet (diagnostics, tests). */
  get preparedPeerConnections(): number {
    return this.prepared.size;
  }

  private newPeerConnection(config: unknown): BridgedPeerConnection {
    const session = this.requireSession();
    return new BridgedPeerConnection({
      id: `${this.id}-pc${this.nextPc++}`,
      channel: session,
      config,
      logger: this.log.child('pc'),
      iceGatheringTimeoutMs: this.iceGatheringTimeoutMs,
      timers: this.timers,
    });
  }

  /** Peer connections of the current host not closed yet (diagnostics, tests). */
  get openPeerConnections(): number {
    return this.session?.openPeerConnections ?? 0;
  }

  private endSession(reason: string): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    const wasReady = session.ready;
    session.end(reason);
    this.endHooks.get(session)?.();
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
    this.prepared.clear(); // failed with their session
    if (wasReady) {
      this.log.warn('media host gone', { reason });
      this.emit('availability', false);
    }
  }

  private requireSession(): HostSession {
    const session = this.session;
    if (!session?.ready) throw new MediaBridgeError('unavailable', 'no media host is attached');
    return session;
  }
}

/** A prepared connection JsSIP may still answer with. */
function fitToAnswer(pc: BridgedPeerConnection): boolean {
  return !pc.closed && pc.lostReason === undefined && pc.iceConnectionState !== 'failed';
}

function rebind(stream: BridgedStream, tracks: readonly TrackInfo[]): void {
  for (const kind of ['audio', 'video'] as const) {
    const next = tracks.filter((t) => t.kind === kind);
    const current = stream.getTracks().filter((t) => t.kind === kind);
    current.forEach((track, i) => {
      const info = next[i];
      if (info && info.trackId !== track.id) track.rebind(info);
    });
  }
}
