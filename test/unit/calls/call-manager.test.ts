/**
 * The call manager's state machine against a fake JsSIP session and a fake
 * media port (both named as fakes: the real ones are exercised by the
 * integration and e2e suites).
 */
import { describe, expect, it } from 'vitest';
import { CallManager } from '../../../main/core/calls/call-manager.js';
import type { CallMedia, CapturedStream, PreparedMedia } from '../../../main/core/calls/call-media.js';
import type { CallSession, EndedEvent, WatchedConnection } from '../../../main/core/calls/call-session.js';
import type { IncomingInvite } from '../../../main/core/sip/agent.js';
import type { CallRecord, Conversation } from '../../../main/core/conversations/model.js';
import type { ManualState } from '../../../wire/presence/manual-states.js';
import type { SoundLevels } from '../../../wire/media-host.js';
import type { CallLevels } from '../../../main/core/calls/call-state.js';
import { memoryLogger } from '../../../main/core/log.js';
import { FakeClock } from '../../support/fake-clock.js';

const ID = '6f1c2a6e-1b0f-4b8e-9a52-2f4a1c9d7e10';

class FakeConnection implements WatchedConnection {
  iceConnectionState = 'new';
  private readonly listeners = new Set<() => void>();
  addEventListener(_type: 'iceconnectionstatechange', l: () => void): void {
    this.listeners.add(l);
  }
  removeEventListener(_type: 'iceconnectionstatechange', l: () => void): void {
    this.listeners.delete(l);
  }
  set(state: string): void {
    this.iceConnectionState = state;
    for (const l of [...this.listeners]) l();
  }
}

class FakeSession implements CallSession {
  readonly calls: string[] = [];
  answeredWith: { mediaStream?: unknown; pcConfig: Record<string, unknown> } | undefined;
  terminatedWith: { status_code?: number; reason_phrase?: string } | undefined;
  /** Streams put on the call after the answer, with their tracks' `enabled`. */
  readonly sent: { stream: unknown; enabled: boolean }[] = [];
  /** The 200 OK is not out until `accept()` (JsSIP still building it). */
  deferAccept = false;
  connection: FakeConnection | undefined;
  private readonly handlers = {
    accepted: new Set<() => void>(),
    confirmed: new Set<() => void>(),
    ended: new Set<(e: EndedEvent) => void>(),
    hold: new Set<(e: { originator: 'local' | 'remote'; held: boolean }) => void>(),
    connection: new Set<(c: WatchedConnection) => void>(),
  };
  answer(options: { mediaStream?: unknown; pcConfig: Record<string, unknown> }): void {
    this.calls.push('answer');
    this.answeredWith = options;
    this.connection = new FakeConnection();
    for (const l of this.handlers.connection) l(this.connection);
    if (!this.deferAccept) this.accept();
  }
  accept(): void {
    this.calls.push('200 OK');
    for (const l of [...this.handlers.accepted]) l();
  }
  sendStream(stream: unknown, enabled: boolean): void {
    this.calls.push('sendStream');
    this.sent.push({ stream, enabled });
  }
  terminate(options?: { status_code?: number; reason_phrase?: string }): void {
    this.calls.push('terminate');
    this.terminatedWith = options ?? {};
    this.end({ originator: 'local', cause: this.answeredWith ? 'Terminated' : 'Rejected' });
  }
  mute(): void {
    this.calls.push('mute');
  }
  unmute(): void {
    this.calls.push('unmute');
  }
  hold(): boolean {
    this.calls.push('hold');
    for (const l of this.handlers.hold) l({ originator: 'local', held: true });
    return true;
  }
  unhold(): boolean {
    this.calls.push('unhold');
    for (const l of this.handlers.hold) l({ originator: 'local', held: false });
    return true;
  }
  sendDtmf(tones: string): void {
    this.calls.push(`dtmf:${tones}`);
  }
  onAccepted(l: () => void) {
    this.handlers.accepted.add(l);
    return () => this.handlers.accepted.delete(l);
  }
  onConfirmed(l: () => void) {
    this.handlers.confirmed.add(l);
    return () => this.handlers.confirmed.delete(l);
  }
  onEnded(l: (e: EndedEvent) => void) {
    this.handlers.ended.add(l);
    return () => this.handlers.ended.delete(l);
  }
  onHold(l: (e: { originator: 'local' | 'remote'; held: boolean }) => void) {
    this.handlers.hold.add(l);
    return () => this.handlers.hold.delete(l);
  }
  onConnection(l: (c: WatchedConnection) => void) {
    this.handlers.connection.add(l);
    return () => this.handlers.connection.delete(l);
  }
  /** The remote side's doings. */
  confirm(): void {
    for (const l of this.handlers.confirmed) l();
  }
  remoteHold(held: boolean): void {
    for (const l of this.handlers.hold) l({ originator: 'remote', held });
  }
  end(e: EndedEvent): void {
    for (const l of [...this.handlers.ended]) l(e);
  }
}

