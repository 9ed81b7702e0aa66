/**
 * Calls in the main window, above the chat: ringing calls (answer / decline
 * here too), the current call's panel (who, conference participants, the
 * conversation it belongs to, phase, timer, mute / hold / keypad / hang up,
 * microphone and speaker), and the other answered calls waiting on hold. An
 * ended call stays a few seconds (main keeps it) with its reason and duration.
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { CallView } from '../../preload/contract.js';
import { CallCard } from '../call/call-card.js';
import { DeviceSelects } from '../call/devices.js';
import {
  HangUpIcon,
  KeypadIcon,
  MicIcon,
  MicOffIcon,
  PauseIcon,
  PlayIcon,
  SpeakerIcon,
} from '../call/icons.js';
import { Keypad } from '../call/keypad.js';
import { LevelMeter } from './level-meter.js';
import { useCallCommand } from '../call/use-call-command.js';
import { now } from '../shared/clock.js';
import { NetText } from '../shared/components/net-text.js';
import { initials } from '../shared/format.js';
import { errorText, kwApi } from '../shared/kw.js';
import { neutralizeBidi } from '../shared/net-text.js';
import {
  callFrom,
  callKind,
  callPhaseKey,
  currentCall,
  formatDuration,
  otherCalls,
  partyName,
  PHASE_TEXT,
  ringingCalls,
  talkTime,
} from '../shared/model.js';
import { calls, select } from '../shared/store.js';

function callData(c: CallView) {
  return {
    'data-call-id': c.callId,
    'data-phase': c.phase,
    'data-muted': String(c.muted),
    'data-held': String(c.held),
    'data-remote-held': String(c.remoteHeld),
  };
}

function Participants(props: { call: CallView }): JSX.Element | null {
  const list = props.call.participants;
  if (props.call.escalation !== 'conference' && list.length < 2) return null;
  return (
    <ul class="call-participants" data-testid="call-participants" aria-label={`${list.length} participants`}>
      {list.map((p) => (
        <li key={p.uri} title={neutralizeBidi(p.uri)}>
          <span class="avatar avatar-small" aria-hidden="true">
            {initials(partyName(p))}
          </span>
          <NetText text={partyName(p)} fit="line" />
        </li>
      ))}
    </ul>
  );
}

/** Keypad tones go one after another: a quick second press must not be lost while the first is on its way. */
function useToneSender(callId: string): { send: (tone: string) => void; error: string | null } {
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const [error, setError] = useState<string | null>(null);
  const send = (tone: string): void => {
    chain.current = chain.current.then(() =>
      kwApi()
        ?.calls.dtmf({ callId, tones: tone })
        .then(
          () => setError(null),
          (e: unknown) => setError(`Keypad failed: ${errorText(e)}`),
        ),
    );
  };
  return { send, error };
}

