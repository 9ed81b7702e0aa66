/**
 * The agent desk: a person plays the contact-center agent. One customer call,
 * "ask an expert" with a chat (expert.ts), and the escalation of the customer's
 * call to the expert: blind transfer (REFER) or a conference mixed here.
 * Every state a test needs is in the DOM: data-testid + data-state.
 */
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { RTCSessionEvent } from 'jssip/lib/UA';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import { headerLine } from '../../wire/sip/headers.js';
import { DEFAULT_USER_DATA_PREFIX, encodeHeaderValue } from '../../wire/user-data.js';
import { toAor } from '../../wire/sip/uri.js';
import { Ear, play, showHearing, voiceOrTone } from '../web/client/audio.js';
import { button, byTestId, input, logLine, setState } from '../web/client/dom.js';
import {
  PC_CONFIG,
  Phone,
  aorOf,
  audioSender,
  onRemoteStream,
  referWithHeaders,
} from '../web/client/phone.js';
import { numbers, param } from '../web/client/query.js';
import { ConferenceMix } from './conference.js';
import { ExpertPanel } from './expert.js';

const prefix = param('prefix', DEFAULT_USER_DATA_PREFIX);
const listen = numbers('listen', [440, 660, 880]);
const toneParam = param('tone');
const toneHz = toneParam ? Number(toneParam) : undefined;
/** The agent's tone when there is no microphone (the customer simulator sends 440 Hz). */
const FALLBACK_TONE_HZ = 660;

const eventLog = byTestId('event-log');
const log = (text: string, kind: 'info' | 'warn' = 'info'): void => logLine(eventLog, text, kind);

let phone: Phone | undefined;
let voicePromise: Promise<MediaStream> | undefined;

interface CustomerCall {
  readonly session: RTCSession;
  readonly direction: 'in' | 'out';
  /** The customer's address and display name (for X-Participant). */
  readonly peer: string;
  readonly name: string;
  phase: 'incoming' | 'calling' | 'ringing' | 'active';
  remote?: MediaStream;
  muted: boolean;
}

interface ExpertLeg {
  readonly session: RTCSession;
  readonly mix: ConferenceMix;
  phase: 'calling' | 'ringing' | 'active';
}

let call: CustomerCall | undefined;
let conference: ExpertLeg | undefined;
let transferring = false;

const customerEar = new Ear();
const expertEar = new Ear();
showHearing(byTestId('customer-hearing'), customerEar, listen, 'customer-hearing');
showHearing(byTestId('expert-hearing'), expertEar, listen, 'expert-hearing');

const expert = new ExpertPanel(log, () => render(), prefix);

// ---------------------------------------------------------------- defaults

input('reg-server').value = param('server', 'ws://127.0.0.1:5080');
input('reg-uri').value = param('uri', 'sip:agent1@lab.local');
input('reg-name').value = param('name', 'Agent One');
input('reg-password').value = param('password');
input('customer-uri').value = param('customer', 'sip:customer@lab.local');
input('rp-uri').value = param('rp', 'sip:billing-experts@lab.local');
input('ask-subject').value = param('subject');
byTestId<HTMLTextAreaElement>('ask-text').value = param('text');
const data = new URLSearchParams(location.search).getAll('data');
for (const pair of data) {
  const eq = pair.indexOf('=');
  expert.addUserDataRow(eq === -1 ? pair : pair.slice(0, eq), eq === -1 ? '' : pair.slice(eq + 1));
}
if (data.length === 0) expert.addUserDataRow('CaseNumber', '');
byTestId('voice-source').textContent =
  toneHz === undefined
    ? `Your voice: the microphone (a ${FALLBACK_TONE_HZ} Hz test tone if there is none)`
    : `Your voice: a test tone at ${toneHz} Hz (?tone=)`;

// ---------------------------------------------------------------- registration

/** The agent's voice; without a usable microphone a test tone stands in, so the printed link works anywhere. */
function voice(): Promise<MediaStream> {
  voicePromise ??= voiceOrTone(toneHz, FALLBACK_TONE_HZ).then(({ stream, label, missing }) => {
    if (missing !== undefined) {
      byTestId('voice-source').textContent =
        `Your voice: a test tone at ${FALLBACK_TONE_HZ} Hz, because ${missing}.`;
      log(`no microphone (${missing}): sending a ${FALLBACK_TONE_HZ} Hz test tone`, 'warn');
    } else log(`voice: ${label}`);
    return stream;
  });
  return voicePromise;
}