class FakeMedia implements CallMedia {
  available = true;
  captured: (string | undefined)[] = [];
  released: string[] = [];
  switched: string[] = [];
  output: string[] = [];
  failCapture = false;
  private n = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private readonly availability = new Set<(available: boolean) => void>();
  onAvailability(l: (available: boolean) => void) {
    this.availability.add(l);
    return () => this.availability.delete(l);
  }
  /** A (new) host says hello. */
  attach(): void {
    this.available = true;
    for (const l of this.availability) l(true);
  }
  holdCaptures(): void {
    this.gate = new Promise((r) => (this.openGate = r));
  }
  releaseCaptures(): void {
    this.openGate?.();
  }
  async capture(deviceId: string | undefined): Promise<CapturedStream> {
    this.captured.push(deviceId);
    if (this.gate) await this.gate;
    if (this.failCapture) throw new Error('NotAllowedError: permission denied');
    return { id: `stream-${++this.n}` };
  }
  release(stream: CapturedStream): void {
    this.released.push(stream.id);
  }
  switchInput(stream: CapturedStream, deviceId: string): Promise<void> {
    this.switched.push(`${stream.id}:${deviceId}`);
    return Promise.resolve();
  }
  devices() {
    return Promise.resolve({ inputs: [{ deviceId: 'mic2', label: 'Headset' }], outputs: [] });
  }
  setOutput(deviceId: string): Promise<void> {
    this.output.push(deviceId);
    return Promise.resolve();
  }
  pcConfig() {
    return { kwMediaBridge: 'b1' };
  }
  private readonly levelListeners = new Set<(connection: object, levels: SoundLevels) => void>();
  onLevels(l: (connection: object, levels: SoundLevels) => void) {
    this.levelListeners.add(l);
    return () => this.levelListeners.delete(l);
  }
  /** The host measured the sound of `connection`. */
  measure(connection: object, levels: SoundLevels): void {
    for (const l of this.levelListeners) l(connection, levels);
  }
}

/** A media port that prepares answers while ringing (the media bridge does, with a browser host). */
class PreparingMedia extends FakeMedia {
  readonly offers: string[] = [];
  readonly discarded: string[] = [];
  failPrepare = false;
  /** The prepared connection's early ICE failed (or its host went) before Answer. */
  unusable = false;
  /** Captures asked for straight onto a prepared connection, and what they were told meanwhile. */
  readonly onto: { pc: string; deviceId: string | undefined; enabled: boolean }[] = [];
  readonly sending: boolean[] = [];
  private preparationGate: Promise<void> = Promise.resolve();
  private openPreparation: (() => void) | undefined;
  holdPreparation(): void {
    this.preparationGate = new Promise((r) => (this.openPreparation = r));
  }
  finishPreparation(): void {
    this.openPreparation?.();
  }
  async prepareAnswer(offer: string): Promise<PreparedMedia> {
    this.offers.push(offer);
    const id = `prepared-${this.offers.length}`;
    await this.preparationGate;
    if (this.failPrepare) throw new Error('NotSupportedError: this host does not prepare answers');
    return {
      pcConfig: { kwMediaBridge: 'b1', kwPreparedPc: id },
      usable: () => !this.unusable,
      discard: () => this.discarded.push(id),
      captureOnto: (deviceId, enabled) => {
        this.onto.push({ pc: id, deviceId, enabled });
        return { stream: this.capture(deviceId), setEnabled: (e) => this.sending.push(e) };
      },
    };
  }
}

