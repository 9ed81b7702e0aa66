/**
 * The wire between main's bridged peer connections and a media host (the
 * hidden Electron media window over IPC, the browser harness page over its
 * WebSocket, or a Node WebRTC host in tests). Main sends requests; the host
 * answers each one, in order, and reports peer-connection events. Every
 * answer and event about a peer connection carries a versioned snapshot of
 * its state, which main applies before it resolves a promise or dispatches an
 * event (docs/design.md §3: JsSIP reads that state synchronously).
 *
 * Pure: valibot only. Both sides validate what they receive with these schemas.
 */
import * as v from 'valibot';

export const MEDIA_PROTOCOL_VERSION = 1;

const Id = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'not an id'));
const Sdp = v.pipe(v.string(), v.maxLength(64 * 1024, 'SDP too long'));
const Label = v.pipe(v.string(), v.maxLength(256));

export const SIGNALING_STATES = [
  'stable',
  'have-local-offer',
  'have-remote-offer',
  'have-local-pranswer',
  'have-remote-pranswer',
  'closed',
] as const;
export const ICE_GATHERING_STATES = ['new', 'gathering', 'complete'] as const;
export const ICE_CONNECTION_STATES = [
  'new',
  'checking',
  'connected',
  'completed',
  'failed',
  'disconnected',
  'closed',
] as const;
export const CONNECTION_STATES = [
  'new',
  'connecting',
  'connected',
  'disconnected',
  'failed',
  'closed',
] as const;

