/**
 * The peer connection JsSIP drives in main: exactly the part of
 * RTCPeerConnection that JsSIP 3.13.8 uses (docs/design.md §3), each call
 * forwarded to the real one in a media host. JsSIP reads state
 * synchronously, so this object mirrors the host's versioned snapshots; the
 * bridge applies each snapshot before it resolves a promise or this object
 * dispatches an event. ICE gathering is bounded here (JsSIP has no bound),
 * and a lost host turns into ICE `failed`, on which JsSIP hangs up.
 */
import type {
  Candidate,
  Description,
  HostOp,
  HostRequest,
  HostResults,
  MediaStats,
  Snapshot,
  HostEvent,
} from '../../../wire/media-host.js';
import { BridgedTrack, RemoteTrack } from './bridged-stream.js';
import { MediaBridgeError, realTimers, type Timers } from './errors.js';
import type { Logger } from '../log.js';

export type HostRequestOf<K extends HostOp> = Extract<HostRequest, { op: K }>;

/** What a peer connection needs from the bridge's connection to its host. */
export interface PeerConnectionChannel {
  /** Sends a request; the answer's snapshot has been applied when this settles. */
  request<K extends HostOp>(request: HostRequestOf<K>): Promise<HostResults[K]>;
  /** Routes host answers and events about this peer connection to it (before its first request). */
  adopt(pc: BridgedPeerConnection): void;
  /** The peer connection is closed: stop routing host events to it. */
  forget(pcId: string): void;
}

export type PeerConnectionEventType =
  | 'icecandidate'
  | 'icegatheringstatechange'
  | 'iceconnectionstatechange'
  | 'connectionstatechange'
  | 'signalingstatechange'
  | 'track';

export interface PeerConnectionEvent {
  readonly type: PeerConnectionEventType;
  readonly target: BridgedPeerConnection;
  /** `icecandidate` only; null marks the end of gathering. */
  readonly candidate?: Candidate | null;
  /** `track` only. */
  readonly track?: RemoteTrack;
  readonly receiver?: BridgedReceiver;
  readonly streams?: readonly never[];
}

export type PeerConnectionListener =
  ((event: PeerConnectionEvent) => void) | { handleEvent(event: PeerConnectionEvent): void };

export interface BridgedSender {
  readonly track: BridgedTrack | null;
  /** No RFC 4733 DTMF through the bridge: JsSIP then warns, and calls use SIP INFO. */
  readonly dtmf: null;
}

export interface BridgedReceiver {
  readonly track: RemoteTrack;
}

/** `{type, sdp}`: what JsSIP builds with `new RTCSessionDescription(...)`. */
export class SessionDescription {
  readonly type: Description['type'];
  readonly sdp: string;
  constructor(init: { type?: unknown; sdp?: unknown } = {}) {
    this.type = isDescriptionType(init.type) ? init.type : 'offer';
    this.sdp = typeof init.sdp === 'string' ? init.sdp : '';
  }
  toJSON(): Description {
    return { type: this.type, sdp: this.sdp };
  }
}

export interface BridgedPeerConnectionOptions {
  readonly id: string;
  readonly channel: PeerConnectionChannel;
  /** JsSIP's pcConfig: `iceServers` and `iceTransportPolicy` go to the host, the rest stays here. */
  readonly config?: unknown;
  readonly logger: Logger;
  readonly iceGatheringTimeoutMs: number;
  readonly timers?: Timers;
}

type OnHandler = ((event: PeerConnectionEvent) => void) | null;

export class BridgedPeerConnection {
  readonly id: string;
  private snapshotVersion = -1;
  private signaling: Snapshot['signalingState'] = 'stable';
  private gathering: Snapshot['iceGatheringState'] = 'new';
  private ice: Snapshot['iceConnectionState'] = 'new';
  private connection: Snapshot['connectionState'] = 'new';
  private local: SessionDescription | null = null;
  private remote: SessionDescription | null = null;
  private readonly senders: BridgedSender[] = [];
  private readonly receivers = new Map<string, BridgedReceiver>();
  private readonly listeners = new Map<PeerConnectionEventType, Set<PeerConnectionListener>>();
  private readonly handlers = new Map<PeerConnectionEventType, OnHandler>();
  private gatheringTimer: unknown;
  /** We declared gathering complete ourselves (bound reached): the host's later word is moot. */
  private gatheringForced = false;
  private isClosed = false;
  private lost: string | undefined;
  /**
   * An answer the host prepared while the call rang: JsSIP's offer/answer steps
   * on Answer replay it without a round trip (`remote` → `answer` → `local` → done).
   */
  private prepared: { offer: string; step: 'remote' | 'answer' | 'local' } | undefined;
  private readonly channel: PeerConnectionChannel;
  private readonly log: Logger;
  private readonly timers: Timers;
  private readonly gatheringBoundMs: number;

