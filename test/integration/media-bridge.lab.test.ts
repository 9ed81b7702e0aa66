/**
 * Calls through the media bridge end to end: two real SipAgents on the lab
 * SIP server (real WebSocket on loopback), each with its own MediaBridge and
 * Node media host (werift) sending a different tone. Asserts what each side
 * hears, hold/mute, the ICE gathering bound, a host lost mid-call, and that
 * hangup leaves no host tracks or peer connections behind.
 */
import { describe, expect, it } from 'vitest';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { SipAgent } from '../../main/core/sip/agent.js';
import { MediaBridge } from '../../main/core/media/media-bridge.js';
import type { BridgedStream } from '../../main/core/media/bridged-stream.js';
import { createLinkPair, type LinkPair } from '../../main/core/media/link.js';
import { type HostEnd } from '../../wire/media-host.js';
import type { FromHost } from '../../wire/media-host.js';
import { memoryLogger } from '../../main/core/log.js';
import { NodeMediaHost } from '../../lab/node-media/node-media-host.js';
import { labServer, type ServerUnderTest } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { createTestAgent, eventually, startRegistered, withDeadline } from '../support/agents.js';
import { recordFigure } from '../support/figures.js';

const CALLER_HZ = 440;
const CALLEE_HZ = 1000;
const TONES = [CALLER_HZ, CALLEE_HZ];

interface Side {
  readonly user: string;
  readonly agent: SipAgent;
  readonly bridge: MediaBridge;
  readonly host: NodeMediaHost;
  readonly link: LinkPair;
  readonly log: ReturnType<typeof memoryLogger>;
}

/** A host whose gathering never completes, as far as main can tell (the bound must end the wait). */
function gatheringNeverCompletes(end: HostEnd): HostEnd {
  const stall = (m: FromHost): FromHost | undefined => {
    if (m.kind === 'event') {
      if (m.event.type === 'icegatheringstatechange') return undefined;
      if (m.event.type === 'icecandidate' && m.event.candidate === null) return undefined;
    }
    if (
      (m.kind === 'event' || m.kind === 'result' || m.kind === 'error') &&
      m.snapshot?.iceGatheringState === 'complete'
    ) {
      return { ...m, snapshot: { ...m.snapshot, iceGatheringState: 'gathering' } } as FromHost;
    }
    return m;
  };
  return {
    send: (m) => {
      const out = stall(m);
      if (out) end.send(out);
    },
    onMessage: (l) => end.onMessage(l),
    onClosed: (l) => end.onClosed(l),
    close: (r) => end.close(r),
  };
}

interface Ended {
  readonly originator: string;
  readonly cause: string;
  readonly reasonHeader: string | undefined;
}

function endOf(session: RTCSession): Promise<Ended> {
  return new Promise((resolve) => {
    const done = (e: { originator: string; cause?: unknown; message?: unknown }) => {
      const message = e.message as
        { hasHeader?(n: string): boolean; getHeader?(n: string): string } | undefined;
      resolve({
        originator: e.originator,
        cause: String(e.cause ?? ''),
        reasonHeader: message?.hasHeader?.('Reason') ? message.getHeader?.('Reason') : undefined,
      });
    };
    session.on('ended', done);
    session.on('failed', done);
  });
}

function confirmed(session: RTCSession): Promise<void> {
  return new Promise((resolve, reject) => {
    session.on('confirmed', () => resolve());
    session.on('failed', (e) => reject(new Error(`call failed: ${String(e.cause)}`)));
  });
}