function register(): void {
  phone?.stop();
  const server = input('reg-server').value.trim();
  const uri = input('reg-uri').value.trim();
  if (!server || !toAor(uri)) {
    setState(byTestId('reg-state'), 'failed', 'Enter a ws:// server and a sip:user@host address');
    return;
  }
  const p = new Phone(
    { server, uri, displayName: input('reg-name').value.trim(), password: input('reg-password').value },
    {
      state: (state, detail) => {
        setState(byTestId('reg-state'), state, detail);
        log(detail, state === 'failed' ? 'warn' : 'info');
        render();
      },
      session: (e) => incoming(e),
      message: (e) => expert.receive(e),
    },
  );
  phone = p;
  expert.attach(p);
  p.start();
  render();
}

function unregister(): void {
  hangUp();
  phone?.stop();
  phone = undefined;
  expert.attach(undefined);
  setState(byTestId('reg-state'), 'unregistered', 'not registered');
  render();
}

button('register-button').addEventListener('click', register);
button('unregister-button').addEventListener('click', unregister);

// ---------------------------------------------------------------- the customer call

function incoming(e: RTCSessionEvent): void {
  // Calls we place are handled where we place them.
  if (e.originator !== 'remote') return;
  const session = e.session;
  if (call) {
    session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
    log(`busy: refused a call from ${aorOf(session.remote_identity)}`);
    return;
  }
  call = {
    session,
    direction: 'in',
    peer: aorOf(session.remote_identity),
    name: session.remote_identity.display_name ?? '',
    phase: 'incoming',
    muted: false,
  };
  log(`incoming call from ${call.peer}`);
  watchCustomer(call);
  render();
}

async function callCustomer(): Promise<void> {
  // The field takes a name-addr too ('"Renée Customer" <sip:customer@lab.local>'): the name goes into X-Participant.
  const field = input('customer-uri').value.trim();
  const target = toAor(field);
  const name = /^"?([^"<]*?)"?\s*</.exec(field)?.[1]?.trim() ?? '';
  if (!phone || call || !target) return;
  const stream = await voice();
  const session = phone.ua.call(target, { mediaStream: stream, pcConfig: PC_CONFIG });
  call = { session, direction: 'out', peer: target, name, phase: 'calling', muted: false };
  log(`calling ${target}`);
  watchCustomer(call);
  render();
}

function watchCustomer(c: CustomerCall): void {
  const s = c.session;
  onRemoteStream(s, (stream) => {
    c.remote = stream;
    customerEar.add(stream);
    play(byTestId<HTMLAudioElement>('customer-audio'), stream);
  });
  s.on('progress', () => {
    if (c.phase === 'calling') c.phase = 'ringing';
    render();
  });
  s.on('confirmed', () => {
    c.phase = 'active';
    log(`talking with ${c.peer}`);
    render();
  });
  const ended = (how: string) => (ev: { cause: string }) => {
    if (call !== c) return;
    call = undefined;
    if (c.remote) customerEar.remove(c.remote);
    play(byTestId<HTMLAudioElement>('customer-audio'), null);
    const text = `${how}: ${ev.cause}`;
    setState(byTestId('call-state'), 'ended', `Call ${text}`);
    log(`customer call ${text}`);
    render();
  };
  s.on('ended', ended('ended'));
  s.on('failed', ended('failed'));
}

async function answer(): Promise<void> {
  if (call?.phase !== 'incoming') return;
  const c = call;
  const stream = await voice();
  if (call !== c || c.session.isEnded()) return;
  c.session.answer({ mediaStream: stream, pcConfig: PC_CONFIG });
}

function decline(): void {
  if (call?.phase === 'incoming') call.session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
}

function hangUp(): void {
  leaveConference();
  if (call && !call.session.isEnded()) call.session.terminate();
}

/** Mute silences the agent's voice track: in the plain call and in both conference mixes. */
async function toggleMute(): Promise<void> {
  if (!call) return;
  call.muted = !call.muted;
  for (const track of (await voice()).getAudioTracks()) track.enabled = !call.muted;
  log(call.muted ? 'muted' : 'unmuted');
  render();
}

button('call-customer').addEventListener('click', () => void callCustomer());
button('answer-call').addEventListener('click', () => void answer());
button('decline-call').addEventListener('click', decline);
button('hangup-call').addEventListener('click', hangUp);
button('mute-call').addEventListener('click', () => void toggleMute());

// ---------------------------------------------------------------- escalation

type Via = 'routing-point' | 'voice';

function via(): Via {
  return input('escalate-via-voice').checked ? 'voice' : 'routing-point';
}