const OFFER = 'v=0\r\no=caller 1 1 IN IP4 192.0.2.1\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

function setup(
  options: { manual?: ManualState; devices?: { input: string; output: string }; prepare?: boolean } = {},
) {
  const clock = new FakeClock();
  const media = options.prepare ? new PreparingMedia() : new FakeMedia();
  const logger = memoryLogger();
  const inCall: boolean[] = [];
  const records: { id: string; record: CallRecord }[] = [];
  const conversation = {
    interactionId: ID,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
    subject: 'Refund over limit',
    userData: { CaseNumber: '42' },
    state: 'active',
    startedAt: new Date(clock.now()).toISOString(),
    messages: [],
  } satisfies Conversation;
  const manager = new CallManager({
    media,
    conversations: {
      find: (id) => (id === ID ? conversation : undefined),
      recordCall: (id, record) => {
        records.push({ id, record });
        return id === ID;
      },
    },
    presence: { setInCall: (v) => inCall.push(v), manual: () => options.manual ?? 'available' },
    logger: logger.logger,
    clock,
    ringTimeoutMs: 20_000,
    endedLingerMs: 5000,
    ...(options.devices ? { devices: options.devices } : {}),
  });
  const ring = (headers: string[] = [`X-Interaction-Id: ${ID}`, 'X-Escalation: transfer'], body = '') => {
    const session = new FakeSession();
    const raw = ['INVITE sip:kw1@lab.local SIP/2.0', ...headers, '', body].join('\r\n');
    const invite: IncomingInvite = {
      from: { uri: 'sip:customer@lab.local', displayName: 'Renée' },
      to: 'sip:kw1@lab.local',
      header: () => undefined,
      raw,
    };
    const decision = manager.decideInvite(invite, session);
    return { session, decision, callId: manager.list().at(-1)?.callId ?? '' };
  };
  return { clock, media, manager, inCall, records, ring, logger };
}

