/**
 * The media bridge's streams, devices and its place in JsSIP's scope, against
 * a scripted fake media host; and the in-process link pair.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MediaBridge } from '../../../main/core/media/media-bridge.js';
import { BridgedStream } from '../../../main/core/media/bridged-stream.js';
import { createLinkPair } from '../../../main/core/media/link.js';
import {
  PC_CONFIG_MARKER,
  ScopedPeerConnection,
  ScopedSessionDescription,
  hasAvailableSource,
} from '../../../main/core/media/peer-connection-scope.js';
import type { CallMedia } from '../../../main/core/calls/call-media.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeHostLink, snapshot } from './fake-host-link.js';

const bridges: MediaBridge[] = [];
afterEach(() => {
  for (const b of bridges.splice(0)) b.detach('test over');
});

async function attached(id?: string) {
  const log = memoryLogger();
  const bridge = new MediaBridge({ logger: log.logger, ...(id ? { id } : {}) });
  bridges.push(bridge);
  const host = new FakeHostLink();
  const ready = bridge.attach(host);
  host.hello();
  await ready;
  return { bridge, host, log };
}

const MIC = [{ trackId: 'mic-1', kind: 'audio', label: 'Fake microphone' }];

async function captured() {
  const { bridge, host, log } = await attached();
  const streamPromise = bridge.capture('usb-headset');
  host.answer('capture', { tracks: MIC });
  const stream = await streamPromise;
  return { bridge, host, log, stream };
}

describe('media bridge: the stream stand-in', () => {
  it('capture asks the host for the device and yields a stream JsSIP can take (not a thenable)', async () => {
    const { host, stream } = await captured();
    expect(host.last('capture').request).toEqual({
      op: 'capture',
      streamId: stream.id,
      audioDeviceId: 'usb-headset',
    });
    expect(stream).toBeInstanceOf(BridgedStream);
    expect('then' in stream).toBe(false);
    // Resolving a promise with it yields it (a catch-all proxy would hang here).
    await expect(Promise.resolve(stream)).resolves.toBe(stream);
    expect(stream.getTracks().map((t) => [t.id, t.kind, t.enabled, t.readyState])).toEqual([
      ['mic-1', 'audio', true, 'live'],
    ]);
    expect(stream.getAudioTracks()).toHaveLength(1);
    expect(stream.getVideoTracks()).toHaveLength(0);
  });

  it('the enabled setter (JsSIP mute and hold) tells the host, once per change', async () => {
    const { host, stream } = await captured();
    const [track] = stream.getAudioTracks();
    if (!track) throw new Error('no track');
    track.enabled = false;
    track.enabled = false;
    track.enabled = true;
    expect(host.sent.filter((m) => m.request.op === 'setTrackEnabled').map((m) => m.request)).toEqual([
      { op: 'setTrackEnabled', trackId: 'mic-1', enabled: false },
      { op: 'setTrackEnabled', trackId: 'mic-1', enabled: true },
    ]);
  });

  it('release stops the host stream once and ends the stand-in tracks', async () => {
    const { bridge, host, stream } = await captured();
    bridge.release(stream);
    bridge.release(stream);
    expect(host.sent.filter((m) => m.request.op === 'release').map((m) => m.request)).toEqual([
      { op: 'release', streamId: stream.id },
    ]);
    expect(stream.getTracks().every((t) => t.readyState === 'ended')).toBe(true);
  });

  it('switchInput follows a new host track id and keeps a muted track muted', async () => {
    const { bridge, host, stream } = await captured();
    const [track] = stream.getAudioTracks();
    if (!track) throw new Error('no track');
    track.enabled = false;
    const switched = bridge.switchInput(stream, 'laptop-mic');
    host.answer('switchInput', { tracks: [{ trackId: 'mic-2', kind: 'audio', label: 'Laptop' }] });
    await switched;
    expect(track.id).toBe('mic-2');
    expect(host.last('setTrackEnabled').request).toEqual({
      op: 'setTrackEnabled',
      trackId: 'mic-2',
      enabled: false,
    });
  });

  it('devices and setOutput go to the host; a bad device list is refused', async () => {
    const { bridge, host } = await attached();
    const lists = bridge.devices();
    host.answer('devices', { inputs: [{ deviceId: 'default', label: 'Default' }], outputs: [] });
    await expect(lists).resolves.toEqual({
      inputs: [{ deviceId: 'default', label: 'Default' }],
      outputs: [],
    });
    const bad = bridge.devices();
    host.answer('devices', { inputs: 'all of them', outputs: [] });
    await expect(bad).rejects.toMatchObject({ code: 'refused' });
    const output = bridge.setOutput('speakers');
    expect(host.last('setOutput').request).toEqual({ op: 'setOutput', audioDeviceId: 'speakers' });
    host.answer('setOutput', null);
    await expect(output).resolves.toBeUndefined();
  });

  it('addTrack sends the host track and stream; getSenders exposes the stand-in track', async () => {
    const { bridge, host, stream } = await captured();
    const pc = bridge.createPeerConnection(bridge.pcConfig());
    const [track] = stream.getTracks();
    pc.addTrack(track, stream);
    expect(host.last('addTrack').request).toEqual({
      op: 'addTrack',
      pcId: pc.id,
      trackId: 'mic-1',
      streamId: stream.id,
    });
    const sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
    expect(sender?.track).toBe(track);
    expect(() => pc.addTrack({ id: 'x', kind: 'audio' }, stream)).toThrow(TypeError);
  });

  it('stats come from the host for the call’s peer connection', async () => {
    const { bridge, host } = await attached();
    const pc = bridge.createPeerConnection({});
    const stats = bridge.stats(pc);
    host.answer('stats', { packetsReceived: 10, packetsSent: 12, audioLevel: 0.2 }, snapshot(pc.id, 1));
    await expect(stats).resolves.toEqual({ packetsReceived: 10, packetsSent: 12, audioLevel: 0.2 });
  });

  it('satisfies the call manager’s media port', async () => {
    const { bridge } = await attached();
    const media: CallMedia = bridge;
    expect(media.available).toBe(true);
    expect(media.pcConfig()).toEqual({ [PC_CONFIG_MARKER]: bridge.id });
  });
});

describe('media bridge: JsSIP’s scoped classes', () => {
  it('new RTCPeerConnection(pcConfig) reaches the bridge the marker names; no marker: the most recent available', async () => {
    const a = await attached('bridge-a');
    const b = await attached('bridge-b');
    const PeerConnection = ScopedPeerConnection as unknown as new (config?: unknown) => { id: string };
    expect(new PeerConnection(a.bridge.pcConfig()).id).toMatch(/^bridge-a-pc/);
    expect(new PeerConnection({ ...b.bridge.pcConfig(), iceServers: [] }).id).toMatch(/^bridge-b-pc/);
    expect(new PeerConnection({ iceServers: [] }).id).toMatch(/^bridge-b-pc/);
    expect(a.host.last('create').request.op).toBe('create');
    b.bridge.detach();
    expect(new PeerConnection({}).id).toMatch(/^bridge-a-pc/);
    expect(() => new PeerConnection({ [PC_CONFIG_MARKER]: 'bridge-b' })).toThrow(
      'no media bridge "bridge-b"',
    );
    expect(hasAvailableSource()).toBe(true);
    a.bridge.detach();
    expect(hasAvailableSource()).toBe(false);
    expect(() => new PeerConnection({})).toThrow('no media host');
  });

  it('RTCSessionDescription is a plain {type, sdp} with toJSON', () => {
    const d = new ScopedSessionDescription({ type: 'answer', sdp: 'v=0' });
    expect(JSON.parse(JSON.stringify(d))).toEqual({ type: 'answer', sdp: 'v=0' });
  });
});

describe('in-process link pair', () => {
  it('carries JSON in order, later; closing from either side tells both once', async () => {
    const { main, host } = createLinkPair();
    const atHost: unknown[] = [];
    host.onMessage((m) => atHost.push(m));
    main.send({ kind: 'request', id: 1, request: { op: 'devices' } });
    main.send({ kind: 'request', id: 2, request: { op: 'setOutput', audioDeviceId: 'x' } });
    expect(atHost).toEqual([]);
    await Promise.resolve();
    expect(atHost).toEqual([
      { kind: 'request', id: 1, request: { op: 'devices' } },
      { kind: 'request', id: 2, request: { op: 'setOutput', audioDeviceId: 'x' } },
    ]);
    const reasons: string[] = [];
    main.onClosed((r) => reasons.push(`main: ${r}`));
    host.onClosed((r) => reasons.push(`host: ${r}`));
    host.close('host quit');
    main.close('again');
    expect(reasons).toEqual(['main: host quit', 'host: host quit']);
    main.send({ kind: 'request', id: 3, request: { op: 'devices' } });
    await Promise.resolve();
    expect(atHost).toHaveLength(2);
  });
});
