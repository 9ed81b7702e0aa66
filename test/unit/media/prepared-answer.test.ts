/**
 * An answer prepared while the call rings (MediaBridge.prepareAnswer) against
 * a scripted fake media host: JsSIP's `new RTCPeerConnection(pcConfig)` takes
 * the prepared connection, its offer/answer steps cost no host round trip, and
 * a prepared connection nobody took is closed on the host.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MediaBridge } from '../../../main/core/media/media-bridge.js';
import { ScopedPeerConnection } from '../../../main/core/media/peer-connection-scope.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeHostLink, snapshot } from './fake-host-link.js';

const OFFER = 'v=0\r\no=caller 1 1 IN IP4 192.0.2.1\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const ANSWER =
  'v=0\r\no=kw 2 2 IN IP4 192.0.2.2\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=candidate:1\r\n';

const bridges: MediaBridge[] = [];
afterEach(() => {
  for (const b of bridges.splice(0)) b.detach('test over');
});

async function prepared() {
  const bridge = new MediaBridge({ logger: memoryLogger().logger, id: 'kw' });
  bridges.push(bridge);
  const host = new FakeHostLink();
  const ready = bridge.attach(host);
  host.hello();
  await ready;
  const preparing = bridge.prepareAnswer(OFFER);
  const create = host.last('create').request;
  const pcId = create.op === 'create' ? create.pcId : '';
  expect(host.last('prepareAnswer').request).toEqual({ op: 'prepareAnswer', pcId, offer: OFFER });
  host.answer('create', null);
  host.answer(
    'prepareAnswer',
    { type: 'answer', sdp: ANSWER },
    snapshot(pcId, 5, {
      iceGatheringState: 'complete',
      localDescription: { type: 'answer', sdp: ANSWER },
      remoteDescription: { type: 'offer', sdp: OFFER },
    }),
  );
  return { bridge, host, pcId, answer: await preparing };
}

describe('media bridge: an answer prepared while ringing', () => {
  it("JsSIP's answer steps take the prepared connection and cost no round trip; the track goes to the host", async () => {
    const { bridge, host, pcId, answer } = await prepared();
    expect(bridge.preparedPeerConnections).toBe(1);
    const pc = ScopedPeerConnection({ ...answer.pcConfig, iceServers: [] });
    expect(pc.id).toBe(pcId);
    expect(bridge.preparedPeerConnections).toBe(0);
    const before = host.sent.length;
    await pc.setRemoteDescription({ type: 'offer', sdp: OFFER });
    const local = await pc.createAnswer();
    expect(local.sdp).toBe(ANSWER);
    await pc.setLocalDescription(local);
    expect(pc.iceGatheringState).toBe('complete');
    expect(host.sent.slice(before)).toEqual([]);
    const capture = bridge.capture();
    host.answer('capture', { tracks: [{ trackId: 'mic-1', kind: 'audio', label: 'Mic' }] });
    const stream = await capture;
    pc.addTrack(stream.getTracks()[0], stream);
    expect(host.last('addTrack').request).toEqual({
      op: 'addTrack',
      pcId,
      trackId: 'mic-1',
      streamId: stream.id,
    });
    // Taken by JsSIP: discarding is JsSIP's business now (it closes the connection itself).
    answer.discard();
    expect(host.sent.some((m) => m.request.op === 'close')).toBe(false);
  });

  it('captureOnto: the capture on Answer names the prepared connection; setEnabled reaches the host before the microphone opens', async () => {
    const { host, pcId, answer } = await prepared();
    const onto = answer.captureOnto('mic2', true);
    const capture = host.last('capture').request;
    const streamId = capture.op === 'capture' ? capture.streamId : '';
    expect(capture).toEqual({
      op: 'capture',
      streamId,
      audioDeviceId: 'mic2',
      sendOn: { pcId, enabled: true },
    });
    onto.setEnabled(false); // muted while it opens
    expect(host.last('setSending').request).toEqual({ op: 'setSending', streamId, enabled: false });
    host.answer('capture', { tracks: [{ trackId: 'mic-1', kind: 'audio', label: 'Mic' }] });
    const stream = await onto.stream;
    expect(stream.id).toBe(streamId);
    // JsSIP then adds it as usual: the host finds it already there.
    const pc = ScopedPeerConnection({ ...answer.pcConfig });
    pc.addTrack(stream.getTracks()[0], stream);
    expect(host.last('addTrack').request).toEqual({ op: 'addTrack', pcId, trackId: 'mic-1', streamId });
  });

  it('a later offer (a re-INVITE) goes to the host as usual', async () => {
    const { host, answer } = await prepared();
    const pc = ScopedPeerConnection({ ...answer.pcConfig });
    await pc.setRemoteDescription({ type: 'offer', sdp: OFFER });
    await pc.createAnswer();
    await pc.setLocalDescription({ type: 'answer', sdp: ANSWER });
    const reOffer = `${OFFER}a=sendonly\r\n`;
    const applying = pc.setRemoteDescription({ type: 'offer', sdp: reOffer });
    expect(host.last('setRemoteDescription').request).toMatchObject({ description: { sdp: reOffer } });
    host.answer('setRemoteDescription', null);
    await applying;
  });

  it('declined, cancelled or rung out: discard closes the prepared connection on the host, once', async () => {
    const { bridge, host, pcId, answer } = await prepared();
    answer.discard();
    answer.discard();
    expect(host.sent.filter((m) => m.request.op === 'close').map((m) => m.request)).toEqual([
      { op: 'close', pcId },
    ]);
    expect(bridge.preparedPeerConnections).toBe(0);
    // JsSIP asking for it afterwards gets a fresh connection, not the closed one.
    const pc = ScopedPeerConnection({ ...answer.pcConfig });
    expect(pc.id).not.toBe(pcId);
  });

  it('usable() says whether Answer can still use it: not once taken, discarded, ICE-failed or the host lost', async () => {
    const taken = await prepared();
    expect(taken.answer.usable()).toBe(true);
    ScopedPeerConnection({ ...taken.answer.pcConfig });
    expect(taken.answer.usable()).toBe(false);

    const discarded = await prepared();
    discarded.answer.discard();
    expect(discarded.answer.usable()).toBe(false);

    const failed = await prepared();
    failed.host.event(
      failed.pcId,
      { type: 'iceconnectionstatechange' },
      snapshot(failed.pcId, 6, { iceGatheringState: 'complete', iceConnectionState: 'failed' }),
    );
    expect(failed.answer.usable()).toBe(false);

    const lost = await prepared();
    lost.host.close('the media window crashed');
    expect(lost.answer.usable()).toBe(false);
  });

  it('a host that cannot prepare: the promise rejects and the connection is closed', async () => {
    const bridge = new MediaBridge({ logger: memoryLogger().logger, id: 'kw2' });
    bridges.push(bridge);
    const host = new FakeHostLink();
    const ready = bridge.attach(host);
    host.hello();
    await ready;
    const preparing = bridge.prepareAnswer(OFFER);
    host.answer('create', null);
    host.deliver({
      kind: 'error',
      id: host.last('prepareAnswer').id,
      name: 'NotSupportedError',
      message: 'this host does not prepare answers',
    });
    await expect(preparing).rejects.toThrow(/NotSupportedError/);
    expect(host.last('close').request).toMatchObject({ op: 'close' });
    expect(bridge.preparedPeerConnections).toBe(0);
  });
});
