/**
 * The media host runtime (DESIGN.md §3): executes main's HostRequests on real
 * RTCPeerConnections and microphone streams, answers each request, and
 * reports peer-connection events, every one with the peer connection's
 * versioned snapshot (main applies it before it resolves or dispatches, since
 * JsSIP reads that state synchronously).
 *
 * - Requests about one peer connection run one at a time, in order; the
 *   others (capture, devices, …) run in order in a queue of their own.
 * - Ids main sees are the host's own (`t1`, `r1`), never Chromium's: they
 *   stay stable when the microphone changes, and remote ids from the network
 *   (Firefox sends `{…}`) never break the protocol's id rule.
 * - Remote audio plays through one `<audio>` element per remote track.
 */
import * as v from 'valibot';
import {
  MEDIA_PROTOCOL_VERSION,
  ToHostSchema,
  type Description,
  type FromHost,
  type HostEvent,
  type HostOp,
  type HostRequest,
  type HostResults,
  type MediaDevice,
  type MediaStats,
  type Snapshot,
  type TrackInfo,
} from '../../wire/media-host.js';
import { summarizeStats } from './stats.js';
import type { MediaHostTransport } from './transports.js';

export interface AudioProcessing {
  readonly echoCancellation: boolean;
  readonly noiseSuppression: boolean;
  readonly autoGainControl: boolean;
}

export interface MediaHostInventory {
  readonly pcs: number;
  readonly streams: number;
  readonly liveLocalTracks: number;
  readonly liveRemoteTracks: number;
  readonly audioElements: number;
}

export interface MediaHostOptions {
  /** Names the host in its `hello` (main logs it): 'electron-media-window', 'harness-page'… */
  readonly host: string;
  /** Microphone processing; every flag defaults to on (tests turn them off to measure a tone). */
  readonly audioProcessing?: Partial<AudioProcessing>;
  /** After every change in what the host holds (tests and diagnostics read it). */
  readonly onInventory?: (inventory: MediaHostInventory) => void;
  /** Where the remote `<audio>` elements go; default `document.body`. */
  readonly audioParent?: HTMLElement;
}

export interface MediaHostHandle {
  inventory(): MediaHostInventory;
  /** Closes every peer connection, stops every track, stops listening. */
  stop(): void;
}

class HostError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

interface LocalStream {
  readonly stream: MediaStream;
  /** Host track id → the track it stands for now (switchInput swaps the track, not the id). */
  readonly tracks: Map<string, MediaStreamTrack>;
}

interface RemoteTrack {
  readonly id: string;
  readonly audio: HTMLAudioElement | undefined;
}

interface PcEntry {
  readonly id: string;
  readonly pc: RTCPeerConnection;
  version: number;
  last: PcState;
  readonly remote: Map<MediaStreamTrack, RemoteTrack>;
  readonly detach: () => void;
}

type PcState = Omit<Snapshot, 'pcId' | 'version'>;
type Request<K extends HostOp> = Extract<HostRequest, { op: K }>;
type Handlers = { [K in HostOp]: (request: Request<K>) => Promise<HostResults[K]> };

const PC_EVENTS = [
  'icegatheringstatechange',
  'iceconnectionstatechange',
  'connectionstatechange',
  'signalingstatechange',
] as const;

function description(d: RTCSessionDescription | RTCSessionDescriptionInit | null): Description | null {
  return d ? { type: d.type, sdp: d.sdp ?? '' } : null;
}

