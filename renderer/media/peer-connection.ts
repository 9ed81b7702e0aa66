/**
 * Opening a peer connection for main: its events go to main with the
 * connection's snapshot, and each remote track plays through an `<audio>`
 * element of its own.
 */
import type { HostRequest } from '../../wire/media-host.js';
import type { HostContext } from './host-context.js';
import type { PcEntry, RemoteTrack } from './host-holdings.js';
import { readState } from './pc-snapshot.js';

/** The state changes main follows; each goes to main as an event of the same name. */
const PC_EVENTS = [
  'icegatheringstatechange',
  'iceconnectionstatechange',
  'connectionstatechange',
  'signalingstatechange',
] as const;

type CreateRequest = Extract<HostRequest, { op: 'create' }>;

function configuration({ iceServers, iceTransportPolicy }: CreateRequest): RTCConfiguration {
  return {
    iceServers: iceServers.map((s) => ({
      urls: s.urls,
      ...(s.username !== undefined ? { username: s.username } : {}),
      ...(s.credential !== undefined ? { credential: s.credential } : {}),
    })),
    iceTransportPolicy: iceTransportPolicy ?? 'all',
  };
}

/** A new connection with the host's listeners on it (the entry's `detach` removes them). */
export function openPeerConnection(request: CreateRequest, ctx: HostContext): PcEntry {
  const pc = new RTCPeerConnection(configuration(request));
  const listeners: [string, EventListener][] = [];
  const entry: PcEntry = {
    id: request.pcId,
    pc,
    version: 1,
    last: readState(pc),
    remote: new Map(),
    idleSenders: [],
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
    ctx.emit(entry, {
      type: 'icecandidate',
      candidate: c
        ? { candidate: c.candidate.slice(0, 1024), sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }
        : null,
    });
  });
  for (const type of PC_EVENTS) on(type, () => ctx.emit(entry, { type }));
  on('track', (e) => playRemote(entry, (e as RTCTrackEvent).track, ctx));
  return entry;
}

/** Plays a new remote track and tells main its host id; the element goes when the track ends. */
function playRemote(entry: PcEntry, track: MediaStreamTrack, ctx: HostContext): void {
  if (entry.remote.has(track)) return; // again after unhold: already playing, already reported
  const audio = track.kind === 'audio' ? audioFor(entry, track, ctx) : undefined;
  const remote: RemoteTrack = { id: ctx.holdings.newId('r'), audio };
  entry.remote.set(track, remote);
  track.addEventListener('ended', () => {
    remote.audio?.remove();
    entry.remote.delete(track);
    ctx.changed();
  });
  ctx.emit(entry, { type: 'track', trackId: remote.id, kind: track.kind === 'video' ? 'video' : 'audio' });
  ctx.changed();
}

/** An autoplaying `<audio>` for the track, on the chosen speaker. */
function audioFor(entry: PcEntry, track: MediaStreamTrack, ctx: HostContext): HTMLAudioElement {
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = new MediaStream([track]);
  audio.dataset.pcId = entry.id;
  ctx.audioParent().append(audio);
  const sinkId = ctx.holdings.sinkId;
  if (sinkId) audio.setSinkId(sinkId).catch((e: unknown) => console.warn('[media host] setSinkId', e));
  audio.play().catch((e: unknown) => console.warn('[media host] remote audio does not play', e));
  return audio;
}
