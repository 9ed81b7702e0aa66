/** The host's operations on microphones and speakers: capture, release, switch, mute a track, list, choose output. */
import type { MediaDevice, TrackInfo } from '../../wire/media-host.js';
import type { Handlers, HostContext } from './host-context.js';
import { HostError, stopStream, type LocalStream } from './host-holdings.js';
import { fillIdleSender } from './prepared-answer.js';

export type StreamOps = Pick<
  Handlers,
  'capture' | 'setSending' | 'release' | 'switchInput' | 'setTrackEnabled' | 'devices' | 'setOutput'
>;

function trackInfo(id: string, track: MediaStreamTrack): TrackInfo {
  return { trackId: id, kind: track.kind === 'video' ? 'video' : 'audio', label: track.label.slice(0, 256) };
}

function tracksOf(s: LocalStream): TrackInfo[] {
  return [...s.tracks].map(([id, t]) => trackInfo(id, t));
}

function deviceList(devices: readonly MediaDeviceInfo[], kind: MediaDeviceKind): MediaDevice[] {
  return devices
    .filter((d) => d.kind === kind && d.deviceId !== '')
    .slice(0, 64)
    .map((d) => ({ deviceId: d.deviceId.slice(0, 256), label: d.label.slice(0, 256) }));
}

/** The chosen microphone, or the default one when the chosen one is gone: a lost headset must not cost the call. */
async function captureAudio(ctx: HostContext, audioDeviceId: string | undefined): Promise<MediaStream> {
  try {
    return await ctx.getAudio(audioDeviceId);
  } catch (error) {
    if (!audioDeviceId || !(error instanceof DOMException) || error.name !== 'OverconstrainedError')
      throw error;
    console.warn('[media host] microphone gone, using the default one', audioDeviceId);
    return ctx.getAudio(undefined);
  }
}

/** Puts `next` in place of the stream's microphone track, in the stream and in every sender; keeps the host id. */
async function replaceMicrophone(ctx: HostContext, s: LocalStream, next: MediaStreamTrack): Promise<void> {
  for (const [id, old] of s.tracks) {
    if (old.kind !== 'audio') continue;
    next.enabled = old.enabled; // a muted call stays muted on the new microphone
    for (const e of ctx.holdings.pcs.values()) {
      for (const sender of e.pc.getSenders()) if (sender.track === old) await sender.replaceTrack(next);
    }
    s.stream.removeTrack(old);
    s.stream.addTrack(next);
    s.tracks.set(id, next);
    old.stop();
    return; // one microphone track per stream
  }
}

/**
 * A capture on Answer goes straight onto the prepared sender, `enabled` as main last said
 * (`setSending`): the customer hears the KW without waiting for main's `addTrack`. A
 * connection gone meanwhile is no error: main's `addTrack` then decides.
 */
async function sendCaptured(ctx: HostContext, streamId: string, s: LocalStream, pcId: string): Promise<void> {
  const enabled = ctx.holdings.sendingWhenCaptured.get(streamId) ?? false;
  ctx.holdings.sendingWhenCaptured.delete(streamId);
  const entry = ctx.holdings.pcs.get(pcId);
  const track = s.stream.getAudioTracks()[0];
  if (!entry || !track) return;
  track.enabled = enabled;
  try {
    await fillIdleSender(entry, track, s.stream);
  } catch (error) {
    console.warn('[media host] could not put the microphone on the prepared sender', pcId, error);
  }
}

export function streamOps(ctx: HostContext): StreamOps {
  const { holdings } = ctx;
  return {
    async capture({ streamId, audioDeviceId, sendOn }) {
      if (holdings.streams.has(streamId) || holdings.sendingWhenCaptured.has(streamId))
        throw new HostError('InvalidStateError', `stream ${streamId} exists`);
      if (sendOn) holdings.sendingWhenCaptured.set(streamId, sendOn.enabled);
      let stream: MediaStream;
      try {
        stream = await captureAudio(ctx, audioDeviceId);
      } catch (error) {
        holdings.sendingWhenCaptured.delete(streamId);
        throw error;
      }
      const tracks = new Map(stream.getTracks().map((t) => [holdings.newId('t'), t] as const));
      const s: LocalStream = { stream, tracks };
      holdings.streams.set(streamId, s);
      if (sendOn) await sendCaptured(ctx, streamId, s, sendOn.pcId);
      return { tracks: tracksOf(s) };
    },
    async setSending({ streamId, enabled }) {
      if (holdings.sendingWhenCaptured.has(streamId)) {
        holdings.sendingWhenCaptured.set(streamId, enabled);
        return null;
      }
      for (const t of holdings.stream(streamId).tracks.values()) t.enabled = enabled;
      return null;
    },
    async release({ streamId }) {
      const s = holdings.streams.get(streamId);
      holdings.streams.delete(streamId);
      if (s) stopStream(s); // releasing twice is fine: main cleans up without asking first
      return null;
    },
    async switchInput({ streamId, audioDeviceId }) {
      const s = holdings.stream(streamId);
      const fresh = await ctx.getAudio(audioDeviceId || undefined);
      const next = fresh.getAudioTracks()[0];
      if (!next) throw new HostError('NotFoundError', 'the microphone gave no audio track');
      try {
        await replaceMicrophone(ctx, s, next);
      } catch (error) {
        next.stop();
        throw error;
      }
      return { tracks: tracksOf(s) };
    },
    async setTrackEnabled({ trackId, enabled }) {
      holdings.track(trackId).enabled = enabled;
      return null;
    },
    async devices() {
      const all = await navigator.mediaDevices.enumerateDevices();
      return { inputs: deviceList(all, 'audioinput'), outputs: deviceList(all, 'audiooutput') };
    },
    async setOutput({ audioDeviceId }) {
      await Promise.all(holdings.audioElements().map((a) => a.setSinkId(audioDeviceId)));
      holdings.sinkId = audioDeviceId;
      return null;
    },
  };
}