  constructor(options: BridgedPeerConnectionOptions) {
    this.id = options.id;
    this.channel = options.channel;
    this.log = options.logger;
    this.timers = options.timers ?? realTimers;
    this.gatheringBoundMs = options.iceGatheringTimeoutMs;
    const { iceServers, iceTransportPolicy } = hostConfig(options.config);
    this.channel.adopt(this);
    // JsSIP constructs synchronously and goes on at once; the host answers in order.
    this.channel
      .request({
        op: 'create',
        pcId: this.id,
        iceServers,
        ...(iceTransportPolicy ? { iceTransportPolicy } : {}),
      })
      .catch((error: unknown) => {
        this.log.warn('media host could not create the peer connection', {
          pcId: this.id,
          error: String(error),
        });
        this.fail(`the media host could not create the peer connection: ${String(error)}`);
      });
  }

  // --- state JsSIP reads synchronously -----------------------------------------------------

  get signalingState(): Snapshot['signalingState'] {
    return this.signaling;
  }
  get iceGatheringState(): Snapshot['iceGatheringState'] {
    return this.gathering;
  }
  get iceConnectionState(): Snapshot['iceConnectionState'] {
    return this.ice;
  }
  get connectionState(): Snapshot['connectionState'] {
    return this.connection;
  }
  get localDescription(): SessionDescription | null {
    return this.local;
  }
  get remoteDescription(): SessionDescription | null {
    return this.remote;
  }
  /** Why this connection failed without the host saying so (host lost, replaced, refused). */
  get lostReason(): string | undefined {
    return this.lost;
  }

  getSenders(): BridgedSender[] {
    return [...this.senders];
  }

  getReceivers(): BridgedReceiver[] {
    return [...this.receivers.values()];
  }

  addTrack(track: unknown, stream: unknown): BridgedSender {
    if (this.isClosed) throw new MediaBridgeError('closed', 'the peer connection is closed');
    if (!(track instanceof BridgedTrack)) {
      throw new TypeError('addTrack: only tracks captured through the media bridge can be sent');
    }
    const streamId = isIdentified(stream) ? stream.id : track.streamId;
    const sender: BridgedSender = { track, dtmf: null };
    this.senders.push(sender);
    this.channel
      .request({ op: 'addTrack', pcId: this.id, trackId: track.id, streamId })
      .catch((error: unknown) => {
        this.log.warn('media host could not add the track', { pcId: this.id, error: String(error) });
      });
    return sender;
  }

  // --- async operations ----------------------------------------------------------------------

  async createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescription> {
    const description = await this.send({
      op: 'createOffer',
      pcId: this.id,
      ...(options?.iceRestart ? { iceRestart: true } : {}),
    });
    return new SessionDescription(description);
  }

  async createAnswer(): Promise<SessionDescription> {
    if (this.prepared?.step === 'answer' && this.local) {
      this.prepared.step = 'local';
      return new SessionDescription(this.local);
    }
    this.prepared = undefined;
    return new SessionDescription(await this.send({ op: 'createAnswer', pcId: this.id }));
  }

  /**
   * Applies `offer` and sets the answer on the host now (the call is ringing);
   * JsSIP's later setRemoteDescription(offer), createAnswer() and
   * setLocalDescription(answer) then cost nothing. Nothing is sent until a
   * track is added.
   */
  async prepareAnswer(offer: string): Promise<void> {
    await this.send({ op: 'prepareAnswer', pcId: this.id, offer });
    this.prepared = { offer, step: 'remote' };
  }

  async setLocalDescription(description: { type?: unknown; sdp?: unknown }): Promise<void> {
    if (this.prepared?.step === 'local') {
      const same = description.type === 'answer' && description.sdp === this.local?.sdp;
      this.prepared = undefined;
      if (same) {
        if (this.gathering !== 'complete' && !this.isClosed && this.lost === undefined)
          this.armGatheringBound();
        return;
      }
    }
    this.prepared = undefined;
    this.clearGatheringBound();
    this.gatheringForced = false;
    await this.send({ op: 'setLocalDescription', pcId: this.id, description: toDescription(description) });
    if (this.gathering !== 'complete' && !this.isClosed && this.lost === undefined) this.armGatheringBound();
  }

