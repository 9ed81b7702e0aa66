/**
 * A media host in plain Node on werift (pure TypeScript WebRTC): the host
 * side of main/core/media/host-protocol.ts, for tests and the lab. Its
 * "microphone" is a sine tone sent as PCMU (the only codec it negotiates, so
 * any peer sends PCMU back); what it receives is decoded and measured, so a
 * test can ask whether a given frequency is heard. Requests are answered one
 * at a time, in order, each with a versioned snapshot of its peer connection.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import {
  LEVELS_INTERVAL_MS,
  MEDIA_PROTOCOL_VERSION,
  ToHostSchema,
  type Description,
  type HostEvent,
  type HostRequest,
  type HostResults,
  type MediaStats,
  type Snapshot,
  type TrackInfo,
} from '../../wire/media-host.js';
import type { HostEnd } from '../../wire/media-host.js';
import { silentLogger, type Logger } from '../../main/core/log.js';
import { AudioMeter, FRAME_MS, FRAME_SAMPLES, ToneSource, type Hearing } from './audio.js';

export interface NodeMediaHostIce {
  /** Extra host candidate addresses (e.g. 127.0.0.1, which werift leaves out by default). */
  readonly additionalHostAddresses?: readonly string[];
  /** Bind ICE sockets to this address only. */
  readonly udp4Address?: string;
  readonly useIpv6?: boolean;
}

export interface NodeMediaHostOptions {
  readonly link: HostEnd;
  /** Sent in hello. */
  readonly name?: string;
  /** The "microphone": a sine at this frequency (default 440 Hz). */
  readonly toneHz?: number;
  readonly ice?: NodeMediaHostIce;
  readonly logger?: Logger;
}

interface Attachment {
  readonly pcId: string;
  readonly track: MediaStreamTrack;
  sequence: number;
  timestamp: number;
}

/** The input device that gives digital silence, as a dead headset does (tests of the silent-microphone warning). */
export const SILENT_DEVICE = 'silent';

interface LocalTrack {
  readonly info: TrackInfo;
  readonly streamId: string;
  readonly tone: ToneSource;
  enabled: boolean;
  /** On the SILENT_DEVICE: sends silence although enabled. */
  dead: boolean;
  readonly attachments: Set<Attachment>;
  timer: NodeJS.Timeout | undefined;
}

interface PcEntry {
  readonly id: string;
  readonly pc: RTCPeerConnection;
  version: number;
  iceState: Snapshot['iceConnectionState'];
  /** werift reports ICE 'completed' when its gatherer finishes, before any check: ignore that one. */
  checked: boolean;
  readonly remoteTracks: Set<string>;
  readonly subscribedTracks: WeakSet<MediaStreamTrack>;
  readonly meter: AudioMeter;
  /** What this connection sent (tone or silence), for the `levels` of its microphone. */
  readonly sentMeter: AudioMeter;
  packetsReceived: number;
  packetsSent: number;
  readonly unsubscribe: Array<() => void>;
}

const PCMU = (): RTCRtpCodecParameters =>
  new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 });

