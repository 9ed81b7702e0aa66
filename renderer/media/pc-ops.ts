/** The host's operations on peer connections: open, add a track, offer/answer, descriptions, stats. */
import type { MediaStats } from '../../wire/media-host.js';
import type { Handlers, HostContext } from './host-context.js';
import { HostError } from './host-holdings.js';
import { openPeerConnection } from './peer-connection.js';
import { fillIdleSender, prepareAnswer } from './prepared-answer.js';
import { summarizeStats } from './stats.js';

export type PcOps = Omit<
  Handlers,
  'capture' | 'setSending' | 'release' | 'switchInput' | 'setTrackEnabled' | 'devices' | 'setOutput'
>;

async function readStats(pc: RTCPeerConnection): Promise<MediaStats> {
  const report = await pc.getStats();
  const entries: unknown[] = [];
  report.forEach((value: unknown) => entries.push(value));
  return summarizeStats(entries);
}

export function pcOps(ctx: HostContext): PcOps {
  const { holdings } = ctx;
  return {
    async create(request) {
      if (holdings.pcs.has(request.pcId))
        throw new HostError('InvalidStateError', `peer connection ${request.pcId} exists`);
      holdings.pcs.set(request.pcId, openPeerConnection(request, ctx));
      return null;
    },
    async addTrack({ pcId, trackId, streamId }) {
      const entry = holdings.pc(pcId);
      const s = holdings.stream(streamId);
      const track = s.tracks.get(trackId);
      if (!track) throw new HostError('NotFoundError', `no track ${trackId} in stream ${streamId}`);
      // Already there: the capture on Answer put it on the prepared sender (`sendOn`).
      if (entry.pc.getSenders().some((s) => s.track === track)) return null;
      if (!(await fillIdleSender(entry, track, s.stream))) entry.pc.addTrack(track, s.stream);
      return null;
    },
    async createOffer({ pcId, iceRestart }) {
      const d = await holdings.pc(pcId).pc.createOffer(iceRestart ? { iceRestart } : {});
      return { type: d.type, sdp: d.sdp ?? '' };
    },
    async createAnswer({ pcId }) {
      const d = await holdings.pc(pcId).pc.createAnswer();
      return { type: d.type, sdp: d.sdp ?? '' };
    },
    async prepareAnswer({ pcId, offer }) {
      return prepareAnswer(holdings.pc(pcId), offer);
    },
    async setLocalDescription({ pcId, description: d }) {
      await holdings.pc(pcId).pc.setLocalDescription(d);
      return null;
    },
    async setRemoteDescription({ pcId, description: d }) {
      await holdings.pc(pcId).pc.setRemoteDescription(d);
      return null;
    },
    async close() {
      return null; // answered by `answer` (host-ops.ts): it needs the snapshot taken after close, before the entry goes
    },
    async stats({ pcId }) {
      return readStats(holdings.pc(pcId).pc);
    },
  };
}