function HangUpButton(props: { call: CallView }): JSX.Element {
  const { busy, error, run } = useCallCommand();
  return (
    <div class="call-hangup-wrap">
      <button
        type="button"
        class="btn btn-danger btn-hangup"
        data-testid="call-hangup"
        disabled={busy !== null}
        onClick={() => run('Hang up', () => kwApi()?.calls.hangup({ callId: props.call.callId }))}
      >
        <HangUpIcon />
        Hang up
      </button>
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * Mute, Hold, Keypad and the devices. In short windows (call.css) the
 * microphone and speaker wait behind "Devices", and in very short ones the
 * buttons show their icons only (the label stays their name and tooltip), so
 * the keypad and the chat keep their room.
 */
function CallControls(props: { call: CallView }): JSX.Element {
  const c = props.call;
  const [keypad, setKeypad] = useState(false);
  const [devices, setDevices] = useState(false);
  const { busy, error, run } = useCallCommand();
  const tones = useToneSender(c.callId);
  const kw = kwApi();
  const id = c.callId;
  const talking = c.phase === 'active';
  const keypadId = `keypad-${id}`;
  const devicesId = `devices-${id}`;
  return (
    <>
      <div class="call-controls" data-devices={devices ? 'open' : 'closed'}>
        <div class="call-buttons">
          <button
            type="button"
            class={`btn btn-call${c.muted ? ' is-on' : ''}`}
            data-testid="call-mute"
            title={c.muted ? 'Unmute' : 'Mute'}
            disabled={busy !== null}
            onClick={() =>
              run(c.muted ? 'Unmute' : 'Mute', () => kw?.calls.mute({ callId: id, muted: !c.muted }))
            }
          >
            {c.muted ? <MicOffIcon /> : <MicIcon />}
            <span class="btn-label">{c.muted ? 'Unmute' : 'Mute'}</span>
          </button>
          <button
            type="button"
            class={`btn btn-call${c.held ? ' is-on' : ''}`}
            data-testid="call-hold"
            title={c.held ? 'Resume' : 'Hold'}
            disabled={busy !== null || !talking}
            onClick={() =>
              run(c.held ? 'Resume' : 'Hold', () => kw?.calls.hold({ callId: id, held: !c.held }))
            }
          >
            {c.held ? <PlayIcon /> : <PauseIcon />}
            <span class="btn-label">{c.held ? 'Resume' : 'Hold'}</span>
          </button>
          <button
            type="button"
            class={`btn btn-call${keypad ? ' is-open' : ''}`}
            data-testid="call-keypad"
            title="Keypad"
            aria-expanded={keypad}
            aria-controls={keypadId}
            disabled={!talking}
            onClick={() => setKeypad(!keypad)}
          >
            <KeypadIcon />
            <span class="btn-label">Keypad</span>
          </button>
          <button
            type="button"
            class={`btn btn-call btn-devices${devices ? ' is-open' : ''}`}
            data-testid="call-devices"
            title="Microphone and speaker"
            aria-expanded={devices}
            aria-controls={devicesId}
            onClick={() => setDevices(!devices)}
          >
            <SpeakerIcon />
            <span class="btn-label">Devices</span>
          </button>
        </div>
        <LevelMeter call={c} />
        <DeviceSelects id={devicesId} idPrefix={`dev-${id}`} />
      </div>
      {keypad && talking && <Keypad id={keypadId} sent={c.dtmf} disabled={c.held} onTone={tones.send} />}
      {(error ?? tones.error) && (
        <p class="inline-error" role="alert">
          {error ?? tones.error}
        </p>
      )}
    </>
  );
}

/** "Transfer from Agent One", "Conference started by Priya Raman", or the caller's address. */
function Origin(props: { call: CallView }): JSX.Element {
  const c = props.call;
  const kind = callKind(c);
  const agent = c.context?.agent;
  if (!agent || agent.uri === c.remote.uri || kind === 'Call') {
    return <NetText text={c.remote.uri.replace(/^sips?:/i, '')} fit="line" />;
  }
  return (
    <>
      <span class="call-sub-label">{kind === 'Transfer' ? 'Transfer from' : 'Conference started by'}</span>
      <NetText text={partyName(agent)} fit="line" />
    </>
  );
}

export function CallPanel(props: { call: CallView }): JSX.Element {
  const c = props.call;
  const phase = callPhaseKey(c);
  const ended = c.phase === 'ended';
  const kind = callKind(c);
  const duration = formatDuration(talkTime(c, now.value));
  const context = c.context;
  const interactionId = c.interactionId;
  return (
    <section
      class={`call-panel phase-${phase}`}
      data-testid="call-panel"
      aria-labelledby={`call-name-${c.callId}`}
      {...callData(c)}
    >
      <div class="call-head">
        <span class="avatar call-avatar" aria-hidden="true">
          {initials(partyName(c.remote))}
        </span>
        <div class="call-who">
          <h2 id={`call-name-${c.callId}`} class="call-name" title={neutralizeBidi(c.remote.uri)}>
            <span class="visually-hidden">Call with </span>
            <NetText text={partyName(c.remote)} fit="line" class="call-name-text" />
            <span class={`call-kind kind-${kind.toLowerCase()}`}>{kind}</span>
          </h2>
          <p class="call-sub">
            <Origin call={c} />
            {context && interactionId && (
              <>
                <span class="call-sub-label" aria-hidden="true">
                  ·
                </span>
                <button
                  type="button"
                  class="btn-link call-context"
                  title="Show the conversation of this call"
                  onClick={() => select(interactionId)}
                >
                  <NetText text={context.subject || 'Conversation'} fit="line" />
                </button>
              </>
            )}
          </p>
        </div>
        <div class="call-side">
          <div class="call-state">
            <span class={`call-phase phase-${phase}`} data-testid="call-phase" data-phase={phase}>
              {PHASE_TEXT[phase]}
            </span>
            <span
              class="call-timer"
              data-testid="call-timer"
              role="timer"
              aria-label={`${ended ? 'Lasted' : 'Talking for'} ${duration}`}
            >
              {c.answeredAt === undefined ? '–:––' : duration}
            </span>
          </div>
          {!ended && <HangUpButton call={c} />}
        </div>
      </div>
      <Participants call={c} />
      {ended ? (
        <p class="call-ended" role="status">
          Call ended
          {c.endReason && (
            <>
              {' — '}
              <NetText text={c.endReason} fit="wrap" />
            </>
          )}
        </p>
      ) : (
        <CallControls key={c.callId} call={c} />
      )}
    </section>
  );
}

/** Another answered call, on hold: resume it (main holds the current one) or hang it up. */
function HeldCall(props: { call: CallView }): JSX.Element {
  const c = props.call;
  const { busy, error, run } = useCallCommand();
  const kw = kwApi();
  return (
    <div class="call-held" data-testid="call-held" {...callData(c)}>
      <PauseIcon />
      <NetText text={partyName(callFrom(c))} fit="line" class="call-held-name" />
      <span class="muted">on hold · {formatDuration(talkTime(c, now.value))}</span>
      <button
        type="button"
        class="btn btn-small"
        disabled={busy !== null}
        onClick={() => run('Resume', () => kw?.calls.hold({ callId: c.callId, held: false }))}
      >
        Resume
      </button>
      <button
        type="button"
        class="btn btn-small btn-quiet"
        disabled={busy !== null}
        onClick={() => run('Hang up', () => kw?.calls.hangup({ callId: c.callId }))}
      >
        Hang up
      </button>
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function CallArea(): JSX.Element | null {
  const list = calls.value;
  const ringing = ringingCalls(list);
  const current = currentCall(list);
  const others = otherCalls(list, current);
  if (!ringing.length && !current && !others.length) return null;
  const phase = current ? PHASE_TEXT[callPhaseKey(current)] : '';
  return (
    <section class="call-area" aria-label="Calls">
      <p class="visually-hidden" aria-live="polite">
        {ringing.length ? `${ringing.length} incoming call${ringing.length > 1 ? 's' : ''}. ` : ''}
        {current ? `Call with ${neutralizeBidi(partyName(current.remote))}: ${phase}` : ''}
      </p>
      {ringing.length > 0 && (
        <div class="call-ringing-list">
          {ringing.map((c) => (
            <CallCard key={c.callId} call={c} variant="strip" />
          ))}
        </div>
      )}
      {current && <CallPanel call={current} />}
      {others.map((c) => (
        <HeldCall key={c.callId} call={c} />
      ))}
    </section>
  );
}
