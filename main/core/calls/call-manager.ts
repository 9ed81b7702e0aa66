/**
 * The KW's calls: incoming INVITEs taken from the SIP agent, tied to their
 * conversation by X-Interaction-Id, rung, answered with the media host's
 * microphone, controlled (mute, hold, DTMF, devices) and ended. Keeps
 * presence "In a call" while a call is answered and records each escalated
 * call in its conversation's history. Each call's sound goes out as `levels`
 * events of their own (call-levels.ts), so the call list is not sent 5 times a second.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter, type Unsubscribe } from '../events.js';
import type { Logger } from '../log.js';
import { systemClock, type Clock } from '../clock.js';
import type { IncomingInvite, InviteDecision } from '../sip/agent.js';
import type { CallRecord, Conversation } from '../conversations/model.js';
import type { ManualState } from '../../../wire/presence/manual-states.js';
import type { CallLevels, CallPhase, CallState, DeviceState } from './call-state.js';
import { CallLevelMeter } from './call-levels.js';
import type { CallMedia, CaptureOnto, CapturedStream, PreparedMedia } from './call-media.js';
import type { CallSession, WatchedConnection } from './call-session.js';
import { readIncomingCall, sdpOffer, type CallParty, type IncomingCallInfo } from './incoming-call.js';
import { describeEnd, type EndFacts } from './end-reason.js';

export class CallError extends Error {
  override readonly name = 'CallError';
}

export interface CallManagerOptions {
  readonly media: CallMedia;
  readonly conversations: {
    /** Whole or as a summary (an ended chat may be on disk only): its header gives the call its context. */
    find(interactionId: string): Pick<Conversation, 'subject' | 'agent' | 'userData'> | undefined;
    recordCall(interactionId: string, record: CallRecord): boolean;
  };
  readonly presence: { setInCall(inCall: boolean): unknown; readonly manual: () => ManualState };
  readonly logger: Logger;
  readonly clock?: Clock;
  /** A ringing call nobody answers is refused (480) after this long; the transferor is told. */
  readonly ringTimeoutMs?: number;
  /** How long an ended call stays visible (reason, duration). */
  readonly endedLingerMs?: number;
  /** Calls at once (ringing + answered); one more gets 486. */
  readonly maxCalls?: number;
  readonly userDataPrefix?: string;
  /** The microphone and speaker chosen before (settings); '' = the system default. */
  readonly devices?: { readonly input: string; readonly output: string };
}

interface CallsEvents extends Record<string, unknown> {
  changed: readonly CallState[];
  /** A call ended, with what it counts as (a missed or declined one is a missed request). */
  ended: { readonly call: CallState; readonly outcome: CallRecord['outcome'] };
  /** A call's sound, at most 5 times a second while it is connected (not part of `changed`). */
  levels: CallLevels;
}

interface Entry {
  readonly id: string;
  readonly session: CallSession;
  readonly info: IncomingCallInfo;
  readonly remote: CallParty;
  readonly offeredAt: number;
  phase: CallPhase;
  answeredAt?: number;
  endedAt?: number;
  endReason?: string;
  localReason?: EndFacts['localReason'];
  confirmed: boolean;
  mediaUp: boolean;
  muted: boolean;
  held: boolean;
  remoteHeld: boolean;
  dtmf: string;
  stream?: CapturedStream;
  /** The answer the media host prepares while the call rings (undefined once it failed). */
  prepared?: Promise<PreparedMedia | undefined>;
  /** That answer, once prepared. */
  ready?: PreparedMedia;
  /** The microphone opening onto the call after Answer, until it is there. */
  sending?: CaptureOnto;
  /** The session's peer connection, which the media port names in its measurements. */
  connection?: object;
  readonly meter: CallLevelMeter;
  ringTimer?: unknown;
  lingerTimer?: unknown;
  readonly offs: Unsubscribe[];
}

export class CallManager extends TypedEmitter<CallsEvents> {
  private readonly calls = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private devicesChosen = { input: '', output: '' };
  private inCall = false;