function readState(pc: RTCPeerConnection): PcState {
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

function trackInfo(id: string, track: MediaStreamTrack): TrackInfo {
  return { trackId: id, kind: track.kind === 'video' ? 'video' : 'audio', label: track.label.slice(0, 256) };
}

function errorOf(error: unknown): { name: string; message: string } {
  const name = error instanceof Error || error instanceof DOMException ? error.name : 'Error';
  const message = error instanceof Error || error instanceof DOMException ? error.message : String(error);
  return { name: name.slice(0, 64) || 'Error', message: (message || name).slice(0, 1024) };
}

/** The request id of a message that failed validation, when it has a usable one (so main gets its error). */
function idOf(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return undefined;
  const id = raw.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 ? id : undefined;
}

function deviceList(devices: readonly MediaDeviceInfo[], kind: MediaDeviceKind): MediaDevice[] {
  return devices
    .filter((d) => d.kind === kind && d.deviceId !== '')
    .slice(0, 64)
    .map((d) => ({ deviceId: d.deviceId.slice(0, 256), label: d.label.slice(0, 256) }));
}

async function readStats(pc: RTCPeerConnection): Promise<MediaStats> {
  const report = await pc.getStats();
  const entries: unknown[] = [];
  report.forEach((value: unknown) => entries.push(value));
  return summarizeStats(entries);
}

export function startMediaHost(transport: MediaHostTransport, options: MediaHostOptions): MediaHostHandle {
  const processing: AudioProcessing = {
    echoCancellation: options.audioProcessing?.echoCancellation ?? true,
    noiseSuppression: options.audioProcessing?.noiseSuppression ?? true,
    autoGainControl: options.audioProcessing?.autoGainControl ?? true,
  };
  const streams = new Map<string, LocalStream>();
  const pcs = new Map<string, PcEntry>();
  const queues = new Map<string, Promise<void>>();
  let sinkId = '';
  let seq = 0;
  /** Bumped by a reset: answers and events of an older link never reach the new one. */
  let epoch = 0;

  const inventory = (): MediaHostInventory => {
    let liveLocalTracks = 0;
    for (const s of streams.values())
      for (const t of s.tracks.values()) if (t.readyState === 'live') liveLocalTracks++;
    let liveRemoteTracks = 0;
    let audioElements = 0;
    for (const e of pcs.values()) {
      for (const r of e.pc.getReceivers()) if (r.track.readyState === 'live') liveRemoteTracks++;
      for (const r of e.remote.values()) if (r.audio) audioElements++;
    }
    return { pcs: pcs.size, streams: streams.size, liveLocalTracks, liveRemoteTracks, audioElements };
  };
  const changed = (): void => options.onInventory?.(inventory());

  const send = (message: FromHost, at = epoch): void => {
    if (at === epoch) transport.send(message);
  };

  /** The snapshot of a peer connection now; its version grows whenever its state differs from the last one sent. */
  const snapshot = (entry: PcEntry): Snapshot => {
    const state = readState(entry.pc);
    if (!sameState(state, entry.last)) {
      entry.version++;
      entry.last = state;
    }
    return { pcId: entry.id, version: entry.version, ...entry.last };
  };

  const emit = (entry: PcEntry, event: HostEvent): void => {
    if (pcs.get(entry.id) !== entry) return;
    send({ kind: 'event', pcId: entry.id, event, snapshot: snapshot(entry) });
  };

  const getAudio = (deviceId: string | undefined): Promise<MediaStream> =>
    navigator.mediaDevices.getUserMedia({
      audio: { ...processing, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) },
      video: false,
    });

  const pcOf = (pcId: string): PcEntry => {
    const entry = pcs.get(pcId);
    if (!entry) throw new HostError('NotFoundError', `no peer connection ${pcId}`);
    return entry;
  };
  const streamOf = (streamId: string): LocalStream => {
    const s = streams.get(streamId);
    if (!s) throw new HostError('NotFoundError', `no stream ${streamId}`);
    return s;
  };
  const trackOf = (trackId: string): MediaStreamTrack => {
    for (const s of streams.values()) {
      const t = s.tracks.get(trackId);
      if (t) return t;
    }
    throw new HostError('NotFoundError', `no track ${trackId}`);
  };

  const playRemote = (entry: PcEntry, track: MediaStreamTrack): void => {
    if (entry.remote.has(track)) return; // again after unhold: already playing, already reported
    let audio: HTMLAudioElement | undefined;
    if (track.kind === 'audio') {
      audio = document.createElement('audio');
      audio.autoplay = true;
      audio.srcObject = new MediaStream([track]);
      audio.dataset.pcId = entry.id;
      (options.audioParent ?? document.body).append(audio);
      if (sinkId) audio.setSinkId(sinkId).catch((e: unknown) => console.warn('[media host] setSinkId', e));
      audio.play().catch((e: unknown) => console.warn('[media host] remote audio does not play', e));
    }
    const remote: RemoteTrack = { id: `r${++seq}`, audio };
    entry.remote.set(track, remote);
    track.addEventListener('ended', () => {
      remote.audio?.remove();
      entry.remote.delete(track);
      changed();
    });
    emit(entry, { type: 'track', trackId: remote.id, kind: track.kind === 'video' ? 'video' : 'audio' });
    changed();
  };

  const closePc = (entry: PcEntry): void => {
    entry.detach();
    entry.pc.close();
    for (const [track, remote] of entry.remote) {
      remote.audio?.remove();
      if (remote.audio) remote.audio.srcObject = null;
      track.stop();
    }
    entry.remote.clear();
  };

  const stopStream = (s: LocalStream): void => {
    for (const t of s.tracks.values()) t.stop();
  };

  const handlers: Handlers = {
    async capture({ streamId, audioDeviceId }) {
      if (streams.has(streamId)) throw new HostError('InvalidStateError', `stream ${streamId} exists`);
      let stream: MediaStream;
      try {
        stream = await getAudio(audioDeviceId);
      } catch (error) {
        // A chosen microphone that is gone must not cost the call: fall back to the default one.
        if (!audioDeviceId || !(error instanceof DOMException) || error.name !== 'OverconstrainedError')
          throw error;
        console.warn('[media host] microphone gone, using the default one', audioDeviceId);
        stream = await getAudio(undefined);
      }
      const tracks = new Map(stream.getTracks().map((t) => [`t${++seq}`, t] as const));
      streams.set(streamId, { stream, tracks });
      return { tracks: [...tracks].map(([id, t]) => trackInfo(id, t)) };
    },
    async release({ streamId }) {
      const s = streams.get(streamId);
      streams.delete(streamId);
      if (s) stopStream(s); // releasing twice is fine: main cleans up without asking first
      return null;
    },
    async switchInput({ streamId, audioDeviceId }) {
      const s = streamOf(streamId);
      const fresh = await getAudio(audioDeviceId || undefined);
      const next = fresh.getAudioTracks()[0];
      if (!next) throw new HostError('NotFoundError', 'the microphone gave no audio track');
      try {
        for (const [id, old] of s.tracks) {
          if (old.kind !== 'audio') continue;
          next.enabled = old.enabled; // a muted call stays muted on the new microphone
          for (const e of pcs.values()) {
            for (const sender of e.pc.getSenders()) if (sender.track === old) await sender.replaceTrack(next);
          }
          s.stream.removeTrack(old);
          s.stream.addTrack(next);
          s.tracks.set(id, next);
          old.stop();
          break; // one microphone track per stream
        }
      } catch (error) {
        next.stop();
        throw error;
      }
      return { tracks: [...s.tracks].map(([id, t]) => trackInfo(id, t)) };
    },
    async setTrackEnabled({ trackId, enabled }) {
      trackOf(trackId).enabled = enabled;
      return null;
    },
    async create({ pcId, iceServers, iceTransportPolicy }) {
      if (pcs.has(pcId)) throw new HostError('InvalidStateError', `peer connection ${pcId} exists`);
      const pc = new RTCPeerConnection({
        iceServers: iceServers.map((s) => ({
          urls: s.urls,
          ...(s.username !== undefined ? { username: s.username } : {}),
          ...(s.credential !== undefined ? { credential: s.credential } : {}),
        })),
        iceTransportPolicy: iceTransportPolicy ?? 'all',
      });
      const listeners: [string, EventListener][] = [];
      const entry: PcEntry = {
        id: pcId,
        pc,
        version: 1,
        last: readState(pc),
        remote: new Map(),
        detach: () => {
          for (const [type, l] of listeners) pc.removeEventListener(type, l);
        },
      };
      const on = (type: string, l: EventListener): void => {
        pc.addEventListener(type, l);
        listeners.push([type, l]);
      };
      on('icecandidate', (e) => {
        const c = (e as RTCPeerConnectionIceEvent).candidate;
        emit(entry, {
          type: 'icecandidate',
          candidate: c
            ? { candidate: c.candidate.slice(0, 1024), sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }
            : null,
        });
      });
      for (const type of PC_EVENTS) on(type, () => emit(entry, { type }));
      on('track', (e) => playRemote(entry, (e as RTCTrackEvent).track));
      pcs.set(pcId, entry);
      return null;
    },
    async addTrack({ pcId, trackId, streamId }) {
      const entry = pcOf(pcId);
      const s = streamOf(streamId);
      const track = s.tracks.get(trackId);
      if (!track) throw new HostError('NotFoundError', `no track ${trackId} in stream ${streamId}`);
      entry.pc.addTrack(track, s.stream);
      return null;
    },
    async createOffer({ pcId, iceRestart }) {
      const d = await pcOf(pcId).pc.createOffer(iceRestart ? { iceRestart } : {});
      return { type: d.type, sdp: d.sdp ?? '' };
    },
    async createAnswer({ pcId }) {
      const d = await pcOf(pcId).pc.createAnswer();
      return { type: d.type, sdp: d.sdp ?? '' };
    },
    async setLocalDescription({ pcId, description: d }) {
      await pcOf(pcId).pc.setLocalDescription(d);
      return null;
    },
    async setRemoteDescription({ pcId, description: d }) {
      await pcOf(pcId).pc.setRemoteDescription(d);
      return null;
    },
    async close() {
      return null; // handled in `run`: it needs the snapshot taken after close, before the entry goes
    },
    async stats({ pcId }) {
      return readStats(pcOf(pcId).pc);
    },
    async devices() {
      const all = await navigator.mediaDevices.enumerateDevices();
      return { inputs: deviceList(all, 'audioinput'), outputs: deviceList(all, 'audiooutput') };
    },
    async setOutput({ audioDeviceId }) {
      const elements = [...pcs.values()].flatMap((e) => [...e.remote.values()].flatMap((r) => r.audio ?? []));
      await Promise.all(elements.map((a) => a.setSinkId(audioDeviceId)));
      sinkId = audioDeviceId;
      return null;
    },
  };

  const run = async (id: number, request: HostRequest, at: number): Promise<void> => {
    const pcId = 'pcId' in request ? request.pcId : undefined;
    try {
      if (request.op === 'close') {
        const entry = pcs.get(request.pcId);
        if (!entry) {
          send({ kind: 'result', id, result: null }, at);
          return;
        }
        closePc(entry);
        const snap = snapshot(entry);
        pcs.delete(entry.id);
        send({ kind: 'result', id, result: null, snapshot: snap }, at);
        return;
      }
      const handler = handlers[request.op] as (r: HostRequest) => Promise<unknown>;
      const result = await handler(request);
      const entry = pcId === undefined ? undefined : pcs.get(pcId);
      send({ kind: 'result', id, result, ...(entry ? { snapshot: snapshot(entry) } : {}) }, at);
    } catch (error) {
      const entry = pcId === undefined ? undefined : pcs.get(pcId);
      send({ kind: 'error', id, ...errorOf(error), ...(entry ? { snapshot: snapshot(entry) } : {}) }, at);
    } finally {
      changed();
    }
  };

  const onMessage = (raw: unknown): void => {
    const parsed = v.safeParse(ToHostSchema, raw);
    if (!parsed.success) {
      const id = idOf(raw);
      const issue = parsed.issues[0];
      const path = issue ? v.getDotPath(issue) : null;
      const message = `invalid request${path ? ` at ${path}` : ''}: ${issue?.message ?? 'invalid'}`;
      if (id === undefined) console.warn('[media host] dropped a message without an id:', message);
      else send({ kind: 'error', id, name: 'BadRequest', message: message.slice(0, 1024) });
      return;
    }
    const { id, request } = parsed.output;
    const key = 'pcId' in request ? `pc:${request.pcId}` : 'host';
    const at = epoch;
    const next = (queues.get(key) ?? Promise.resolve()).then(() => run(id, request, at));
    queues.set(key, next);
    void next.then(() => {
      if (queues.get(key) === next) queues.delete(key);
    });
  };

  const dropEverything = (): void => {
    epoch++;
    for (const entry of pcs.values()) closePc(entry);
    pcs.clear();
    for (const s of streams.values()) stopStream(s);
    streams.clear();
    changed();
  };

  const hello = (): void =>
    transport.send({ kind: 'hello', protocol: MEDIA_PROTOCOL_VERSION, host: options.host.slice(0, 128) });

  const offMessage = transport.onMessage(onMessage);
  const offReset = transport.onReset?.(() => {
    dropEverything();
    hello();
  });
  hello();
  changed();

  return {
    inventory,
    stop() {
      offMessage();
      offReset?.();
      dropEverything();
    },
  };
}
