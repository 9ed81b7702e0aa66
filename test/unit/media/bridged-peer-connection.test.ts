/**
 * The bridged peer connection against a scripted fake media host: the
 * mirror JsSIP reads synchronously, the order of state and events, the ICE
 * gathering bound, a lost host, timeouts and refused host messages.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaBridge } from '../../../main/core/media/media-bridge.js';
import type {
  BridgedPeerConnection,
  PeerConnectionEvent,
} from '../../../main/core/media/bridged-peer-connection.js';
import { MediaBridgeError } from '../../../main/core/media/errors.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeHostLink, snapshot } from './fake-host-link.js';

const bridges: MediaBridge[] = [];
afterEach(() => {
  for (const b of bridges.splice(0)) b.detach('test over');
  vi.useRealTimers();
});

async function setup(options: { iceGatheringTimeoutMs?: number; requestTimeoutMs?: number } = {}) {
  const log = memoryLogger('debug');
  const bridge = new MediaBridge({ logger: log.logger, ...options });
  bridges.push(bridge);
  const host = new FakeHostLink();
  const attached = bridge.attach(host);
  host.hello();
  await attached;
  const pc = bridge.createPeerConnection(bridge.pcConfig());
  host.answer('create', null, snapshot(pc.id, 0));
  const warnings = () => log.records.filter((r) => r.level === 'warn').map((r) => r.msg);
  return { bridge, host, pc, log, warnings };
}

function record(pc: BridgedPeerConnection, ...types: string[]) {
  const seen: Array<{ type: string; candidate?: unknown; state: Record<string, string> }> = [];
  for (const type of types) {
    pc.addEventListener(type, (e: PeerConnectionEvent) =>
      seen.push({
        type: e.type,
        ...('candidate' in e ? { candidate: e.candidate } : {}),
        state: {
          gathering: pc.iceGatheringState,
          ice: pc.iceConnectionState,
          connection: pc.connectionState,
        },
      }),
    );
  }
  return seen;
}

const OFFER = { type: 'offer' as const, sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n' };

describe('bridged peer connection: the mirror', () => {
  it('sends create with the ice servers of pcConfig and starts in the initial states', async () => {
    const log = memoryLogger();
    const bridge = new MediaBridge({ logger: log.logger });
    bridges.push(bridge);
    const host = new FakeHostLink();
    const attached = bridge.attach(host);
    host.hello();
    await attached;
    const pc = bridge.createPeerConnection({
      ...bridge.pcConfig(),
      iceServers: [{ urls: 'stun:stun.example.org' }, { urls: 42 }],
      iceTransportPolicy: 'relay',
    });
    expect(host.last('create').request).toEqual({
      op: 'create',
      pcId: pc.id,
      iceServers: [{ urls: 'stun:stun.example.org' }],
      iceTransportPolicy: 'relay',
    });
    expect([pc.signalingState, pc.iceGatheringState, pc.iceConnectionState, pc.connectionState]).toEqual([
      'stable',
      'new',
      'new',
      'new',
    ]);
    expect(pc.localDescription).toBeNull();
  });

  it('a host that answers create synchronously still reaches the new peer connection', async () => {
    const { bridge, host } = await setup();
    host.onSend = (m) => {
      if (m.request.op === 'create') {
        host.deliver({
          kind: 'result',
          id: m.id,
          result: null,
          snapshot: snapshot(m.request.pcId, 1, { iceGatheringState: 'gathering' }),
        });
      }
    };
    const pc = bridge.createPeerConnection({});
    expect(pc.iceGatheringState).toBe('gathering');
  });

  it('applies the answer’s snapshot before the promise resolves', async () => {
    const { host, pc } = await setup();
    const done = pc.setLocalDescription(OFFER).then(() => ({
      gathering: pc.iceGatheringState,
      sdp: pc.localDescription?.sdp,
      signaling: pc.signalingState,
    }));
    expect(host.last('setLocalDescription').request).toEqual({
      op: 'setLocalDescription',
      pcId: pc.id,
      description: OFFER,
    });
    host.answer(
      'setLocalDescription',
      null,
      snapshot(pc.id, 1, {
        signalingState: 'have-local-offer',
        iceGatheringState: 'complete',
        localDescription: { type: 'offer', sdp: `${OFFER.sdp}a=candidate:1\r\n` },
      }),
    );
    await expect(done).resolves.toEqual({
      gathering: 'complete',
      sdp: `${OFFER.sdp}a=candidate:1\r\n`,
      signaling: 'have-local-offer',
    });
  });

  it('applies an event’s snapshot before listeners run', async () => {
    const { host, pc } = await setup();
    const seen = record(pc, 'iceconnectionstatechange', 'connectionstatechange');
    let viaProperty = '';
    pc.oniceconnectionstatechange = () => (viaProperty = pc.iceConnectionState);
    host.event(
      pc.id,
      { type: 'iceconnectionstatechange' },
      snapshot(pc.id, 1, { iceConnectionState: 'connected' }),
    );
    host.event(
      pc.id,
      { type: 'connectionstatechange' },
      snapshot(pc.id, 2, { iceConnectionState: 'connected', connectionState: 'connected' }),
    );
    expect(seen.map((s) => [s.type, s.state.ice, s.state.connection])).toEqual([
      ['iceconnectionstatechange', 'connected', 'new'],
      ['connectionstatechange', 'connected', 'connected'],
    ]);
    expect(viaProperty).toBe('connected');
  });

  it('events that arrive in a burst before any listener leave the state JsSIP reads; an older answer snapshot is ignored', async () => {
    vi.useFakeTimers();
    const { host, pc, warnings } = await setup({ iceGatheringTimeoutMs: 2000 });
    const done = pc.setLocalDescription(OFFER);
    // The host reports gathering first, then answers with a snapshot taken earlier.
    host.event(
      pc.id,
      {
        type: 'icecandidate',
        candidate: {
          candidate: 'candidate:1 1 udp 1 192.0.2.2 5000 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      },
      snapshot(pc.id, 2, { iceGatheringState: 'gathering', signalingState: 'have-local-offer' }),
    );
    host.event(
      pc.id,
      { type: 'icecandidate', candidate: null },
      snapshot(pc.id, 3, {
        iceGatheringState: 'complete',
        signalingState: 'have-local-offer',
        localDescription: { type: 'offer', sdp: 'full' },
      }),
    );
    host.event(
      pc.id,
      { type: 'icegatheringstatechange' },
      snapshot(pc.id, 4, {
        iceGatheringState: 'complete',
        signalingState: 'have-local-offer',
        localDescription: { type: 'offer', sdp: 'full' },
      }),
    );
    host.answer(
      'setLocalDescription',
      null,
      snapshot(pc.id, 1, { iceGatheringState: 'gathering', signalingState: 'have-local-offer' }),
    );
    await done;
    // What JsSIP checks right after setLocalDescription resolves:
    expect(pc.iceGatheringState).toBe('complete');
    expect(pc.localDescription?.sdp).toBe('full');
    // No gathering bound armed: nothing more happens.
    const late = record(pc, 'icegatheringstatechange', 'icecandidate');
    vi.advanceTimersByTime(10_000);
    expect(late).toEqual([]);
    expect(warnings()).toEqual([]);
  });

  it('ignores a snapshot older than the one it has', async () => {
    const { host, pc } = await setup();
    const seen = record(pc, 'iceconnectionstatechange');
    host.event(
      pc.id,
      { type: 'iceconnectionstatechange' },
      snapshot(pc.id, 5, { iceConnectionState: 'connected' }),
    );
    host.event(
      pc.id,
      { type: 'iceconnectionstatechange' },
      snapshot(pc.id, 4, { iceConnectionState: 'checking' }),
    );
    expect(pc.iceConnectionState).toBe('connected');
    // The event is still a fact; the state stays the newest.
    expect(seen.map((s) => s.state.ice)).toEqual(['connected', 'connected']);
  });

  it('remote tracks are reported once each, even when the host repeats them after unhold', async () => {
    const { host, pc } = await setup();
    const seen = record(pc, 'track');
    host.event(pc.id, { type: 'track', trackId: 'r1', kind: 'audio' }, snapshot(pc.id, 1));
    host.event(pc.id, { type: 'track', trackId: 'r1', kind: 'audio' }, snapshot(pc.id, 2));
    expect(seen).toHaveLength(1);
    expect(pc.getReceivers().map((r) => [r.track.id, r.track.kind])).toEqual([['r1', 'audio']]);
  });
});

describe('bridged peer connection: ICE gathering bound', () => {
  it('declares gathering complete after the bound, with the state event and a null candidate, once', async () => {
    vi.useFakeTimers();
    const { host, pc, warnings } = await setup({ iceGatheringTimeoutMs: 2000 });
    const done = pc.setLocalDescription(OFFER);
    host.answer(
      'setLocalDescription',
      null,
      snapshot(pc.id, 1, {
        iceGatheringState: 'gathering',
        localDescription: { type: 'offer', sdp: 'partial' },
      }),
    );
    await done;
    const seen = record(pc, 'icegatheringstatechange', 'icecandidate');
    vi.advanceTimersByTime(1999);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([
      { type: 'icegatheringstatechange', state: { gathering: 'complete', ice: 'new', connection: 'new' } },
      {
        type: 'icecandidate',
        candidate: null,
        state: { gathering: 'complete', ice: 'new', connection: 'new' },
      },
    ]);
    expect(pc.localDescription?.sdp).toBe('partial');
    expect(warnings().some((w) => w.includes('ICE gathering not complete'))).toBe(true);
    // The host completing later is not announced a second time, and a late 'gathering' does not undo it.
    host.event(
      pc.id,
      { type: 'icecandidate', candidate: null },
      snapshot(pc.id, 2, { iceGatheringState: 'complete' }),
    );
    host.event(
      pc.id,
      { type: 'icegatheringstatechange' },
      snapshot(pc.id, 3, { iceGatheringState: 'complete' }),
    );
    expect(seen).toHaveLength(2);
    expect(pc.iceGatheringState).toBe('complete');
  });

  it('is not armed when the host completes in time', async () => {
    vi.useFakeTimers();
    const { host, pc } = await setup({ iceGatheringTimeoutMs: 2000 });
    const done = pc.setLocalDescription(OFFER);
    host.answer('setLocalDescription', null, snapshot(pc.id, 1, { iceGatheringState: 'gathering' }));
    await done;
    const seen = record(pc, 'icegatheringstatechange');
    vi.advanceTimersByTime(500);
    host.event(
      pc.id,
      { type: 'icegatheringstatechange' },
      snapshot(pc.id, 2, { iceGatheringState: 'complete' }),
    );
    vi.advanceTimersByTime(5000);
    expect(seen).toHaveLength(1);
  });
});

describe('bridged peer connection: a lost host', () => {
  it('link closed mid-call: ICE and connection fail, with events and the reason; requests reject', async () => {
    const { bridge, host, pc } = await setup();
    host.event(
      pc.id,
      { type: 'iceconnectionstatechange' },
      snapshot(pc.id, 1, { iceConnectionState: 'connected' }),
    );
    const seen = record(pc, 'iceconnectionstatechange', 'connectionstatechange');
    const availability: boolean[] = [];
    bridge.onAvailability((a) => availability.push(a));
    const pending = pc.createOffer();
    host.close('renderer crashed');
    expect(seen.map((s) => [s.type, s.state.ice, s.state.connection])).toEqual([
      ['iceconnectionstatechange', 'failed', 'failed'],
      ['connectionstatechange', 'failed', 'failed'],
    ]);
    expect(pc.lostReason).toContain('renderer crashed');
    await expect(pending).rejects.toMatchObject({ code: 'lost' });
    await expect(pc.createAnswer()).rejects.toMatchObject({ code: 'lost' });
    expect(bridge.available).toBe(false);
    expect(availability).toEqual([false]);
    // JsSIP closes it afterwards: no error, states closed.
    pc.close();
    expect(pc.iceConnectionState).toBe('closed');
  });

  it('a host replaced before hello: the first attach rejects, and ignoring it is harmless', async () => {
    const bridge = new MediaBridge({ logger: memoryLogger().logger });
    bridges.push(bridge);
    const first = bridge.attach(new FakeHostLink());
    const second = new FakeHostLink();
    void bridge.attach(new FakeHostLink());
    const third = bridge.attach(second);
    second.hello();
    await third;
    await expect(first).rejects.toMatchObject({ code: 'lost' });
    expect(bridge.available).toBe(true);
  });

  it('a second attach replaces the host and fails the first host’s peer connections', async () => {
    const { bridge, pc } = await setup();
    const seen = record(pc, 'iceconnectionstatechange');
    const next = new FakeHostLink();
    const attached = bridge.attach(next);
    expect(pc.iceConnectionState).toBe('failed');
    expect(pc.lostReason).toContain('replaced');
    expect(seen).toHaveLength(1);
    next.hello();
    await attached;
    expect(bridge.available).toBe(true);
  });

  it('a closed peer connection gets no more events, and close is sent once', async () => {
    const { host, pc } = await setup();
    const seen = record(pc, 'iceconnectionstatechange');
    pc.close();
    pc.close();
    expect(host.sent.filter((m) => m.request.op === 'close')).toHaveLength(1);
    expect([pc.signalingState, pc.iceConnectionState, pc.connectionState]).toEqual([
      'closed',
      'closed',
      'closed',
    ]);
    host.event(
      pc.id,
      { type: 'iceconnectionstatechange' },
      snapshot(pc.id, 9, { iceConnectionState: 'connected' }),
    );
    expect(seen).toEqual([]);
    expect(pc.iceConnectionState).toBe('closed');
  });
});

describe('bridged peer connection: timeouts and refused messages', () => {
  it('a request with no answer rejects with a clear timeout error', async () => {
    vi.useFakeTimers();
    const { pc, warnings } = await setup({ requestTimeoutMs: 3000 });
    const offer = pc.createOffer();
    const caught = offer.catch((e: unknown) => e);
    vi.advanceTimersByTime(3000);
    const error = await caught;
    expect(error).toBeInstanceOf(MediaBridgeError);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(String(error)).toContain('did not answer createOffer within 3000 ms');
    expect(warnings()).toContain('media host did not answer in time');
  });

  it('a late answer after close is dropped, not an error (JsSIP would end an ended session)', async () => {
    const { host, pc } = await setup();
    const late = pc.setRemoteDescription(OFFER);
    pc.close();
    // The host closed it too: its answer to the request in flight is an error.
    host.deliver({
      kind: 'error',
      id: host.last('setRemoteDescription').id,
      name: 'InvalidStateError',
      message: 'the peer connection is closed',
    });
    await expect(late).resolves.toBeUndefined();
    await expect(pc.setRemoteDescription(OFFER)).resolves.toBeUndefined();
    expect(host.sent.filter((m) => m.request.op === 'setRemoteDescription')).toHaveLength(1);
  });

  it('a host error rejects with its name and message', async () => {
    const { host, pc } = await setup();
    const done = pc.setRemoteDescription(OFFER);
    host.deliver({
      kind: 'error',
      id: host.last('setRemoteDescription').id,
      name: 'InvalidAccessError',
      message: 'no codec in common',
    });
    await expect(done).rejects.toThrow(
      'setRemoteDescription failed on the media host: InvalidAccessError: no codec in common',
    );
  });

  it('refuses and logs malformed host messages, changing no state', async () => {
    const { host, pc, warnings } = await setup();
    const seen = record(pc, 'iceconnectionstatechange', 'icecandidate', 'track');
    const before = () => [pc.signalingState, pc.iceGatheringState, pc.iceConnectionState, pc.connectionState];
    const initial = before();
    const offer = pc.createOffer();
    const offerId = host.last('createOffer').id;
    const bad: unknown[] = [
      'not an object',
      null,
      { kind: 'surprise' },
      {
        kind: 'event',
        pcId: pc.id,
        event: { type: 'iceconnectionstatechange' },
        snapshot: { ...snapshot(pc.id, 7), iceConnectionState: 'exploded' },
      },
      {
        kind: 'event',
        pcId: pc.id,
        event: { type: 'iceconnectionstatechange' },
        snapshot: snapshot('another-pc', 8, { iceConnectionState: 'connected' }),
      },
      {
        kind: 'event',
        pcId: pc.id,
        event: { type: 'track', trackId: 'has spaces', kind: 'audio' },
        snapshot: snapshot(pc.id, 9),
      },
      {
        kind: 'event',
        pcId: pc.id,
        event: { type: 'iceconnectionstatechange' },
        snapshot: { ...snapshot(pc.id, 10, { iceConnectionState: 'connected' }), extra: 1 },
      },
      { kind: 'result', id: 9999, result: null },
      { kind: 'hello', protocol: 1, host: 'again' },
    ];
    for (const message of bad) host.deliver(message);
    expect(before()).toEqual(initial);
    expect(seen).toEqual([]);
    expect(warnings().filter((w) => w.startsWith('media host message refused'))).toHaveLength(bad.length);
    // A result that does not match its request's schema: refused, the request fails, state unchanged.
    host.deliver({
      kind: 'result',
      id: offerId,
      result: { type: 'bogus', sdp: 'x' },
      snapshot: snapshot(pc.id, 11, { signalingState: 'have-local-offer' }),
    });
    await expect(offer).rejects.toMatchObject({ code: 'refused' });
    expect(before()).toEqual(initial);
    expect(warnings().at(-1)).toBe('media host message refused: answers createOffer with an invalid result');
  });

  it('refuses anything before hello', async () => {
    const log = memoryLogger();
    const bridge = new MediaBridge({ logger: log.logger });
    bridges.push(bridge);
    const host = new FakeHostLink();
    const attached = bridge.attach(host).catch((e: unknown) => e);
    host.deliver({ kind: 'hello', protocol: 2, host: 'future' });
    host.deliver({ kind: 'result', id: 1, result: null });
    expect(bridge.available).toBe(false);
    expect(log.records.filter((r) => r.msg.startsWith('media host message refused'))).toHaveLength(2);
    await expect(bridge.capture()).rejects.toMatchObject({ code: 'unavailable' });
    bridge.detach();
    expect(await attached).toMatchObject({ code: 'lost' });
  });
});