  constructor(private readonly options: CallManagerOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.log = options.logger;
    this.devicesChosen = { input: options.devices?.input ?? '', output: options.devices?.output ?? '' };
    options.media.onAvailability((available) => {
      // A new host plays through its default speaker until told otherwise.
      if (available && this.devicesChosen.output) {
        options.media.setOutput(this.devicesChosen.output).catch((error: unknown) => {
          this.log.warn('could not route calls to the chosen speaker', { error: String(error) });
        });
      }
      this.emitChanged();
    });
    options.media.onLevels?.((connection, levels) => {
      for (const entry of this.live()) if (entry.connection === connection) entry.meter.measure(levels);
    });
  }

  /** The SIP agent's INVITE hook: take, or refuse with a status that says why. */
  readonly decideInvite = (invite: IncomingInvite, session: CallSession): InviteDecision => {
    if (!this.options.media.available) return { kind: 'reject', status: 480, reason: 'Media Unavailable' };
    const manual = this.options.presence.manual();
    if (manual === 'dnd') return { kind: 'reject', status: 486, reason: 'Do Not Disturb' };
    if (manual === 'offline') return { kind: 'reject', status: 480, reason: 'Offline' };
    if (this.live().length >= (this.options.maxCalls ?? 3))
      return { kind: 'reject', status: 486, reason: 'Busy Here' };
    const info = readIncomingCall(invite.raw, this.options.userDataPrefix);
    if (info.problems.length > 0) this.log.warn('INVITE headers ignored', { problems: info.problems });
    this.take(invite, session, info);
    return { kind: 'take' };
  };

  list(): CallState[] {
    return [...this.calls.values()].map((e) => this.view(e));
  }

  async answer(callId: string): Promise<void> {
    const entry = this.require(callId);
    if (entry.phase !== 'ringing') throw new CallError('the call is not ringing');
    // A second call is offered, not forced: answering it holds the current one.
    for (const other of this.live()) {
      if (other !== entry && other.phase !== 'ringing' && !other.held) this.setHold(other, true);
    }
    this.clearRing(entry);
    entry.phase = 'connecting';
    const startedAt = this.clock.now();
    // The microphone opens only now (privacy: nothing is captured while it rings). Asked for
    // before the views go out: a host that also draws them (the harness page) starts it first.
    const capturing = this.startCapture(entry);
    capturing.catch(() => undefined); // handled below, whichever way the call is answered
    this.emitChanged();
    const ready = await (entry.prepared ?? Promise.resolve(undefined));
    if (entry.phase !== 'connecting') {
      this.releaseWhenCaptured(capturing);
      throw new CallError('the call ended before it could be answered');
    }
    if (ready?.usable()) {
      await this.answerBeforeMicrophone(entry, ready, capturing, startedAt);
      return;
    }
    ready?.discard(); // its early ICE failed, or its host went: JsSIP makes a fresh connection
    await this.answerWithMicrophone(entry, capturing, startedAt);
  }

  /**
   * The answer was prepared while it rang: the 200 OK goes at once, so the caller's audio
   * and ICE/DTLS do not wait for the microphone; its track joins the prepared sender when
   * it opens. A microphone that then fails ends the answered call with a BYE.
   */
  private async answerBeforeMicrophone(
    entry: Entry,
    ready: PreparedMedia,
    capturing: Promise<CapturedStream>,
    startedAt: number,
  ): Promise<void> {
    this.log.debug('answering before the microphone opens', {
      callId: entry.id,
      waitedMs: this.clock.now() - startedAt,
    });
    try {
      this.sendAnswer(entry, undefined, ready.pcConfig);
    } catch (error) {
      this.releaseWhenCaptured(capturing);
      throw error;
    }
    let stream: CapturedStream;
    try {
      stream = await capturing;
    } catch (error) {
      if (entry.phase === 'ended') throw new CallError('the call ended before it could be answered');
      this.log.error('microphone capture failed after the answer: ending the call', {
        callId: entry.id,
        error: String(error),
      });
      entry.localReason = 'microphone';
      this.endOnceAccepted(entry);
      throw new CallError(`the microphone could not be opened: ${errorText(error)}`);
    }
    if (entry.phase === 'ended') {
      this.options.media.release(stream);
      throw new CallError('the call ended before the microphone opened');
    }
    entry.stream = stream; // released when the call ends, sent or not
    try {
      // Muted or held meanwhile: the track arrives silent, as JsSIP would have made it.
      entry.session.sendStream(stream, sounding(entry));
    } catch (error) {
      this.log.error('could not put the microphone on the call', { callId: entry.id, error: String(error) });
      throw new CallError(`the microphone could not be put on the call: ${errorText(error)}`);
    }
    this.log.debug('microphone on the call', { callId: entry.id, ms: this.clock.now() - startedAt });
  }