export const DescriptionSchema = v.strictObject({
  type: v.picklist(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: Sdp,
});
export type Description = v.InferOutput<typeof DescriptionSchema>;

/** The state of one host peer connection; `version` grows with every change on the host. */
export const SnapshotSchema = v.strictObject({
  pcId: Id,
  version: v.pipe(v.number(), v.integer(), v.minValue(0)),
  signalingState: v.picklist(SIGNALING_STATES),
  iceGatheringState: v.picklist(ICE_GATHERING_STATES),
  iceConnectionState: v.picklist(ICE_CONNECTION_STATES),
  connectionState: v.picklist(CONNECTION_STATES),
  localDescription: v.nullable(DescriptionSchema),
  remoteDescription: v.nullable(DescriptionSchema),
});
export type Snapshot = v.InferOutput<typeof SnapshotSchema>;

export const IceServerSchema = v.strictObject({
  urls: v.union([
    v.pipe(v.string(), v.maxLength(512)),
    v.pipe(v.array(v.pipe(v.string(), v.maxLength(512))), v.maxLength(8)),
  ]),
  username: v.optional(v.pipe(v.string(), v.maxLength(256))),
  credential: v.optional(v.pipe(v.string(), v.maxLength(256))),
});

const TrackInfoSchema = v.strictObject({
  trackId: Id,
  kind: v.picklist(['audio', 'video']),
  label: Label,
});
export type TrackInfo = v.InferOutput<typeof TrackInfoSchema>;

const DeviceSchema = v.strictObject({ deviceId: v.pipe(v.string(), v.maxLength(256)), label: Label });
export type MediaDevice = v.InferOutput<typeof DeviceSchema>;

/**
 * Requests main → host. `capture` opens the microphone into a stream the host
 * keeps under `streamId`; `addTrack` adds one of those tracks to a peer
 * connection; `switchInput` replaces a stream's audio track (new device) in
 * every sender that carries it; `setOutput` routes every remote stream to a
 * speaker; `stats` reads what the call needs (`packetsReceived` rather than a
 * possibly stale `audioLevel`). `prepareAnswer` answers an incoming offer ahead of time
 * (while the call rings): the host applies the offer, makes its audio
 * transceivers send-capable but with no track (nothing is sent), sets the local
 * answer and waits for ICE gathering (bounded); the first `addTrack` on that
 * peer connection then fills the prepared sender (replaceTrack, no renegotiation).
 * `capture` with `sendOn` (on Answer, the answer prepared) puts the microphone
 * on that connection's prepared sender the moment it opens, `enabled` or not,
 * saving main a round trip; the later `addTrack` of that track there is then a
 * no-op. `setSending` changes that `enabled` while the capture is still under
 * way (the KW muted or held meanwhile), or the stream's tracks once it is not.
 */
export const HostRequestSchema = v.variant('op', [
  v.strictObject({
    op: v.literal('capture'),
    streamId: Id,
    audioDeviceId: v.optional(v.pipe(v.string(), v.maxLength(256))),
    sendOn: v.optional(v.strictObject({ pcId: Id, enabled: v.boolean() })),
  }),
  v.strictObject({ op: v.literal('setSending'), streamId: Id, enabled: v.boolean() }),
  v.strictObject({ op: v.literal('release'), streamId: Id }),
  v.strictObject({
    op: v.literal('switchInput'),
    streamId: Id,
    audioDeviceId: v.pipe(v.string(), v.maxLength(256)),
  }),
  v.strictObject({ op: v.literal('setTrackEnabled'), trackId: Id, enabled: v.boolean() }),
  v.strictObject({
    op: v.literal('create'),
    pcId: Id,
    iceServers: v.pipe(v.array(IceServerSchema), v.maxLength(8)),
    iceTransportPolicy: v.optional(v.picklist(['all', 'relay'])),
  }),
  v.strictObject({ op: v.literal('addTrack'), pcId: Id, trackId: Id, streamId: Id }),
  v.strictObject({ op: v.literal('createOffer'), pcId: Id, iceRestart: v.optional(v.boolean()) }),
  v.strictObject({ op: v.literal('prepareAnswer'), pcId: Id, offer: Sdp }),
  v.strictObject({ op: v.literal('createAnswer'), pcId: Id }),
  v.strictObject({ op: v.literal('setLocalDescription'), pcId: Id, description: DescriptionSchema }),
  v.strictObject({ op: v.literal('setRemoteDescription'), pcId: Id, description: DescriptionSchema }),
  v.strictObject({ op: v.literal('close'), pcId: Id }),
  v.strictObject({ op: v.literal('stats'), pcId: Id }),
  v.strictObject({ op: v.literal('devices') }),
  v.strictObject({ op: v.literal('setOutput'), audioDeviceId: v.pipe(v.string(), v.maxLength(256)) }),
]);
export type HostRequest = v.InferOutput<typeof HostRequestSchema>;
export type HostOp = HostRequest['op'];

export const StatsSchema = v.strictObject({
  packetsReceived: v.pipe(v.number(), v.minValue(0)),
  packetsSent: v.pipe(v.number(), v.minValue(0)),
  /** 0..1 as the host last measured it (may be stale once packets stop). */
  audioLevel: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  roundTripTimeMs: v.optional(v.pipe(v.number(), v.minValue(0))),
});
export type MediaStats = v.InferOutput<typeof StatsSchema>;

/** What each request resolves with (`null` where there is nothing to say). */
export interface HostResults {
  capture: { readonly tracks: readonly TrackInfo[] };
  setSending: null;
  release: null;
  switchInput: { readonly tracks: readonly TrackInfo[] };
  setTrackEnabled: null;
  create: null;
  addTrack: null;
  createOffer: Description;
  createAnswer: Description;
  prepareAnswer: Description;
  setLocalDescription: null;
  setRemoteDescription: null;
  close: null;
  stats: MediaStats;
  devices: { readonly inputs: readonly MediaDevice[]; readonly outputs: readonly MediaDevice[] };
  setOutput: null;
}

/** Result schemas, so main validates what a host answers. */
export const HostResultSchemas = {
  capture: v.strictObject({ tracks: v.pipe(v.array(TrackInfoSchema), v.maxLength(4)) }),
  setSending: v.null(),
  release: v.null(),
  switchInput: v.strictObject({ tracks: v.pipe(v.array(TrackInfoSchema), v.maxLength(4)) }),
  setTrackEnabled: v.null(),
  create: v.null(),
  addTrack: v.null(),
  createOffer: DescriptionSchema,
  createAnswer: DescriptionSchema,
  prepareAnswer: DescriptionSchema,
  setLocalDescription: v.null(),
  setRemoteDescription: v.null(),
  close: v.null(),
  stats: StatsSchema,
  devices: v.strictObject({
    inputs: v.pipe(v.array(DeviceSchema), v.maxLength(64)),
    outputs: v.pipe(v.array(DeviceSchema), v.maxLength(64)),
  }),
  setOutput: v.null(),
} as const satisfies { [K in HostOp]: v.GenericSchema<unknown, HostResults[K]> };

const CandidateSchema = v.strictObject({
  candidate: v.pipe(v.string(), v.maxLength(1024)),
  sdpMid: v.nullable(v.pipe(v.string(), v.maxLength(64))),
  sdpMLineIndex: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
});
export type Candidate = v.InferOutput<typeof CandidateSchema>;

/** Envelope main → host. */
export const ToHostSchema = v.strictObject({
  kind: v.literal('request'),
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  request: HostRequestSchema,
});
export type ToHost = v.InferOutput<typeof ToHostSchema>;

/**
 * How often a host measures the sound of each connected peer connection and
 * sends a `levels` message; main forwards at most one a call per interval.
 */
export const LEVELS_INTERVAL_MS = 200;

/** A sound level, linear 0..1 (1 = full scale), as getStats' `audioLevel`. */
const Level = v.pipe(v.number(), v.minValue(0), v.maxValue(1));

export const LevelsSchema = v.strictObject({
  /** What the microphone sends into the call over the last interval (0 while muted or held). */
  input: Level,
  /** What arrives from the far end and plays over the last interval. */
  output: Level,
});
export type SoundLevels = v.InferOutput<typeof LevelsSchema>;

/** Envelopes host → main. */
export const FromHostSchema = v.variant('kind', [
  /** First message of a host: it is ready to take requests. */
  v.strictObject({
    kind: v.literal('hello'),
    protocol: v.literal(MEDIA_PROTOCOL_VERSION),
    host: v.pipe(v.string(), v.maxLength(128)),
  }),
  v.strictObject({
    kind: v.literal('result'),
    id: v.pipe(v.number(), v.integer(), v.minValue(1)),
    result: v.unknown(),
    snapshot: v.optional(SnapshotSchema),
  }),
  v.strictObject({
    kind: v.literal('error'),
    id: v.pipe(v.number(), v.integer(), v.minValue(1)),
    name: v.pipe(v.string(), v.maxLength(64)),
    message: v.pipe(v.string(), v.maxLength(1024)),
    snapshot: v.optional(SnapshotSchema),
  }),
  v.strictObject({
    kind: v.literal('event'),
    pcId: Id,
    event: v.variant('type', [
      v.strictObject({ type: v.literal('icecandidate'), candidate: v.nullable(CandidateSchema) }),
      v.strictObject({ type: v.literal('icegatheringstatechange') }),
      v.strictObject({ type: v.literal('iceconnectionstatechange') }),
      v.strictObject({ type: v.literal('connectionstatechange') }),
      v.strictObject({ type: v.literal('signalingstatechange') }),
      /** A remote track started playing on the host (de-duplicated by the host after unhold). */
      v.strictObject({ type: v.literal('track'), trackId: Id, kind: v.picklist(['audio', 'video']) }),
    ]),
    snapshot: SnapshotSchema,
  }),
  /** Unasked, about every LEVELS_INTERVAL_MS for each connected peer connection: no snapshot, no answer. */
  v.strictObject({ kind: v.literal('levels'), pcId: Id, levels: LevelsSchema }),
]);
export type FromHost = v.InferOutput<typeof FromHostSchema>;
export type HostEvent = Extract<FromHost, { kind: 'event' }>['event'];

/**
 * One connection to a media host, whatever carries it. `send` never throws;
 * a link that is gone reports `closed` once, with a reason, and after that
 * sends go nowhere.
 */
export interface MediaHostLink {
  send(message: ToHost): void;
  onMessage(listener: (message: unknown) => void): () => void;
  onClosed(listener: (reason: string) => void): () => void;
}

/** The host's side of a link: it receives requests (unvalidated) and sends answers and events. */
export interface HostEnd {
  send(message: FromHost): void;
  onMessage(listener: (message: unknown) => void): () => void;
  onClosed(listener: (reason: string) => void): () => void;
  close(reason: string): void;
}