/** Where the escalated call goes, and the headers it carries (docs/design.md §4 "Escalated call"). */
function escalation(
  kind: 'transfer' | 'conference',
): { target: string; headers: [string, string][] } | undefined {
  const ix = expert.current;
  // Only once an expert took the chat: after not-routed there is nobody to bring in.
  if (!ix?.kw) return undefined;
  const target = via() === 'voice' ? ix.kw.voiceUri : ix.routingPoint;
  if (!target) return undefined;
  const headers: [string, string][] = [
    [INTERACTION_HEADER, ix.id],
    ['X-Escalation', kind],
    ...Object.entries(ix.userData).map(([k, v]): [string, string] => [`${prefix}${k}`, encodeHeaderValue(v)]),
  ];
  return { target, headers };
}

function transfer(): void {
  const esc = escalation('transfer');
  const c = call;
  if (!esc || c?.phase !== 'active' || transferring) return;
  // RFC 3261 §19.1.1: headers ride in the Refer-To URI; the customer's phone copies them into its INVITE.
  const query = esc.headers.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  const referTo = `${esc.target.split('?')[0] ?? esc.target}?${query}`;
  const state = byTestId('transfer-state');
  transferring = true;
  setState(state, 'sending', `Asking the customer's phone to call ${esc.target}…`);
  log(`REFER ${c.peer} to ${esc.target}`);
  const finish = (): void => {
    transferring = false;
    render();
  };
  try {
    referWithHeaders(c.session, referTo, {
      requestSucceeded: () => {
        if (state.dataset.state === 'sending')
          setState(state, 'trying', 'The customer is calling the expert…');
      },
      requestFailed: (status, reason) => {
        setState(
          state,
          'failed',
          `The customer's phone refused the transfer (${status} ${reason}). The customer stays with you.`,
        );
        log(`REFER refused: ${status} ${reason}`, 'warn');
        finish();
      },
      notify: (status, reason) => {
        log(`transfer progress: ${status} ${reason}`);
        if (status < 180) setState(state, 'trying', 'The customer is calling the expert…');
        else if (status < 200)
          setState(state, 'ringing', `The expert's phone is ringing (${status} ${reason})…`);
        else if (status < 300) {
          setState(state, 'accepted', `The expert took the call (${status} ${reason}). You left the call.`);
          if (call === c) c.session.terminate();
          finish();
        } else {
          setState(
            state,
            'declined',
            `The expert did not take the call (${status} ${reason}). The customer stays with you.`,
          );
          finish();
        }
      },
    });
  } catch (error) {
    setState(state, 'failed', `Cannot transfer: ${(error as Error).message}`);
    finish();
  }
  render();
}

