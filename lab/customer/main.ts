/**
 * The customer simulator: a phone that sends a tone (its "voice") and shows,
 * per frequency, whether it hears it from the other side. It calls or
 * answers, and follows a REFER (blind transfer) the way a real phone would:
 * it calls the Refer-To target with the Refer-To URI headers as INVITE
 * headers, and keeps the old call until the transferor hangs up.
 */
import type { AnswerOptions, RTCSession } from 'jssip/lib/RTCSession';
import type { RTCSessionEvent } from 'jssip/lib/UA';
import { headerLine, type RawHeader } from '../../wire/sip/headers.js';
import { toAor } from '../../wire/sip/uri.js';
import { Ear, RAW_MICROPHONE, Tone, localVoice, play, showHearing } from '../web/client/audio.js';
import { button, byTestId, h, input, logLine, setState } from '../web/client/dom.js';
import {
  PC_CONFIG,
  Phone,
  aorOf,
  onRemoteStream,
  requestHeaders,
  uriHeaders,
  uriWithoutHeaders,
} from '../web/client/phone.js';
import { flag, numbers, param } from '../web/client/query.js';

const eventLog = byTestId('event-log');
const log = (text: string, kind: 'info' | 'warn' = 'info'): void => logLine(eventLog, text, kind);

const useMic = param('source') === 'mic';
/**
 * `?source=answer-mic`: answers as JsSIP does by default, its answer() opening the microphone
 * (unprocessed) and closing it when the call ends; calls placed still send the tone. A bench reference.
 */
const micOnAnswer = param('source') === 'answer-mic';
const toneHz = Number(param('tone', '440')) || 440;
const listen = numbers('listen', [440, 660, 880]);

/** Headers a REFER may not smuggle into our INVITE (RFC 3261 §19.1.5 lists what makes no sense there). */
const NOT_COPIED = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'content-length',
  'content-type',
  'max-forwards',
  'route',
  'record-route',
  'replaces',
  'authorization',
  'proxy-authorization',
  'expires',
]);

interface Call {
  readonly session: RTCSession;
  readonly peer: string;
  readonly name: string;
  readonly headers: readonly RawHeader[];
  phase: 'incoming' | 'calling' | 'ringing' | 'active';
  audio?: HTMLAudioElement;
  remote?: MediaStream;
}

let phone: Phone | undefined;
/** Oldest first; the last one is the one on screen (after a transfer: the call to the expert). */
const calls: Call[] = [];
let callsMade = 0;
const ear = new Ear();
showHearing(byTestId('hearing'), ear, listen);

let tone: Tone | undefined;
let voicePromise: Promise<MediaStream> | undefined;
function voice(): Promise<MediaStream> {
  voicePromise ??= useMic
    ? localVoice(undefined).then((v) => v.stream)
    : Promise.resolve((tone = new Tone(toneHz)).stream);
  return voicePromise;
}

// ---------------------------------------------------------------- defaults

input('reg-server').value = param('server', 'ws://127.0.0.1:5080');
input('reg-uri').value = param('uri', 'sip:customer@lab.local');
input('reg-name').value = param('name', 'Renée Customer');
input('reg-password').value = param('password');
input('call-target').value = param('call', 'sip:agent1@lab.local');
input('autoanswer').checked = flag('autoanswer');
const toneInput = input('tone-hz');
toneInput.value = String(toneHz);
toneInput.disabled = useMic;
toneInput.addEventListener('change', () => {
  const hz = Number(toneInput.value);
  if (tone && hz > 0) tone.frequency = hz;
  showVoice();
});
function showVoice(): void {
  byTestId('voice-source').textContent = useMic
    ? 'Sending the microphone (?source=mic).'
    : `Sending a ${toneInput.value} Hz tone as its voice.`;
  byTestId('voice-source').dataset.hz = useMic ? '' : toneInput.value;
}
showVoice();
input('speaker').addEventListener('change', () => {
  for (const c of calls) if (c.audio) c.audio.muted = !input('speaker').checked;
});

// ---------------------------------------------------------------- registration

function register(): void {
  phone?.stop();
  const server = input('reg-server').value.trim();
  const uri = input('reg-uri').value.trim();
  if (!server || !toAor(uri)) {
    setState(byTestId('reg-state'), 'failed', 'Enter a ws:// server and a sip:user@host address');
    return;
  }
  phone = new Phone(
    { server, uri, displayName: input('reg-name').value.trim(), password: input('reg-password').value },
    {
      state: (state, detail) => {
        setState(byTestId('reg-state'), state, detail);
        log(detail, state === 'failed' ? 'warn' : 'info');
        render();
      },
      session: (e) => incoming(e),
      // A phone, not a chat client: text is acknowledged and logged, nothing else.
      message: (e) => log(`MESSAGE from ${aorOf(e.request.from)} ignored`),
    },
  );
  phone.start();
  render();
}

button('register-button').addEventListener('click', register);
button('unregister-button').addEventListener('click', () => {
  hangUp();
  phone?.stop();
  phone = undefined;
  setState(byTestId('reg-state'), 'unregistered', 'not registered');
  render();
});

// ---------------------------------------------------------------- calls

function incoming(e: RTCSessionEvent): void {
  if (e.originator !== 'remote') return;
  const c: Call = {
    session: e.session,
    peer: aorOf(e.session.remote_identity),
    name: e.session.remote_identity.display_name ?? '',
    headers: requestHeaders(e.request).filter((x) => /^x-/i.test(x.name)),
    phase: 'incoming',
  };
  log(`incoming call from ${c.peer}`);
  track(c);
  if (input('autoanswer').checked) void answer(c);
}