  /**
   * The microphone: straight onto the prepared answer when there is one (the host puts it on
   * the call as it opens, sounding as the KW last chose), else captured on its own.
   */
  private startCapture(entry: Entry): Promise<CapturedStream> {
    const input = this.devicesChosen.input || undefined;
    const onto = entry.ready?.usable() ? entry.ready.captureOnto?.(input, sounding(entry)) : undefined;
    const capturing = onto?.stream ?? this.options.media.capture(input);
    if (onto) {
      entry.sending = onto;
      const done = (): void => {
        entry.sending = undefined;
      };
      capturing.then(done, done);
    }
    return capturing;
  }

  /** Muted or held while the microphone opens onto the call: it must arrive silent. */
  private soundChanged(entry: Entry): void {
    entry.sending?.setEnabled(sounding(entry));
  }

  /** Not prepared (no offer, host cannot, early ICE failed): the microphone first, then the answer. */
  private async answerWithMicrophone(
    entry: Entry,
    capturing: Promise<CapturedStream>,
    startedAt: number,
  ): Promise<void> {
    let stream: CapturedStream;
    try {
      stream = await capturing;
    } catch (error) {
      this.log.error('microphone capture failed: refusing the call', {
        callId: entry.id,
        error: String(error),
      });
      if (entry.phase === 'ended') throw new CallError('the call ended before it could be answered');
      entry.localReason = 'microphone';
      entry.session.terminate({ status_code: 480, reason_phrase: 'Media Unavailable' });
      throw new CallError(`the microphone could not be opened: ${errorText(error)}`);
    }
    if (entry.phase !== 'connecting') {
      // Ended while the microphone was opening (the caller gave up).
      this.options.media.release(stream);
      throw new CallError('the call ended before it could be answered');
    }
    entry.stream = stream;
    this.log.debug('answering', {
      callId: entry.id,
      prepared: false,
      waitedMs: this.clock.now() - startedAt,
    });
    this.sendAnswer(entry, stream, this.options.media.pcConfig());
  }

  private sendAnswer(
    entry: Entry,
    stream: CapturedStream | undefined,
    pcConfig: Readonly<Record<string, unknown>>,
  ): void {
    try {
      entry.session.answer({ ...(stream ? { mediaStream: stream } : {}), pcConfig: { ...pcConfig } });
    } catch (error) {
      this.log.error('answer failed', { callId: entry.id, error: String(error) });
      entry.localReason = 'media-lost';
      entry.session.terminate({ status_code: 500, reason_phrase: 'Answer Failed' });
      throw new CallError(`the call could not be answered: ${errorText(error)}`);
    }
  }

  /**
   * BYE, not a final error: the 200 OK is out or on its way (JsSIP would answer a
   * terminate() before it with 480), so wait for it when it has not gone yet.
   */
  private endOnceAccepted(entry: Entry): void {
    if (entry.answeredAt !== undefined) {
      entry.session.terminate();
      return;
    }
    const off = entry.session.onAccepted(() => {
      off();
      // After JsSIP's own 'accepted' handling, not inside its emit.
      queueMicrotask(() => {
        if (entry.phase !== 'ended') entry.session.terminate();
      });
    });
    entry.offs.push(off);
  }

  private releaseWhenCaptured(capturing: Promise<CapturedStream>): void {
    capturing.then(
      (stream) => this.options.media.release(stream),
      () => undefined,
    );
  }