function participantHeader(c: CustomerCall): string {
  const name = c.name.replace(/["\\]/g, (ch) => `\\${ch}`);
  return headerLine('X-Participant', `${name ? `"${name}" ` : ''}<${c.peer}>`);
}

async function startConference(): Promise<void> {
  const esc = escalation('conference');
  const c = call;
  if (!esc || !phone || c?.phase !== 'active' || !c.remote || conference) return;
  const state = byTestId('conference-state');
  const mix = new ConferenceMix(await voice(), c.remote);
  let headers: string[];
  try {
    headers = [...esc.headers.map(([n, v]) => headerLine(n, v)), participantHeader(c)];
  } catch (error) {
    setState(state, 'failed', `Cannot call the expert: ${(error as Error).message}`);
    mix.close();
    return;
  }
  const session = phone.ua.call(esc.target, {
    mediaStream: mix.toExpert,
    pcConfig: PC_CONFIG,
    extraHeaders: headers,
  });
  const leg: ExpertLeg = { session, mix, phase: 'calling' };
  conference = leg;
  setState(state, 'calling', `Calling the expert at ${esc.target}…`);
  log(`conference: calling ${esc.target}`);
  onRemoteStream(session, (stream) => {
    expertEar.add(stream);
    play(byTestId<HTMLAudioElement>('expert-audio'), stream);
    const track = mix.expertJoined(stream);
    const sender = call ? audioSender(call.session) : undefined;
    if (track && sender) void sender.replaceTrack(track);
  });
  session.on('progress', () => {
    leg.phase = 'ringing';
    setState(state, 'ringing', "The expert's phone is ringing…");
  });
  session.on('confirmed', () => {
    leg.phase = 'active';
    const who = aorOf(session.remote_identity);
    setState(
      state,
      'active',
      // The To of our INVITE has no name; the router told us the expert's.
      `Conference: you, the customer and ${expert.current?.kw?.displayName || session.remote_identity.display_name || who}`,
    );
    log(`conference: ${who} joined`);
    render();
  });
  const ended = (failed: boolean) => (ev: { cause: string; message?: unknown }) => {
    if (conference !== leg) return;
    endLeg(leg);
    const status =
      ev.message && typeof ev.message === 'object' && 'status_code' in ev.message
        ? ` (${String(ev.message.status_code)})`
        : '';
    if (failed)
      setState(
        state,
        'failed',
        `The expert did not join: ${ev.cause}${status}. The customer stays with you.`,
      );
    else setState(state, 'ended', `The conference ended (${ev.cause}).`);
    log(`conference ${failed ? 'failed' : 'ended'}: ${ev.cause}${status}`, failed ? 'warn' : 'info');
    render();
  };
  session.on('ended', ended(false));
  session.on('failed', ended(true));
  render();
}

/** Back to a two-party call: the customer hears the agent's own voice again. */
function endLeg(leg: ExpertLeg): void {
  conference = undefined;
  leg.mix.close();
  expertEar.clear();
  play(byTestId<HTMLAudioElement>('expert-audio'), null);
  const sender = call ? audioSender(call.session) : undefined;
  if (sender && voicePromise)
    void voicePromise.then((v) => sender.replaceTrack(v.getAudioTracks()[0] ?? null));
}

function leaveConference(): void {
  const leg = conference;
  if (!leg) return;
  if (!leg.session.isEnded()) leg.session.terminate();
}

button('transfer-button').addEventListener('click', transfer);
button('conference-button').addEventListener('click', () => void startConference());
button('conference-leave').addEventListener('click', leaveConference);
for (const id of ['escalate-via-rp', 'escalate-via-voice'])
  input(id).addEventListener('change', () => render());

// ---------------------------------------------------------------- rendering

/** Why Transfer and Add the expert are off, or who would join: the buttons alone do not say. */
function escalationHint(): string {
  const ix = expert.current;
  if (call?.phase !== 'active') return 'Needs a customer call in progress.';
  if (!ix) return 'Ask an expert first: the expert who takes the chat can join the call.';
  if (ix.phase === 'routing') return 'Waiting for an expert to take the chat…';
  if (!ix.kw) return 'No expert took the request: ask again to bring one into the call.';
  if (via() === 'voice' && !ix.kw.voiceUri)
    return 'The expert has no voice address: call through the routing point.';
  return `${ix.kw.displayName || ix.kw.uri} can join the call.`;
}

function render(): void {
  const registered = byTestId('reg-state').dataset.state === 'registered';
  button('register-button').textContent = phone ? 'Register again' : 'Register';
  button('unregister-button').disabled = !phone;
  button('call-customer').disabled = !registered || call !== undefined;
  button('answer-call').disabled = call?.phase !== 'incoming';
  button('decline-call').disabled = call?.phase !== 'incoming';
  button('hangup-call').disabled = !call || call.phase === 'incoming';
  const mute = button('mute-call');
  mute.disabled = call?.phase !== 'active';
  mute.setAttribute('aria-pressed', String(call?.muted ?? false));
  mute.textContent = call?.muted ? 'Unmute' : 'Mute';
  const callState = byTestId('call-state');
  if (call) {
    const who = call.name ? `${call.name} <${call.peer}>` : call.peer;
    const text = {
      incoming: `Incoming call from ${who}`,
      calling: `Calling ${who}…`,
      ringing: `Ringing ${who}…`,
      active: `In a call with ${who}${call.muted ? ' (muted)' : ''}`,
    }[call.phase];
    setState(callState, call.phase === 'ringing' ? 'calling' : call.phase, text);
    byTestId('call-peer').textContent = who;
  } else {
    if (callState.dataset.state !== 'ended') setState(callState, 'idle', 'No call');
    byTestId('call-peer').textContent = '—';
  }
  // An expert must have taken the chat (routed; still so once the chat ended), never after not-routed.
  const kw = expert.current?.kw;
  const canEscalate =
    call?.phase === 'active' && kw !== undefined && (via() === 'routing-point' || !!kw.voiceUri);
  byTestId('escalate-hint').textContent = escalationHint();
  button('transfer-button').disabled = !canEscalate || transferring || conference !== undefined;
  button('conference-button').disabled = !canEscalate || conference !== undefined || !call?.remote;
  button('conference-leave').disabled = conference === undefined;
}

render();
if (param('server') && param('uri') && !['0', 'false'].includes(param('register'))) register();