class HostError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export class NodeMediaHost {
  private readonly link: HostEnd;
  private readonly log: Logger;
  private readonly toneHz: number;
  private readonly pcs = new Map<string, PcEntry>();
  private readonly streams = new Map<string, LocalTrack[]>();
  private readonly meter = new AudioMeter();
  private queue: Promise<void> = Promise.resolve();
  private offs: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  private started = false;
  private levelsTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: NodeMediaHostOptions) {
    this.link = options.link;
    this.log = options.logger ?? silentLogger;
    this.toneHz = options.toneHz ?? 440;
  }

  /** Listens to the link and says hello. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    this.offs = [
      this.link.onMessage((message) => this.receive(message)),
      this.link.onClosed((reason) => {
        this.log.info('link closed: shutting down', { reason });
        void this.shutdown(false);
      }),
    ];
    this.link.send({
      kind: 'hello',
      protocol: MEDIA_PROTOCOL_VERSION,
      host: this.options.name ?? 'node-media',
    });
    this.levelsTimer = setInterval(() => this.reportLevels(), LEVELS_INTERVAL_MS);
    return this;
  }

  /** Whether each frequency was heard in the last `windowMs` (any call), and the RMS of it. */
  hears(frequencies: readonly number[], windowMs = 300): Hearing {
    return this.meter.hears(frequencies, windowMs);
  }

  /** Captured tracks not released yet. */
  get liveTracks(): number {
    let n = 0;
    for (const tracks of this.streams.values()) n += tracks.length;
    return n;
  }

  get openPeerConnections(): number {
    return this.pcs.size;
  }

  /** Packets received and sent over every open peer connection. */
  get packets(): { received: number; sent: number } {
    let received = 0;
    let sent = 0;
    for (const e of this.pcs.values()) {
      received += e.packetsReceived;
      sent += e.packetsSent;
    }
    return { received, sent };
  }

  /** Stops every tone, closes every peer connection and the link. */
  close(): Promise<void> {
    return this.shutdown(true);
  }

  // --- requests ------------------------------------------------------------------------------

  private receive(raw: unknown): void {
    const parsed = v.safeParse(ToHostSchema, raw);
    if (!parsed.success) {
      this.log.warn('request refused: does not follow the protocol', { issue: parsed.issues[0]?.message });
      return;
    }
    const { id, request } = parsed.output;
    // One at a time, in order: the protocol promises answers in request order.
    this.queue = this.queue.then(() => this.handle(id, request));
  }

  private async handle(id: number, request: HostRequest): Promise<void> {
    if (this.closing) return;
    const pcId = 'pcId' in request ? request.pcId : undefined;
    try {
      const result = await this.run(request);
      const entry = pcId ? this.pcs.get(pcId) : undefined;
      this.link.send({ kind: 'result', id, result, ...(entry ? { snapshot: this.snapshot(entry) } : {}) });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const entry = pcId ? this.pcs.get(pcId) : undefined;
      this.log.warn('request failed', { op: request.op, error: e.message });
      this.link.send({
        kind: 'error',
        id,
        name: e.name.slice(0, 64),
        message: e.message.slice(0, 1024),
        ...(entry ? { snapshot: this.snapshot(entry) } : {}),
      });
    }
  }

  private async run(request: HostRequest): Promise<HostResults[HostRequest['op']]> {
    switch (request.op) {
      case 'capture':
        return { tracks: this.capture(request.streamId, request.audioDeviceId) };
      case 'setSending':
        // Captures here are immediate and never go onto a prepared sender: just the tracks.
        for (const t of this.requireStream(request.streamId)) t.enabled = request.enabled;
        return null;
      case 'release':
        this.release(request.streamId);
        return null;
      case 'switchInput': {
        const tracks = this.requireStream(request.streamId);
        for (const t of tracks) {
          t.dead = request.audioDeviceId === SILENT_DEVICE;
          t.tone.frequencyHz = toneOf(request.audioDeviceId) ?? t.tone.frequencyHz;
        }
        return { tracks: tracks.map((t) => t.info) };
      }
      case 'setTrackEnabled': {
        const track = this.findTrack(request.trackId);
        if (!track) throw new HostError('NotFoundError', `no track ${request.trackId}`);
        track.enabled = request.enabled;
        return null;
      }
      case 'create':
        this.create(request.pcId, request.iceServers, request.iceTransportPolicy);
        return null;
      case 'addTrack':
        this.addTrack(request.pcId, request.trackId);
        return null;
      case 'createOffer':
        return plain(await this.requirePc(request.pcId).pc.createOffer());
      case 'createAnswer':
        return plain(await this.requirePc(request.pcId).pc.createAnswer());
      case 'prepareAnswer':
        // Not done here: main then answers the usual way, everything on Answer.
        throw new HostError('NotSupportedError', 'this host does not prepare answers');
      case 'setLocalDescription':
        await this.requirePc(request.pcId).pc.setLocalDescription(request.description);
        return null;
      case 'setRemoteDescription':
        await this.requirePc(request.pcId).pc.setRemoteDescription(request.description);
        return null;
      case 'close':
        await this.closePc(request.pcId);
        return null;
      case 'stats':
        return this.stats(this.requirePc(request.pcId));
      case 'devices':
        return {
          inputs: [
            { deviceId: `tone:${this.toneHz}`, label: `Sine ${this.toneHz} Hz` },
            { deviceId: SILENT_DEVICE, label: 'Silent microphone' },
          ],
          outputs: [{ deviceId: 'meter', label: 'Analyser' }],
        };
      case 'setOutput':
        return null;
    }
  }

  private capture(streamId: string, deviceId: string | undefined): TrackInfo[] {
    if (this.streams.has(streamId)) throw new HostError('InvalidStateError', `stream ${streamId} exists`);
    const hz = toneOf(deviceId) ?? this.toneHz;
    const track: LocalTrack = {
      info: { trackId: randomUUID(), kind: 'audio', label: `Sine ${hz} Hz` },
      streamId,
      tone: new ToneSource(hz),
      enabled: true,
      dead: deviceId === SILENT_DEVICE,
      attachments: new Set(),
      timer: undefined,
    };
    // The source runs while captured, like a microphone; frames go to every call it was added to.
    track.timer = setInterval(() => this.sendFrame(track), FRAME_MS);
    this.streams.set(streamId, [track]);
    this.log.info('captured', { streamId, hz });
    return [track.info];
  }

  private sendFrame(track: LocalTrack): void {
    // Disabled (mute, hold): silence, as a browser sends, so the far end hears nothing.
    const payload = track.enabled && !track.dead ? track.tone.nextFrame() : ToneSource.silentFrame();
    for (const a of track.attachments) {
      const entry = this.pcs.get(a.pcId);
      if (!entry || entry.pc.connectionState !== 'connected') continue;
      a.sequence = (a.sequence + 1) & 0xffff;
      a.timestamp = (a.timestamp + FRAME_SAMPLES) >>> 0;
      const header = new RtpHeader({
        payloadType: 0,
        sequenceNumber: a.sequence,
        timestamp: a.timestamp,
        marker: false,
      });
      a.track.writeRtp(new RtpPacket(header, payload));
      entry.sentMeter.pushUlaw(payload);
      entry.packetsSent++;
    }
  }

  private release(streamId: string): void {
    const tracks = this.streams.get(streamId);
    if (!tracks) return;
    this.streams.delete(streamId);
    for (const t of tracks) {
      clearInterval(t.timer);
      for (const a of t.attachments) a.track.stop();
      t.attachments.clear();
    }
    this.log.info('released', { streamId });
  }

  private create(
    pcId: string,
    iceServers: readonly { urls: string | string[] }[],
    policy?: 'all' | 'relay',
  ): void {
    if (this.pcs.has(pcId)) throw new HostError('InvalidStateError', `peer connection ${pcId} exists`);
    const ice = this.options.ice ?? {};
    const pc = new RTCPeerConnection({
      codecs: { audio: [PCMU()], video: [] },
      iceServers: iceServers.flatMap((s) =>
        (Array.isArray(s.urls) ? s.urls : [s.urls]).map((urls) => ({ ...s, urls })),
      ),
      ...(policy ? { iceTransportPolicy: policy } : {}),
      ...(ice.additionalHostAddresses
        ? { iceAdditionalHostAddresses: [...ice.additionalHostAddresses] }
        : {}),
      ...(ice.udp4Address ? { iceInterfaceAddresses: { udp4: ice.udp4Address } } : {}),
      iceUseIpv6: ice.useIpv6 ?? false,
    });
    const entry: PcEntry = {
      id: pcId,
      pc,
      version: 0,
      iceState: 'new',
      checked: false,
      remoteTracks: new Set(),
      subscribedTracks: new WeakSet(),
      meter: new AudioMeter(),
      sentMeter: new AudioMeter(),
      packetsReceived: 0,
      packetsSent: 0,
      unsubscribe: [],
    };
    this.pcs.set(pcId, entry);
    const emit = (event: HostEvent): void => {
      if (this.pcs.get(pcId) !== entry || this.closing) return;
      this.link.send({ kind: 'event', pcId, event, snapshot: this.snapshot(entry) });
    };
    entry.unsubscribe.push(
      pc.onIceCandidate.subscribe((c) => {
        const candidate = c
          ? { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null }
          : null;
        emit({ type: 'icecandidate', candidate });
      }).unSubscribe,
      pc.iceGatheringStateChange.subscribe(() => emit({ type: 'icegatheringstatechange' })).unSubscribe,
      pc.iceConnectionStateChange.subscribe((state) => {
        if (state === 'completed' && !entry.checked) return;
        if (state === 'checking' || state === 'connected') entry.checked = true;
        entry.iceState = state;
        emit({ type: 'iceconnectionstatechange' });
      }).unSubscribe,
      pc.connectionStateChange.subscribe(() => emit({ type: 'connectionstatechange' })).unSubscribe,
      pc.signalingStateChange.subscribe(() => emit({ type: 'signalingstatechange' })).unSubscribe,
      pc.onTrack.subscribe((track) => {
        if (!entry.subscribedTracks.has(track)) {
          entry.subscribedTracks.add(track);
          track.onReceiveRtp.subscribe((rtp) => {
            if (this.pcs.get(pcId) !== entry) return;
            entry.packetsReceived++;
            if (rtp.header.payloadType !== 0) return;
            entry.meter.pushUlaw(rtp.payload);
            this.meter.pushUlaw(rtp.payload);
          });
        }
        // Renegotiation (hold/unhold) may report the same track again: once per id.
        const trackId = safeId(track.id ?? '');
        if (entry.remoteTracks.has(trackId)) return;
        entry.remoteTracks.add(trackId);
        emit({ type: 'track', trackId, kind: track.kind === 'video' ? 'video' : 'audio' });
      }).unSubscribe,
    );
  }

  private addTrack(pcId: string, trackId: string): void {
    const entry = this.requirePc(pcId);
    const local = this.findTrack(trackId);
    if (!local) throw new HostError('NotFoundError', `no track ${trackId}`);
    const track = new MediaStreamTrack({ kind: 'audio' });
    entry.pc.addTrack(track);
    local.attachments.add({ pcId, track, sequence: randomInt16(), timestamp: randomInt16() * 65536 });
  }

  private async closePc(pcId: string): Promise<void> {
    const entry = this.pcs.get(pcId);
    if (!entry) return;
    this.pcs.delete(pcId);
    for (const tracks of this.streams.values()) {
      for (const t of tracks) {
        for (const a of [...t.attachments]) {
          if (a.pcId === pcId) {
            a.track.stop();
            t.attachments.delete(a);
          }
        }
      }
    }
    for (const off of entry.unsubscribe.splice(0)) off();
    await entry.pc.close();
  }

  /** What each connected call sent and received over the last interval, as a browser host reports it. */
  private reportLevels(): void {
    if (this.closing) return;
    for (const entry of this.pcs.values()) {
      if (entry.pc.connectionState !== 'connected') continue;
      this.link.send({
        kind: 'levels',
        pcId: entry.id,
        levels: {
          input: entry.sentMeter.level(LEVELS_INTERVAL_MS),
          output: entry.meter.level(LEVELS_INTERVAL_MS),
        },
      });
    }
  }

  private stats(entry: PcEntry): MediaStats {
    return {
      packetsReceived: entry.packetsReceived,
      packetsSent: entry.packetsSent,
      audioLevel: entry.meter.level(),
    };
  }

  private snapshot(entry: PcEntry): Snapshot {
    const { pc } = entry;
    entry.version++;
    const closed = this.pcs.get(entry.id) !== entry;
    return {
      pcId: entry.id,
      version: entry.version,
      signalingState: closed ? 'closed' : pc.signalingState,
      iceGatheringState: pc.iceGatheringState,
      iceConnectionState: closed ? 'closed' : entry.iceState,
      connectionState: closed ? 'closed' : pc.connectionState,
      localDescription: description(pc.localDescription),
      remoteDescription: description(pc.remoteDescription),
    };
  }

  private requirePc(pcId: string): PcEntry {
    const entry = this.pcs.get(pcId);
    if (!entry) throw new HostError('InvalidStateError', `no peer connection ${pcId}`);
    return entry;
  }

  private requireStream(streamId: string): LocalTrack[] {
    const tracks = this.streams.get(streamId);
    if (!tracks) throw new HostError('NotFoundError', `no stream ${streamId}`);
    return tracks;
  }

  private findTrack(trackId: string): LocalTrack | undefined {
    for (const tracks of this.streams.values()) {
      const found = tracks.find((t) => t.info.trackId === trackId);
      if (found) return found;
    }
    return undefined;
  }

  private shutdown(closeLink: boolean): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.levelsTimer);
      for (const off of this.offs.splice(0)) off();
      for (const streamId of [...this.streams.keys()]) this.release(streamId);
      await Promise.allSettled([...this.pcs.keys()].map((pcId) => this.closePc(pcId)));
      if (closeLink) this.link.close('media host closed');
      this.log.info('media host closed');
    })();
    return this.closing;
  }
}

function plain(d: { type: string; sdp?: string }): Description {
  if (d.type !== 'offer' && d.type !== 'answer' && d.type !== 'pranswer' && d.type !== 'rollback') {
    throw new HostError('OperationError', `unexpected description type ${d.type}`);
  }
  return { type: d.type, sdp: d.sdp ?? '' };
}

function description(d: { type: string; sdp?: string } | null | undefined): Description | null {
  return d ? plain(d) : null;
}

/** `tone:1000` picks the tone's frequency, the Node host's idea of an input device. */
function toneOf(deviceId: string | undefined): number | undefined {
  const m = /^tone:(\d{2,5})$/.exec(deviceId ?? '');
  return m ? Number(m[1]) : undefined;
}

function safeId(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64);
  return cleaned || randomUUID();
}

function randomInt16(): number {
  return Math.floor(Math.random() * 0x10000);
}