  decline(callId: string): void {
    const entry = this.require(callId);
    if (entry.phase !== 'ringing') throw new CallError('the call is not ringing');
    entry.localReason = 'declined';
    // 603: the transferor's REFER NOTIFY (or the conferencing agent) sees a definite no.
    entry.session.terminate({ status_code: 603, reason_phrase: 'Declined' });
  }

  hangup(callId: string): void {
    const entry = this.require(callId);
    if (entry.phase === 'ended') return;
    entry.localReason ??= 'hung-up';
    entry.session.terminate();
  }

  mute(callId: string, muted: boolean): void {
    const entry = this.requireAnswered(callId);
    if (entry.muted === muted) return;
    if (muted) entry.session.mute();
    else entry.session.unmute();
    entry.muted = muted;
    this.soundChanged(entry);
    this.emitChanged();
  }

  hold(callId: string, held: boolean): void {
    const entry = this.requireAnswered(callId);
    if (held === entry.held) return;
    if (!held) {
      // Resuming one call holds the other active one: one conversation at a time.
      for (const other of this.live())
        if (other !== entry && other.phase !== 'ringing' && !other.held) this.setHold(other, true);
    }
    this.setHold(entry, held);
  }

  dtmf(callId: string, tones: string): void {
    const entry = this.requireAnswered(callId);
    if (entry.phase !== 'active') throw new CallError('the call is not connected yet');
    entry.session.sendDtmf(tones);
    entry.dtmf = (entry.dtmf + tones).slice(-64);
    this.emitChanged();
  }

  async devices(): Promise<DeviceState> {
    const media = this.options.media;
    if (!media.available) return { inputs: [], outputs: [], ...this.devicesChosen, available: false };
    const lists = await media.devices();
    return {
      inputs: lists.inputs.map((d) => ({ ...d })),
      outputs: lists.outputs.map((d) => ({ ...d })),
      ...this.devicesChosen,
      available: true,
    };
  }

  /** Chooses devices; applies them to the calls in progress too. */
  async selectDevices(choice: {
    input?: string | undefined;
    output?: string | undefined;
  }): Promise<DeviceState> {
    const media = this.options.media;
    if (choice.input !== undefined && choice.input !== this.devicesChosen.input) {
      this.devicesChosen = { ...this.devicesChosen, input: choice.input };
      for (const entry of this.live()) {
        if (entry.stream && choice.input) await media.switchInput(entry.stream, choice.input);
      }
    }
    if (choice.output !== undefined && choice.output !== this.devicesChosen.output) {
      this.devicesChosen = { ...this.devicesChosen, output: choice.output };
      if (media.available) await media.setOutput(choice.output);
    }
    return this.devices();
  }

  /** Quitting: every call is ended (BYE or 480), so nobody is left ringing. */
  hangupAll(): void {
    for (const entry of this.live()) {
      entry.localReason = 'shutdown';
      if (entry.phase === 'ringing')
        entry.session.terminate({ status_code: 480, reason_phrase: 'Shutting Down' });
      else entry.session.terminate();
    }
  }