  async setRemoteDescription(description: { type?: unknown; sdp?: unknown }): Promise<void> {
    if (this.prepared?.step === 'remote' && description.type === 'offer') {
      if (description.sdp === this.prepared.offer) {
        this.prepared.step = 'answer';
        return;
      }
    }
    this.prepared = undefined;
    try {
      await this.send({ op: 'setRemoteDescription', pcId: this.id, description: toDescription(description) });
    } catch (error) {
      // A late answer (to a hold or unhold re-INVITE) after the call closed: nothing to apply. Rejecting
      // would make JsSIP terminate a session that already ended, which throws outside any handler.
      if (this.isClosed) return;
      throw error;
    }
  }

  /** What the call shows: packets both ways and the level the host last measured. */
  stats(): Promise<MediaStats> {
    return this.send({ op: 'stats', pcId: this.id });
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.clearGatheringBound();
    this.signaling = 'closed';
    this.ice = 'closed';
    this.connection = 'closed';
    if (this.lost !== undefined) {
      this.channel.forget(this.id);
      return;
    }
    this.channel
      .request({ op: 'close', pcId: this.id })
      .catch((error: unknown) => this.log.debug('closing on the media host failed', { error: String(error) }))
      .finally(() => this.channel.forget(this.id));
  }

  // --- events --------------------------------------------------------------------------------

  addEventListener(type: string, listener: PeerConnectionListener | null | undefined): void {
    if (!listener || !isEventType(type)) return;
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
  }

  removeEventListener(type: string, listener: PeerConnectionListener | null | undefined): void {
    if (!listener || !isEventType(type)) return;
    this.listeners.get(type)?.delete(listener);
  }

  get onicecandidate(): OnHandler {
    return this.handlers.get('icecandidate') ?? null;
  }
  set onicecandidate(handler: OnHandler) {
    this.handlers.set('icecandidate', handler);
  }
  get onicegatheringstatechange(): OnHandler {
    return this.handlers.get('icegatheringstatechange') ?? null;
  }
  set onicegatheringstatechange(handler: OnHandler) {
    this.handlers.set('icegatheringstatechange', handler);
  }
  get oniceconnectionstatechange(): OnHandler {
    return this.handlers.get('iceconnectionstatechange') ?? null;
  }
  set oniceconnectionstatechange(handler: OnHandler) {
    this.handlers.set('iceconnectionstatechange', handler);
  }
  get onconnectionstatechange(): OnHandler {
    return this.handlers.get('connectionstatechange') ?? null;
  }
  set onconnectionstatechange(handler: OnHandler) {
    this.handlers.set('connectionstatechange', handler);
  }
  get onsignalingstatechange(): OnHandler {
    return this.handlers.get('signalingstatechange') ?? null;
  }
  set onsignalingstatechange(handler: OnHandler) {
    this.handlers.set('signalingstatechange', handler);
  }
  get ontrack(): OnHandler {
    return this.handlers.get('track') ?? null;
  }
  set ontrack(handler: OnHandler) {
    this.handlers.set('track', handler);
  }

  // --- called by the bridge ------------------------------------------------------------------

  /** Applies a host snapshot unless it is older than what we have; true when applied. */
  applySnapshot(snapshot: Snapshot): boolean {
    if (snapshot.pcId !== this.id || snapshot.version <= this.snapshotVersion) return false;
    this.snapshotVersion = snapshot.version;
    if (this.isClosed || this.lost !== undefined) return true;
    this.signaling = snapshot.signalingState;
    this.ice = snapshot.iceConnectionState;
    this.connection = snapshot.connectionState;
    if (!this.gatheringForced) this.gathering = snapshot.iceGatheringState;
    if (this.gathering === 'complete') this.clearGatheringBound();
    this.local = snapshot.localDescription ? new SessionDescription(snapshot.localDescription) : null;
    this.remote = snapshot.remoteDescription ? new SessionDescription(snapshot.remoteDescription) : null;
    return true;
  }

  /** A host event: its snapshot first, then the event (listeners may be absent: state is what counts). */
  hostEvent(event: HostEvent, snapshot: Snapshot): void {
    this.applySnapshot(snapshot);
    if (this.isClosed || this.lost !== undefined) return;
    switch (event.type) {
      case 'icecandidate':
        if (event.candidate === null && this.gatheringForced) return;
        this.dispatch({ type: 'icecandidate', target: this, candidate: event.candidate });
        return;
      case 'icegatheringstatechange':
        // Already announced as complete when the bound was reached.
        if (this.gatheringForced) return;
        this.dispatch({ type: event.type, target: this });
        return;
      case 'track': {
        // Hosts may report a track again after unhold: one receiver per track.
        if (this.receivers.has(event.trackId)) return;
        const receiver: BridgedReceiver = { track: new RemoteTrack(event.trackId, event.kind) };
        this.receivers.set(event.trackId, receiver);
        this.dispatch({ type: 'track', target: this, track: receiver.track, receiver, streams: [] });
        return;
      }
      default:
        this.dispatch({ type: event.type, target: this });
    }
  }