async function placeCall(): Promise<void> {
  const target = toAor(input('call-target').value);
  if (!phone || !target) return;
  const session = phone.ua.call(target, { mediaStream: await voice(), pcConfig: PC_CONFIG });
  log(`calling ${target}`);
  track({ session, peer: target, name: '', headers: [], phase: 'calling' });
}

async function answer(c: Call | undefined = calls.findLast((x) => x.phase === 'incoming')): Promise<void> {
  if (!c || c.phase !== 'incoming') return;
  if (micOnAnswer) {
    c.session.answer({ mediaConstraints: { audio: RAW_MICROPHONE, video: false }, pcConfig: PC_CONFIG });
    return;
  }
  const stream = await voice();
  if (!c.session.isEnded()) c.session.answer({ mediaStream: stream, pcConfig: PC_CONFIG });
}

function hangUp(): void {
  for (const c of [...calls]) if (!c.session.isEnded()) c.session.terminate();
}

function track(c: Call): void {
  calls.push(c);
  callsMade++;
  const s = c.session;
  onRemoteStream(s, (stream) => {
    c.remote = stream;
    ear.add(stream);
    c.audio = h('audio', { attrs: { autoplay: '' } });
    c.audio.muted = !input('speaker').checked;
    byTestId('remote-audio').after(c.audio);
    play(c.audio, stream);
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
  // JsSIP types accept() as Function: (initCallback, options).
  s.on('refer', (e) => follow(c, e.request, e.accept as ReferAccept));
  const ended = (how: string) => (ev: { cause: string }) => {
    const i = calls.indexOf(c);
    if (i !== -1) calls.splice(i, 1);
    if (c.remote) ear.remove(c.remote);
    c.audio?.remove();
    log(`call with ${c.peer} ${how}: ${ev.cause}`);
    if (calls.length === 0) setState(byTestId('call-state'), 'ended', `Call ${how}: ${ev.cause}`);
    render();
  };
  s.on('ended', ended('ended'));
  s.on('failed', ended('failed'));
  render();
}

/**
 * Follows a REFER. JsSIP's accept() calls `refer_to.uri` with its headers
 * cleared, so the Refer-To URI headers (X-Interaction-Id, X-Escalation, user
 * data) are copied into the new INVITE here, names as the agent wrote them.
 */
type ReferAccept = (
  init: (session: RTCSession) => void,
  options: AnswerOptions & { extraHeaders: string[] },
) => void;

function follow(from: Call, request: { getHeader(name: string): string }, accept: ReferAccept): void {
  const referTo = request.getHeader('Refer-To') ?? '';
  const target = uriWithoutHeaders(referTo);
  const headers: string[] = [];
  const copied: RawHeader[] = [];
  for (const { name, value } of uriHeaders(referTo)) {
    if (NOT_COPIED.has(name.toLowerCase())) continue;
    try {
      headers.push(headerLine(name, value));
      if (/^x-/i.test(name)) copied.push({ name, value });
    } catch {
      log(`REFER: header ${name} skipped (not a valid header)`, 'warn');
    }
  }
  const state = byTestId('transfer-state');
  setState(state, 'following', `${from.peer} transfers this call to ${target}…`);
  log(`REFER from ${from.peer}: calling ${target} with ${headers.length} header(s)`);
  void voice().then((stream) =>
    accept(
      (session: RTCSession) => {
        // Shown as the call's headers: what this phone sent on the expert's behalf.
        const c: Call = {
          session,
          peer: toAor(target) ?? target,
          name: '',
          headers: copied,
          phase: 'calling',
        };
        session.on('confirmed', () =>
          setState(state, 'connected', `Transferred: now talking with ${c.peer}`),
        );
        session.on('failed', (ev: { cause: string }) =>
          setState(state, 'failed', `Transfer to ${c.peer} failed (${ev.cause}); still with ${from.peer}`),
        );
        track(c);
      },
      { mediaStream: stream, pcConfig: PC_CONFIG, extraHeaders: headers },
    ),
  );
}

button('call-button').addEventListener('click', () => void placeCall());
button('answer-call').addEventListener('click', () => void answer());
button('hangup-call').addEventListener('click', hangUp);

// ---------------------------------------------------------------- rendering

function render(): void {
  const registered = byTestId('reg-state').dataset.state === 'registered';
  button('unregister-button').disabled = !phone;
  button('register-button').textContent = phone ? 'Register again' : 'Register';
  button('call-button').disabled = !registered;
  const current = calls.at(-1);
  button('answer-call').disabled = current?.phase !== 'incoming';
  button('hangup-call').disabled = !current;
  const count = byTestId('call-count');
  count.dataset.count = String(callsMade);
  count.textContent = `${calls.length} now, ${callsMade} since the page opened`;
  const list = byTestId('call-headers');
  list.replaceChildren(
    ...(current?.headers ?? []).map((x) =>
      h('li', {
        className: 'level',
        testId: 'call-header',
        text: `${x.name}: ${x.value}`,
        attrs: { 'data-name': x.name },
      }),
    ),
  );
  const callState = byTestId('call-state');
  if (!current) {
    if (callState.dataset.state !== 'ended') setState(callState, 'idle', 'No call');
    byTestId('call-peer').textContent = '—';
    return;
  }
  const who = current.name ? `${current.name} <${current.peer}>` : current.peer;
  byTestId('call-peer').textContent = who;
  byTestId('call-peer').dataset.uri = current.peer;
  const text = {
    incoming: `Incoming call from ${who}`,
    calling: `Calling ${who}…`,
    ringing: `Ringing ${who}…`,
    active: `In a call with ${who}`,
  }[current.phase];
  setState(callState, current.phase === 'ringing' ? 'calling' : current.phase, text);
}

render();
if (param('server') && param('uri') && !['0', 'false'].includes(param('register'))) register();