  private take(invite: IncomingInvite, session: CallSession, info: IncomingCallInfo): void {
    const id = randomUUID();
    const entry: Entry = {
      id,
      session,
      info,
      remote: { uri: invite.from.uri, displayName: invite.from.displayName ?? '' },
      offeredAt: this.clock.now(),
      phase: 'ringing',
      confirmed: false,
      mediaUp: false,
      muted: false,
      held: false,
      remoteHeld: false,
      dtmf: '',
      meter: new CallLevelMeter(id, this.clock, (levels) => this.emit('levels', levels)),
      offs: [],
    };
    this.calls.set(entry.id, entry);
    this.prepare(entry, invite.raw);
    entry.ringTimer = this.clock.setTimeout(() => {
      if (entry.phase !== 'ringing') return;
      entry.localReason = 'no-answer';
      // 480 rather than 408: the transferor learns the expert did not pick up.
      session.terminate({ status_code: 480, reason_phrase: 'No Answer' });
    }, this.options.ringTimeoutMs ?? 30_000);
    entry.offs.push(
      session.onAccepted(() => {
        entry.answeredAt = this.clock.now();
        this.updatePresence();
        this.emitChanged();
      }),
      session.onConfirmed(() => {
        entry.confirmed = true;
        this.refreshPhase(entry);
      }),
      session.onConnection((pc) => this.watchConnection(entry, pc)),
      session.onHold(({ originator, held }) => {
        if (originator === 'remote') entry.remoteHeld = held;
        else entry.held = held;
        this.soundChanged(entry);
        this.emitChanged();
      }),
      session.onEnded((e) => this.ended(entry, e.originator, e.cause)),
    );
    this.log.info('incoming call', {
      callId: entry.id,
      from: entry.remote.uri,
      interactionId: info.interactionId,
      escalation: info.escalation ?? 'call',
    });
    this.emitChanged();
  }

  /** Answers the offer on the media host while it rings, so Answer only sends the 200 OK. */
  private prepare(entry: Entry, raw: string): void {
    const offer = sdpOffer(raw);
    const media = this.options.media;
    if (!offer || !media.prepareAnswer) return;
    const startedAt = this.clock.now();
    entry.prepared = media.prepareAnswer(offer).then(
      (prepared) => {
        // A call that ended meanwhile lets go of it in ended(), once this settles.
        this.log.debug('answer prepared', { callId: entry.id, ms: this.clock.now() - startedAt });
        entry.ready = prepared;
        return prepared;
      },
      (error: unknown) => {
        this.log.warn('could not prepare the answer while ringing: answering the usual way', {
          callId: entry.id,
          error: String(error),
        });
        return undefined;
      },
    );
  }

  private watchConnection(entry: Entry, pc: WatchedConnection): void {
    entry.connection = pc;
    const check = (): void => {
      const state = pc.iceConnectionState;
      if (state === 'connected' || state === 'completed') {
        entry.mediaUp = true;
        this.refreshPhase(entry);
      }
    };
    pc.addEventListener('iceconnectionstatechange', check);
    entry.offs.push(() => pc.removeEventListener('iceconnectionstatechange', check));
    check();
  }

  private refreshPhase(entry: Entry): void {
    if (entry.phase === 'connecting' && entry.confirmed && entry.mediaUp) {
      entry.phase = 'active';
      this.log.info('call connected', {
        callId: entry.id,
        answerToMediaMs: this.clock.now() - (entry.answeredAt ?? 0),
      });
      this.emitChanged();
    }
  }

  private setHold(entry: Entry, held: boolean): void {
    const ok = held ? entry.session.hold() : entry.session.unhold();
    if (!ok) throw new CallError(held ? 'the call cannot be held now' : 'the call cannot be resumed now');
    entry.held = held;
    this.soundChanged(entry);
    this.emitChanged();
  }

  private ended(entry: Entry, originator: EndFacts['originator'], cause: string): void {
    if (entry.phase === 'ended') return;
    this.clearRing(entry);
    entry.meter.stop();
    for (const off of entry.offs.splice(0)) off();
    const answered = entry.answeredAt !== undefined;
    const { reason, outcome } = describeEnd({
      answered,
      originator,
      cause,
      ...(entry.localReason ? { localReason: entry.localReason } : {}),
    });
    entry.phase = 'ended';
    entry.endedAt = this.clock.now();
    entry.endReason = reason;
    if (entry.stream) this.options.media.release(entry.stream);
    // Not taken by JsSIP (declined, cancelled, rung out): close it; taken, JsSIP closes it.
    void entry.prepared?.then((prepared) => prepared?.discard());
    this.log.info('call ended', { callId: entry.id, originator, cause, reason });
    this.record(entry, outcome, reason);
    this.updatePresence();
    this.emitChanged();
    this.emit('ended', { call: this.view(entry), outcome });
    entry.lingerTimer = this.clock.setTimeout(() => {
      this.calls.delete(entry.id);
      this.emitChanged();
    }, this.options.endedLingerMs ?? 8000);
  }