  /**
   * The host is gone (link closed, replaced, detached): report ICE `failed`,
   * on which JsSIP hangs up with BYE and 408 RTP Timeout instead of keeping a
   * silent call up forever.
   */
  fail(reason: string): void {
    if (this.isClosed || this.lost !== undefined) return;
    this.lost = reason;
    this.clearGatheringBound();
    this.ice = 'failed';
    this.connection = 'failed';
    this.dispatch({ type: 'iceconnectionstatechange', target: this });
    this.dispatch({ type: 'connectionstatechange', target: this });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  // --- internals -----------------------------------------------------------------------------

  private async send<K extends HostOp>(request: HostRequestOf<K>): Promise<HostResults[K]> {
    if (this.lost !== undefined) throw new MediaBridgeError('lost', `media host lost: ${this.lost}`);
    if (this.isClosed) throw new MediaBridgeError('closed', 'the peer connection is closed');
    return this.channel.request(request);
  }

  private armGatheringBound(): void {
    this.gatheringTimer = this.timers.setTimeout(() => {
      this.gatheringTimer = undefined;
      if (this.gathering === 'complete' || this.isClosed || this.lost !== undefined) return;
      this.log.warn('ICE gathering not complete in time: going on with the candidates so far', {
        pcId: this.id,
        boundMs: this.gatheringBoundMs,
      });
      this.gatheringForced = true;
      this.gathering = 'complete';
      this.dispatch({ type: 'icegatheringstatechange', target: this });
      this.dispatch({ type: 'icecandidate', target: this, candidate: null });
    }, this.gatheringBoundMs);
  }

  private clearGatheringBound(): void {
    if (this.gatheringTimer === undefined) return;
    this.timers.clearTimeout(this.gatheringTimer);
    this.gatheringTimer = undefined;
  }

  private dispatch(event: PeerConnectionEvent): void {
    const targets: PeerConnectionListener[] = [...(this.listeners.get(event.type) ?? [])];
    const handler = this.handlers.get(event.type);
    if (handler) targets.push(handler);
    for (const listener of targets) {
      try {
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      } catch (error) {
        // One listener's bug must not keep the others (JsSIP's) from the event.
        this.log.error('peer connection listener threw', { type: event.type, error: String(error) });
      }
    }
  }
}

const EVENT_TYPES: readonly string[] = [
  'icecandidate',
  'icegatheringstatechange',
  'iceconnectionstatechange',
  'connectionstatechange',
  'signalingstatechange',
  'track',
];

function isEventType(type: string): type is PeerConnectionEventType {
  return EVENT_TYPES.includes(type);
}

function isDescriptionType(type: unknown): type is Description['type'] {
  return type === 'offer' || type === 'answer' || type === 'pranswer' || type === 'rollback';
}

function isIdentified(value: unknown): value is { id: string } {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';
}

function toDescription(init: { type?: unknown; sdp?: unknown }): Description {
  if (!isDescriptionType(init.type))
    throw new TypeError(`not a session description type: ${String(init.type)}`);
  return { type: init.type, sdp: typeof init.sdp === 'string' ? init.sdp : '' };
}

type IceServer = HostRequestOf<'create'>['iceServers'][number];

/** The part of an RTCConfiguration the host takes; anything malformed is left out. */
function hostConfig(config: unknown): {
  iceServers: IceServer[];
  iceTransportPolicy: 'all' | 'relay' | undefined;
} {
  const c = (typeof config === 'object' && config !== null ? config : {}) as {
    iceServers?: unknown;
    iceTransportPolicy?: unknown;
  };
  const iceServers: IceServer[] = [];
  if (Array.isArray(c.iceServers)) {
    for (const entry of c.iceServers.slice(0, 8) as unknown[]) {
      if (typeof entry !== 'object' || entry === null) continue;
      const s = entry as { urls?: unknown; username?: unknown; credential?: unknown };
      const urls =
        typeof s.urls === 'string'
          ? s.urls
          : Array.isArray(s.urls) && s.urls.every((u) => typeof u === 'string')
            ? (s.urls as string[])
            : undefined;
      if (urls === undefined) continue;
      iceServers.push({
        urls,
        ...(typeof s.username === 'string' ? { username: s.username } : {}),
        ...(typeof s.credential === 'string' ? { credential: s.credential } : {}),
      });
    }
  }
  const policy =
    c.iceTransportPolicy === 'all' || c.iceTransportPolicy === 'relay' ? c.iceTransportPolicy : undefined;
  return { iceServers, iceTransportPolicy: policy };
}