describe('CallManager', () => {
  it('refuses with a status that says why', () => {
    const t = setup();
    t.media.available = false;
    expect(t.ring().decision).toEqual({ kind: 'reject', status: 480, reason: 'Media Unavailable' });
    expect(setup({ manual: 'dnd' }).ring().decision).toEqual({
      kind: 'reject',
      status: 486,
      reason: 'Do Not Disturb',
    });
    expect(setup({ manual: 'offline' }).ring().decision).toEqual({
      kind: 'reject',
      status: 480,
      reason: 'Offline',
    });
    const busy = setup();
    busy.ring();
    busy.ring();
    busy.ring();
    expect(busy.ring().decision).toEqual({ kind: 'reject', status: 486, reason: 'Busy Here' });
    expect(t.manager.list()).toEqual([]);
  });

  it('rings with the conversation context, then answers with the host stream and goes active on ACK + ICE', async () => {
    const t = setup();
    const { session, decision, callId } = t.ring();
    expect(decision).toEqual({ kind: 'take' });
    const ringing = t.manager.list()[0];
    expect(ringing).toMatchObject({
      phase: 'ringing',
      escalation: 'transfer',
      interactionId: ID,
      remote: { uri: 'sip:customer@lab.local', displayName: 'Renée' },
      context: {
        subject: 'Refund over limit',
        agent: { displayName: 'Agent One' },
        userData: { CaseNumber: '42' },
      },
      waiting: false,
    });
    await t.manager.answer(callId);
    expect(session.answeredWith).toEqual({
      mediaStream: { id: 'stream-1' },
      pcConfig: { kwMediaBridge: 'b1' },
    });
    expect(t.inCall).toEqual([true]);
    expect(t.manager.list()[0]?.phase).toBe('connecting');
    session.confirm();
    expect(t.manager.list()[0]?.phase).toBe('connecting');
    session.connection?.set('connected');
    expect(t.manager.list()[0]).toMatchObject({ phase: 'active', answeredAt: t.clock.now() });
  });

  it('mutes, holds, sends DTMF, sees the remote hold, and records the call when the caller hangs up', async () => {
    const t = setup();
    const { session, callId } = t.ring();
    await t.manager.answer(callId);
    session.confirm();
    session.connection?.set('connected');
    t.manager.mute(callId, true);
    t.manager.hold(callId, true);
    t.manager.dtmf(callId, '12#');
    session.remoteHold(true);
    expect(t.manager.list()[0]).toMatchObject({ muted: true, held: true, remoteHeld: true, dtmf: '12#' });
    t.manager.hold(callId, false);
    t.manager.mute(callId, false);
    expect(session.calls).toEqual(['answer', '200 OK', 'mute', 'hold', 'dtmf:12#', 'unhold', 'unmute']);
    t.clock.advance(65_000);
    session.end({ originator: 'remote', cause: 'Terminated' });
    expect(t.manager.list()[0]).toMatchObject({ phase: 'ended', endReason: 'The caller hung up' });
    expect(t.media.released).toEqual(['stream-1']);
    expect(t.inCall).toEqual([true, false]);
    expect(t.records).toHaveLength(1);
    expect(t.records[0]?.record).toMatchObject({
      outcome: 'answered',
      escalation: 'transfer',
      durationMs: 65_000,
    });
    t.clock.advance(5000);
    expect(t.manager.list()).toEqual([]);
  });

  it('declines with 603 and rings out with 480, recording both', () => {
    const t = setup();
    const first = t.ring();
    t.manager.decline(first.callId);
    expect(first.session.terminatedWith).toEqual({ status_code: 603, reason_phrase: 'Declined' });
    const second = t.ring();
    t.clock.advance(20_000);
    expect(second.session.terminatedWith).toEqual({ status_code: 480, reason_phrase: 'No Answer' });
    expect(t.records.map((r) => r.record.outcome)).toEqual(['declined', 'missed']);
    expect(t.records.map((r) => r.record.endReason)).toEqual(['You declined', 'Not answered in time']);
    expect(t.manager.list().map((c) => c.endReason)).toEqual(['Not answered in time']); // the first has lingered out
    expect(t.inCall).toEqual([]);
  });

  it('offers a second call as waiting and holds the first when it is answered', async () => {
    const t = setup();
    const first = t.ring();
    await t.manager.answer(first.callId);
    const second = t.ring([]);
    const view = t.manager.list().find((c) => c.callId === second.callId);
    expect(view).toMatchObject({ waiting: true, phase: 'ringing' });
    expect(view?.escalation).toBeUndefined();
    expect(view?.context).toBeUndefined();
    await t.manager.answer(second.callId);
    expect(first.session.calls).toContain('hold');
    expect(t.manager.list().find((c) => c.callId === first.callId)?.held).toBe(true);
  });

  it('refuses the call when the microphone cannot be opened, and releases a stream opened too late', async () => {
    const t = setup();
    t.media.failCapture = true;
    const { session, callId } = t.ring();
    await expect(t.manager.answer(callId)).rejects.toThrow(/microphone could not be opened: NotAllowedError/);
    expect(session.terminatedWith).toEqual({ status_code: 480, reason_phrase: 'Media Unavailable' });
    expect(t.manager.list()[0]?.endReason).toBe('Your microphone could not be opened');

    const u = setup();
    u.media.holdCaptures();
    const late = u.ring();
    const answering = u.manager.answer(late.callId);
    late.session.end({ originator: 'remote', cause: 'Canceled' });
    u.media.releaseCaptures();
    await expect(answering).rejects.toThrow(/ended before it could be answered/);
    expect(u.media.released).toEqual(['stream-1']);
    expect(late.session.answeredWith).toBeUndefined();
  });

  it('refuses controls in the wrong phase and unknown calls', async () => {
    const t = setup();
    const { callId } = t.ring();
    expect(() => t.manager.mute(callId, true)).toThrow(/not answered/);
    expect(() => t.manager.hangup('nope')).toThrow(/no such call/);
    await t.manager.answer(callId);
    expect(() => t.manager.dtmf(callId, '1')).toThrow(/not connected yet/);
    await expect(t.manager.answer(callId)).rejects.toThrow(/not ringing/);
  });

  it('switches the microphone of a call in progress and routes the speaker', async () => {
    const t = setup();
    const { callId } = t.ring();
    await t.manager.answer(callId);
    const view = await t.manager.selectDevices({ input: 'mic2', output: 'spk1' });
    expect(t.media.switched).toEqual(['stream-1:mic2']);
    expect(t.media.output).toEqual(['spk1']);
    expect(view).toMatchObject({ input: 'mic2', output: 'spk1', available: true });
    t.ring();
    const next = t.manager.list().at(-1)?.callId ?? '';
    await t.manager.answer(next);
    expect(t.media.captured).toEqual([undefined, 'mic2']);
  });

  it('starts from the devices chosen before, and routes a new host to the chosen speaker', async () => {
    const t = setup({ devices: { input: 'mic2', output: 'spk9' } });
    expect(await t.manager.devices()).toMatchObject({ input: 'mic2', output: 'spk9' });
    t.media.attach();
    expect(t.media.output).toEqual(['spk9']);
    const { callId } = t.ring();
    await t.manager.answer(callId);
    expect(t.media.captured).toEqual(['mic2']);
  });

  it('hangs up everything on shutdown', async () => {
    const t = setup();
    const a = t.ring();
    const b = t.ring();
    await t.manager.answer(a.callId);
    t.manager.hangupAll();
    expect(b.session.terminatedWith).toEqual({ status_code: 480, reason_phrase: 'Shutting Down' });
    expect(a.session.terminatedWith).toEqual({});
    expect(t.manager.list().every((c) => c.phase === 'ended')).toBe(true);
  });

  it('passes each call its own measured levels; a silent microphone is flagged only while active, unmuted and not held', async () => {
    const t = setup();
    const a = t.ring();
    const b = t.ring([]);
    const levels: CallLevels[] = [];
    t.manager.on('levels', (l) => levels.push(l));
    const changes: number[] = [];
    t.manager.on('changed', () => changes.push(t.clock.now()));
    await t.manager.answer(a.callId);
    a.session.confirm();
    a.session.connection?.set('connected');
    const pc = a.session.connection;
    if (!pc) throw new Error('no connection');
    const feed = (input: number, ms: number) => {
      for (let at = 0; at < ms; at += 200) {
        t.media.measure(pc, { input, output: 0.3 });
        t.clock.advance(200);
      }
    };
    t.media.measure({}, { input: 0.9, output: 0.9 }); // another connection: nobody's
    const changesBefore = changes.length;
    feed(0.2, 1000);
    expect(changes.length).toBe(changesBefore); // levels never re-send the call list
    expect(levels.every((l) => l.callId === a.callId)).toBe(true);
    expect(levels.at(-1)).toEqual({ callId: a.callId, input: 0.2, output: 0.3, inputSilent: false });

    feed(0, 5400);
    expect(levels.at(-1)?.inputSilent).toBe(true);
    t.manager.mute(a.callId, true);
    expect(levels.at(-1)?.inputSilent).toBe(false);
    feed(0, 6000);
    expect(levels.at(-1)?.inputSilent).toBe(false);
    t.manager.mute(a.callId, false);
    a.session.remoteHold(true);
    feed(0, 6000);
    expect(levels.at(-1)?.inputSilent).toBe(false);
    a.session.remoteHold(false);
    feed(0, 5400);
    expect(levels.at(-1)?.inputSilent).toBe(true);

    a.session.end({ originator: 'remote', cause: 'Terminated' });
    const count = levels.length;
    feed(0.2, 2000);
    t.clock.advance(5000);
    expect(levels.length).toBe(count);
    expect(levels.some((l) => l.callId === b.callId || l.input === 0.9)).toBe(false);
  });
});

