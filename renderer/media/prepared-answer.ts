/**
 * Answering an incoming offer while the call still rings, so Answer only has
 * to send the 200 OK: the offer is applied, the audio transceivers it made are
 * allowed to send but get no track (no packet leaves before Answer), the local
 * answer is set and ICE gathered (bounded). The microphone track joins later
 * through `fillIdleSender`, with replaceTrack: no renegotiation.
 */
import type { Description } from '../../wire/media-host.js';
import type { PcEntry } from './host-holdings.js';

/** JsSIP waits for complete gathering before the 200 OK; past this the answer goes with what was gathered. */
const GATHERING_BOUND_MS = 2000;

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      if (pc.iceGatheringState !== 'complete' && pc.signalingState !== 'closed') return;
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    };
    const timer = setTimeout(() => {
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    }, GATHERING_BOUND_MS);
    pc.addEventListener('icegatheringstatechange', done);
  });
}

export async function prepareAnswer(entry: PcEntry, offer: string): Promise<Description> {
  const { pc } = entry;
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  for (const t of pc.getTransceivers()) {
    // The offer made it receive-only (no track was added): let it send, with no track yet.
    if (t.receiver.track.kind !== 'audio' || t.direction !== 'recvonly' || t.sender.track) continue;
    t.direction = 'sendrecv';
    entry.idleSenders.push(t.sender);
  }
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  const local = pc.localDescription;
  return { type: 'answer', sdp: local?.sdp ?? '' };
}

/** Puts `track` on a prepared sender of its kind; false when there is none (then addTrack as usual). */
export async function fillIdleSender(
  entry: PcEntry,
  track: MediaStreamTrack,
  stream: MediaStream,
): Promise<boolean> {
  const at = entry.idleSenders.findIndex((s) => s.track === null);
  const sender = entry.idleSenders[at];
  if (!sender || track.kind !== 'audio') return false;
  entry.idleSenders.splice(at, 1);
  await sender.replaceTrack(track);
  sender.setStreams(stream);
  return true;
}