describe('media bridge: calls between two agents with Node media hosts (lab server)', () => {
  const later = cleanupAfterEach();

  async function server(): Promise<ServerUnderTest> {
    const s = await labServer.start({ logger: memoryLogger('warn').logger });
    later(() => s.close());
    return s;
  }

  async function side(
    s: ServerUnderTest,
    user: string,
    toneHz: number,
    options: { stallGathering?: boolean; iceGatheringTimeoutMs?: number } = {},
  ): Promise<Side> {
    const log = memoryLogger('info');
    const bridge = new MediaBridge({
      logger: log.logger.child('bridge'),
      id: user,
      ...(options.iceGatheringTimeoutMs ? { iceGatheringTimeoutMs: options.iceGatheringTimeoutMs } : {}),
    });
    const link = createLinkPair();
    const host = new NodeMediaHost({
      link: options.stallGathering ? gatheringNeverCompletes(link.host) : link.host,
      name: `node-media ${user}`,
      toneHz,
      ice: { additionalHostAddresses: ['127.0.0.1'] },
      logger: log.logger.child('host'),
    });
    later(async () => {
      bridge.detach('test over');
      await host.close();
    });
    const attached = bridge.attach(link.main);
    host.start();
    await attached;
    const agent = createTestAgent(s, user, { logger: log.logger });
    later(() => agent.stop(1500));
    await startRegistered(agent);
    return { user, agent, bridge, host, link, log };
  }

  /** The call manager's duty, done by hand here: release the stream when the session ends. */
  function releaseOnEnd(session: RTCSession, bridge: MediaBridge, stream: BridgedStream): void {
    const release = () => bridge.release(stream);
    session.on('ended', release);
    session.on('failed', release);
  }

  async function call(s: ServerUnderTest, caller: Side, callee: Side) {
    const incoming = new Promise<RTCSession>((resolve) => {
      callee.agent.onInvite((_invite, session) => {
        resolve(session);
        return { kind: 'take' };
      });
    });
    const callerStream = await caller.bridge.capture();
    const outgoing = caller.agent.call(`sip:${callee.user}@${s.domain}`, {
      mediaStream: callerStream,
      pcConfig: caller.bridge.pcConfig(),
    });
    releaseOnEnd(outgoing, caller.bridge, callerStream);
    const callerConfirmed = confirmed(outgoing);
    const session = await withDeadline(incoming, 5000, () => 'the INVITE never reached the callee');
    const calleeStream = await callee.bridge.capture();
    releaseOnEnd(session, callee.bridge, calleeStream);
    const calleeConfirmed = confirmed(session);
    const answeredAt = performance.now();
    session.answer({
      mediaStream: calleeStream as never,
      pcConfig: callee.bridge.pcConfig() as never,
      mediaConstraints: { audio: true, video: false },
    });
    await withDeadline(
      Promise.all([callerConfirmed, calleeConfirmed]),
      10_000,
      () => 'the call was never confirmed',
    );
    const confirmedAt = performance.now();
    await eventually(
      () => caller.host.packets.received > 0 && callee.host.packets.received > 0,
      10_000,
      () => `no packets both ways: ${JSON.stringify([caller.host.packets, callee.host.packets])}`,
    );
    const flowingAt = performance.now();
    return {
      outgoing,
      session,
      callerStream,
      calleeStream,
      figures: {
        answerToConfirmedMs: confirmedAt - answeredAt,
        answerToPacketsBothWaysMs: flowingAt - answeredAt,
      },
    };
  }

  /** Waits until `listener` hears `hz` (and not the other tone), or hears nothing at all. */
  function hearsOnly(listener: Side, hz: number | 'silence', what: string): Promise<void> {
    return eventually(
      () => {
        const h = listener.host.hears(TONES, 300);
        if (hz === 'silence') return TONES.every((f) => !h[f]) && h.rms < 0.01;
        return h[hz] === true && TONES.filter((f) => f !== hz).every((f) => !h[f]);
      },
      8000,
      () => `${listener.user} ${what}: hears ${JSON.stringify(listener.host.hears(TONES, 300))}`,
    );
  }

  it('offer/answer through the bridge: each side hears the other’s tone, not silence', async () => {
    const s = await server();
    const caller = await side(s, 'kw1', CALLER_HZ);
    const callee = await side(s, 'kw2', CALLEE_HZ);
    const c = await call(s, caller, callee);
    await hearsOnly(caller, CALLEE_HZ, 'should hear the callee');
    await hearsOnly(callee, CALLER_HZ, 'should hear the caller');
    expect(callee.host.hears(TONES, 300).rms).toBeGreaterThan(0.05);
    const pc = (c.session as unknown as { connection: unknown }).connection;
    const stats = await callee.bridge.stats(pc);
    expect(stats.packetsReceived).toBeGreaterThan(0);
    expect(stats.packetsSent).toBeGreaterThan(0);
    recordFigure('media_bridge.answer_to_confirmed', Math.round(c.figures.answerToConfirmedMs), 'ms', {
      host: 'werift',
    });
    recordFigure(
      'media_bridge.answer_to_packets_both_ways',
      Math.round(c.figures.answerToPacketsBothWaysMs),
      'ms',
      {
        host: 'werift',
      },
    );
  });

  it('hold (re-INVITE) stops the held audio both ways; unhold restores it', async () => {
    const s = await server();
    const caller = await side(s, 'kw1', CALLER_HZ);
    const callee = await side(s, 'kw2', CALLEE_HZ);
    const c = await call(s, caller, callee);
    await hearsOnly(callee, CALLER_HZ, 'should hear the caller');
    const held = new Promise<void>((resolve) => c.session.on('hold', () => resolve()));
    expect(c.outgoing.hold()).toBe(true);
    await withDeadline(held, 5000, () => 'the callee never saw the hold');
    await hearsOnly(callee, 'silence', 'should hear nothing from the holding caller');
    await hearsOnly(caller, 'silence', 'should hear nothing while holding');
    const unheld = new Promise<void>((resolve) => c.session.on('unhold', () => resolve()));
    expect(c.outgoing.unhold()).toBe(true);
    await withDeadline(unheld, 5000, () => 'the callee never saw the unhold');
    await hearsOnly(callee, CALLER_HZ, 'should hear the caller again after unhold');
    await hearsOnly(caller, CALLEE_HZ, 'should hear the callee again after unhold');
  });

  it('mute silences only the muted side’s audio; unmute restores it', async () => {
    const s = await server();
    const caller = await side(s, 'kw1', CALLER_HZ);
    const callee = await side(s, 'kw2', CALLEE_HZ);
    const c = await call(s, caller, callee);
    await hearsOnly(caller, CALLEE_HZ, 'should hear the callee');
    c.session.mute({ audio: true });
    await hearsOnly(caller, 'silence', 'should hear nothing from the muted callee');
    await hearsOnly(callee, CALLER_HZ, 'should still hear the caller');
    c.session.unmute({ audio: true });
    await hearsOnly(caller, CALLEE_HZ, 'should hear the callee after unmute');
  });

  it('ICE gathering that never completes: the bound ends the wait and answer() completes', async () => {
    const s = await server();
    const caller = await side(s, 'kw1', CALLER_HZ);
    const callee = await side(s, 'kw2', CALLEE_HZ, { stallGathering: true, iceGatheringTimeoutMs: 500 });
    await call(s, caller, callee);
    expect(callee.log.records.some((r) => r.msg.startsWith('ICE gathering not complete in time'))).toBe(true);
    await hearsOnly(caller, CALLEE_HZ, 'should hear the callee');
    await hearsOnly(callee, CALLER_HZ, 'should hear the caller');
  });

  it('host lost mid-call: JsSIP sends BYE with 408 RTP Timeout and the far side’s session ends', async () => {
    const s = await server();
    const caller = await side(s, 'kw1', CALLER_HZ);
    const callee = await side(s, 'kw2', CALLEE_HZ);
    const c = await call(s, caller, callee);
    const calleeEnd = endOf(c.session);
    const callerEnd = endOf(c.outgoing);
    callee.link.host.close('media window crashed');
    const near = await withDeadline(calleeEnd, 5000, () => 'the callee session never ended');
    const far = await withDeadline(callerEnd, 5000, () => 'the caller never saw the session end');
    expect(near).toMatchObject({ originator: 'local', cause: 'RTP Timeout' });
    expect(far.originator).toBe('remote');
    expect(far.reasonHeader).toMatch(/cause=408/);
    expect(far.reasonHeader).toMatch(/RTP Timeout/);
    expect(callee.bridge.available).toBe(false);
    await eventually(
      () => caller.host.liveTracks === 0 && caller.host.openPeerConnections === 0,
      5000,
      () => 'the caller host kept tracks or peer connections',
    );
  });

  for (const hangsUp of ['caller', 'callee'] as const) {
    it(`hangup by the ${hangsUp} ends both sessions and leaves no host tracks or peer connections`, async () => {
      const s = await server();
      const caller = await side(s, 'kw1', CALLER_HZ);
      const callee = await side(s, 'kw2', CALLEE_HZ);
      const c = await call(s, caller, callee);
      const ends = Promise.all([endOf(c.outgoing), endOf(c.session)]);
      (hangsUp === 'caller' ? c.outgoing : c.session).terminate();
      const [callerEnd, calleeEnd] = await withDeadline(ends, 5000, () => 'a session never ended');
      expect((hangsUp === 'caller' ? callerEnd : calleeEnd).originator).toBe('local');
      expect((hangsUp === 'caller' ? calleeEnd : callerEnd).originator).toBe('remote');
      await eventually(
        () =>
          [caller, callee].every(
            (x) =>
              x.host.liveTracks === 0 &&
              x.host.openPeerConnections === 0 &&
              x.bridge.openPeerConnections === 0,
          ),
        5000,
        () =>
          `left behind: ${JSON.stringify(
            [caller, callee].map((x) => [
              x.host.liveTracks,
              x.host.openPeerConnections,
              x.bridge.openPeerConnections,
            ]),
          )}`,
      );
      expect(c.callerStream.getTracks().every((t) => t.readyState === 'ended')).toBe(true);
    });
  }
});