describe('call manager: the answer prepared while ringing', () => {
  const SDP = ['Content-Type: application/sdp'];
  function preparing() {
    const t = setup({ prepare: true });
    return { ...t, media: t.media as PreparingMedia, ringOffer: () => t.ring(SDP, OFFER) };
  }
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('prepares the offer as it rings, without opening the microphone, and answers with the prepared connection', async () => {
    const t = preparing();
    const { session, callId } = t.ringOffer();
    expect(t.media.offers).toEqual([OFFER]);
    expect(t.media.captured).toEqual([]); // the microphone stays closed while it rings
    await tick(); // prepared while it rings
    await t.manager.answer(callId);
    expect(t.media.captured).toEqual([undefined]);
    expect(session.answeredWith).toEqual({ pcConfig: { kwMediaBridge: 'b1', kwPreparedPc: 'prepared-1' } });
    expect(session.sent).toEqual([{ stream: { id: 'stream-1' }, enabled: true }]);
    // Straight onto the prepared connection, sounding: the host need not wait for main's addTrack.
    expect(t.media.onto).toEqual([{ pc: 'prepared-1', deviceId: undefined, enabled: true }]);
    session.end({ originator: 'remote', cause: 'Terminated' });
    await tick();
    expect(t.media.released).toEqual(['stream-1']);
  });

  it('an INVITE without an SDP offer, or a host that cannot prepare: answered the usual way', async () => {
    const t = preparing();
    const plain = t.ring(SDP, '');
    expect(t.media.offers).toEqual([]);
    await t.manager.answer(plain.callId);
    expect(plain.session.answeredWith?.pcConfig).toEqual({ kwMediaBridge: 'b1' });

    const u = preparing();
    u.media.failPrepare = true;
    const refused = u.ringOffer();
    await u.manager.answer(refused.callId);
    expect(refused.session.answeredWith?.pcConfig).toEqual({ kwMediaBridge: 'b1' });
    expect(u.logger.records.some((r) => r.msg.startsWith('could not prepare the answer'))).toBe(true);
    expect(refused.session.answeredWith?.mediaStream).toEqual({ id: 'stream-1' });
    expect(refused.session.sent).toEqual([]);
  });

  it('a prepared connection no longer fit (early ICE failed): discarded, answered the usual way, microphone first', async () => {
    const t = preparing();
    const { session, callId } = t.ringOffer();
    t.media.unusable = true;
    await t.manager.answer(callId);
    expect(t.media.discarded).toEqual(['prepared-1']);
    expect(session.answeredWith).toEqual({
      mediaStream: { id: 'stream-1' },
      pcConfig: { kwMediaBridge: 'b1' },
    });
    expect(session.sent).toEqual([]);
    expect(t.media.onto).toEqual([]); // not onto a connection JsSIP will not use
  });

  it('sends the 200 OK before the microphone opens, and puts the microphone on the call when it does', async () => {
    const t = preparing();
    t.media.holdCaptures();
    const { session, callId } = t.ringOffer();
    const answering = t.manager.answer(callId);
    await tick();
    expect(t.media.captured).toEqual([undefined]); // asked for at Answer…
    expect(session.calls).toEqual(['answer', '200 OK']); // …and not waited for
    expect(session.answeredWith).toEqual({ pcConfig: { kwMediaBridge: 'b1', kwPreparedPc: 'prepared-1' } });
    expect(t.manager.list()[0]?.phase).toBe('connecting');
    t.media.releaseCaptures();
    await answering;
    expect(session.calls).toEqual(['answer', '200 OK', 'sendStream']);
    expect(session.sent).toEqual([{ stream: { id: 'stream-1' }, enabled: true }]);
    session.end({ originator: 'remote', cause: 'Terminated' });
    expect(t.media.released).toEqual(['stream-1']);
  });

  it('muted or held before the microphone opens: its track arrives silent', async () => {
    const t = preparing();
    t.media.holdCaptures();
    const muted = t.ringOffer();
    await tick();
    const answeringMuted = t.manager.answer(muted.callId);
    await tick();
    t.manager.mute(muted.callId, true);
    expect(muted.session.calls).toEqual(['answer', '200 OK', 'mute']);
    expect(t.media.sending).toEqual([false]); // the host puts it on the call silent, even before main hears back
    t.media.releaseCaptures();
    await answeringMuted;
    expect(muted.session.sent).toEqual([{ stream: { id: 'stream-1' }, enabled: false }]);
    t.manager.mute(muted.callId, false);
    expect(muted.session.calls.at(-1)).toBe('unmute'); // JsSIP's unmute reaches the track now on the call
    expect(t.media.sending).toEqual([false]); // once it is there, JsSIP's mute governs it

    const u = preparing();
    u.media.holdCaptures();
    const held = u.ringOffer();
    await tick();
    const answeringHeld = u.manager.answer(held.callId);
    await tick();
    held.session.remoteHold(true);
    expect(u.media.sending).toEqual([false]);
    u.media.releaseCaptures();
    await answeringHeld;
    expect(held.session.sent).toEqual([{ stream: { id: 'stream-1' }, enabled: false }]);
  });

  it('a microphone that fails after the 200 OK ends the call with a BYE and says why', async () => {
    const t = preparing();
    t.media.holdCaptures();
    t.media.failCapture = true;
    const { session, callId } = t.ringOffer();
    const outcomes: string[] = [];
    t.manager.on('ended', (e) => outcomes.push(e.outcome));
    const answering = t.manager.answer(callId);
    await tick();
    expect(session.calls).toEqual(['answer', '200 OK']);
    t.media.releaseCaptures();
    await expect(answering).rejects.toThrow(
      'the microphone could not be opened: NotAllowedError: permission denied',
    );
    expect(session.terminatedWith).toEqual({}); // a BYE: no status code, it is not a refusal
    const ended = t.manager.list()[0];
    expect(ended?.phase).toBe('ended');
    expect(ended?.endReason).toBe('Your microphone could not be opened');
    expect(outcomes).toEqual(['failed']);
    expect(session.sent).toEqual([]);
  });

  it('a microphone that fails before the 200 OK is out waits for it, then ends with a BYE (never a 480)', async () => {
    const t = preparing();
    t.media.failCapture = true;
    const { session, callId } = t.ringOffer();
    session.deferAccept = true;
    await expect(t.manager.answer(callId)).rejects.toThrow(/microphone could not be opened/);
    expect(session.calls).toEqual(['answer']);
    expect(session.terminatedWith).toBeUndefined();
    session.accept();
    await tick();
    expect(session.calls).toEqual(['answer', '200 OK', 'terminate']);
    expect(session.terminatedWith).toEqual({});
  });

  it('declined, cancelled by the caller, rung out: the prepared connection is discarded, no microphone opened', async () => {
    const t = preparing();
    const declined = t.ringOffer();
    const cancelled = t.ringOffer();
    const rungOut = t.ringOffer();
    t.manager.decline(declined.callId);
    cancelled.session.end({ originator: 'remote', cause: 'Canceled' });
    t.clock.advance(20_000);
    expect(rungOut.session.terminatedWith).toEqual({ status_code: 480, reason_phrase: 'No Answer' });
    await tick();
    expect(t.media.discarded.sort()).toEqual(['prepared-1', 'prepared-2', 'prepared-3']);
    expect(t.media.captured).toEqual([]);
  });

  it('a preparation that finishes after the caller gave up is discarded at once', async () => {
    const t = preparing();
    t.media.holdPreparation();
    const { session } = t.ringOffer();
    session.end({ originator: 'remote', cause: 'Canceled' });
    await tick();
    expect(t.media.discarded).toEqual([]);
    t.media.finishPreparation();
    await tick();
    expect(t.media.discarded).toEqual(['prepared-1']);
  });

  it('Answer during the preparation waits for it, then answers with the prepared connection', async () => {
    const t = preparing();
    t.media.holdPreparation();
    const { session, callId } = t.ringOffer();
    const answering = t.manager.answer(callId);
    await tick();
    expect(session.answeredWith).toBeUndefined();
    t.media.finishPreparation();
    await answering;
    expect(session.answeredWith?.pcConfig).toEqual({ kwMediaBridge: 'b1', kwPreparedPc: 'prepared-1' });
  });
});