  private record(entry: Entry, outcome: CallRecord['outcome'], reason: string): void {
    const interactionId = entry.info.interactionId;
    if (!interactionId) return;
    const iso = (ms: number) => new Date(ms).toISOString();
    const endedAt = entry.endedAt ?? this.clock.now();
    const recorded = this.options.conversations.recordCall(interactionId, {
      callId: entry.id,
      ...(entry.info.escalation ? { escalation: entry.info.escalation } : {}),
      remote: entry.remote,
      outcome,
      offeredAt: iso(entry.offeredAt),
      ...(entry.answeredAt !== undefined ? { answeredAt: iso(entry.answeredAt) } : {}),
      endedAt: iso(endedAt),
      durationMs: entry.answeredAt !== undefined ? Math.max(0, endedAt - entry.answeredAt) : 0,
      endReason: reason,
    });
    if (!recorded) this.log.info('call not recorded: no conversation for its interaction', { interactionId });
  }

  private updatePresence(): void {
    const inCall = [...this.calls.values()].some((e) => e.phase !== 'ended' && e.answeredAt !== undefined);
    if (inCall === this.inCall) return;
    this.inCall = inCall;
    void this.options.presence.setInCall(inCall);
  }

  private view(entry: Entry): CallState {
    const { info } = entry;
    const conversation = info.interactionId ? this.options.conversations.find(info.interactionId) : undefined;
    const others = this.live().filter((e) => e !== entry && e.phase !== 'ringing');
    let context: CallState['context'];
    if (conversation) {
      context = {
        subject: conversation.subject,
        agent: { ...conversation.agent },
        userData: { ...conversation.userData, ...info.userData },
      };
    } else if (info.interactionId && Object.keys(info.userData).length > 0) {
      context = { subject: '', agent: { ...entry.remote }, userData: { ...info.userData } };
    }
    return {
      callId: entry.id,
      direction: 'incoming',
      phase: entry.phase,
      remote: { ...entry.remote },
      ...(info.interactionId ? { interactionId: info.interactionId } : {}),
      ...(info.escalation ? { escalation: info.escalation } : {}),
      ...(context ? { context } : {}),
      participants: [{ ...entry.remote }, ...info.participants.map((p) => ({ ...p }))],
      muted: entry.muted,
      held: entry.held,
      remoteHeld: entry.remoteHeld,
      offeredAt: entry.offeredAt,
      ...(entry.answeredAt !== undefined ? { answeredAt: entry.answeredAt } : {}),
      ...(entry.endedAt !== undefined ? { endedAt: entry.endedAt } : {}),
      ...(entry.endReason !== undefined ? { endReason: entry.endReason } : {}),
      dtmf: entry.dtmf,
      waiting: entry.phase === 'ringing' && others.length > 0,
    };
  }

  private live(): Entry[] {
    return [...this.calls.values()].filter((e) => e.phase !== 'ended');
  }

  private require(callId: string): Entry {
    const entry = this.calls.get(callId);
    if (!entry) throw new CallError('no such call');
    return entry;
  }

  private requireAnswered(callId: string): Entry {
    const entry = this.require(callId);
    if (entry.phase !== 'connecting' && entry.phase !== 'active')
      throw new CallError('the call is not answered');
    return entry;
  }

  private clearRing(entry: Entry): void {
    if (entry.ringTimer !== undefined) this.clock.clearTimeout(entry.ringTimer);
    entry.ringTimer = undefined;
  }

  private emitChanged(): void {
    for (const entry of this.calls.values()) entry.meter.expectMic(micExpected(entry));
    this.emit('changed', this.list());
  }
}

/** The KW should be heard: a silent microphone then means something is wrong. */
function micExpected(entry: Entry): boolean {
  return entry.phase === 'active' && !entry.muted && !entry.held && !entry.remoteHeld;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether the KW's microphone may be heard on the call now. */
function sounding(entry: Entry): boolean {
  return !entry.muted && !entry.held && !entry.remoteHeld;
}
