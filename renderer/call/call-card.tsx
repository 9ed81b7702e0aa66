/**
 * One ringing call: who escalates (or who calls), Transfer / Conference /
 * Call, the conversation's subject and user data (text only), a note when
 * answering puts the current call on hold, Answer / Decline. Used by the call
 * popup (with key hints) and by the main window (above the chat).
 */
import { Fragment, type JSX } from 'preact';
import type { CallView } from '../../preload/contract.js';
import { NetText } from '../shared/components/net-text.js';
import { CardUserData } from '../shared/components/user-data-card.js';
import { kwApi } from '../shared/kw.js';
import { callFrom, callKind, partyName } from '../shared/model.js';
import { neutralizeBidi } from '../shared/net-text.js';
import { HangUpIcon, PhoneIcon } from './icons.js';
import { useCallCommand } from './use-call-command.js';

export type CallAction = 'answer' | 'decline';

export function CallCard(props: {
  call: CallView;
  variant: 'popup' | 'strip';
  /** This card is the one the popup's keys act on: show Enter / Esc on its buttons. */
  keyTarget?: boolean;
  /** Told before the command goes, so the popup can stop ringing at once. */
  onAction?: (callId: string, action: CallAction) => void;
}): JSX.Element {
  const c = props.call;
  const popup = props.variant === 'popup';
  const { busy, error, run } = useCallCommand();
  const titleId = `call-title-${c.callId}`;
  const act = (action: CallAction): void => {
    props.onAction?.(c.callId, action);
    const kw = kwApi();
    if (action === 'answer') run('Answer', () => kw?.calls.answer({ callId: c.callId }));
    else run('Decline', () => kw?.calls.decline({ callId: c.callId }));
  };

  return (
    <section
      class={`call-card call-card-${props.variant}${c.waiting ? ' is-waiting' : ''}`}
      role="group"
      aria-labelledby={titleId}
      data-testid="call-card"
      data-call-id={c.callId}
      data-phase={c.phase}
      data-muted={String(c.muted)}
      data-held={String(c.held)}
      data-waiting={String(c.waiting)}
      tabIndex={popup ? -1 : undefined}
    >
      <CallCardInfo call={c} titleId={titleId} />
      <CallCardButtons hints={popup && props.keyTarget === true} disabled={busy !== null} onAct={act} />
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** Who calls and about what: kind, name, address, subject, people, user data, the call-waiting note. */
function CallCardInfo(props: { call: CallView; titleId: string }): JSX.Element {
  const c = props.call;
  const kind = callKind(c);
  const from = callFrom(c);
  const callerDiffers = c.context !== undefined && c.remote.uri !== c.context.agent.uri;
  const others = c.participants.filter((p) => p.uri !== from.uri);
  return (
    <>
      <header class="call-card-head">
        <span class={`call-kind kind-${kind.toLowerCase()}`}>
          <PhoneIcon size={12} />
          {kind}
        </span>
        <span class="call-ringing" aria-hidden="true">
          {c.waiting ? 'Waiting' : 'Ringing'}
        </span>
      </header>
      <h2 id={props.titleId} class="call-card-title">
        <span class="visually-hidden">{`${kind} from `}</span>
        <NetText text={partyName(from)} fit="line" />
      </h2>
      <p class="call-card-meta">
        <NetText text={from.uri.replace(/^sips?:/i, '')} fit="line" />
        {callerDiffers && (
          <>
            <span class="call-card-label">· caller</span>
            <NetText text={partyName(c.remote)} fit="line" class="shrink-first" />
          </>
        )}
      </p>
      {c.context && <NetText text={c.context.subject || 'No subject'} fit="line" class="call-card-subject" />}
      {others.length > 0 && kind === 'Conference' && <People names={others.map(partyName)} />}
      {c.context && (
        <CardUserData data={c.context.userData} idBase={`call-${c.callId}`} class="call-card-data" />
      )}
      {c.waiting && (
        <p class="call-card-note" role="note">
          Answering puts the current call on hold.
        </p>
      )}
    </>
  );
}

/** "With A, B": each name its own isolate; the line is cut as a whole, every name in its tooltip. */
function People(props: { names: readonly string[] }): JSX.Element {
  return (
    <p class="call-card-people" title={neutralizeBidi(props.names.join(', '))}>
      With{' '}
      {props.names.map((name, i) => (
        <Fragment key={i}>
          {i > 0 && ', '}
          <NetText text={name} fit="wrap" />
        </Fragment>
      ))}
    </p>
  );
}

/** Answer and Decline; `hints` shows the popup's keys on them. */
function CallCardButtons(props: {
  hints: boolean;
  disabled: boolean;
  onAct: (action: CallAction) => void;
}): JSX.Element {
  const { hints } = props;
  return (
    <div class="call-card-actions">
      <button
        type="button"
        class="btn btn-answer"
        data-testid="call-answer"
        disabled={props.disabled}
        aria-keyshortcuts={hints ? 'Enter A' : undefined}
        onClick={() => props.onAct('answer')}
      >
        <PhoneIcon />
        Answer
        {hints && <kbd aria-hidden="true">Enter</kbd>}
      </button>
      <button
        type="button"
        class="btn btn-decline"
        data-testid="call-decline"
        disabled={props.disabled}
        aria-keyshortcuts={hints ? 'D Escape' : undefined}
        onClick={() => props.onAct('decline')}
      >
        <HangUpIcon />
        Decline
        {hints && <kbd aria-hidden="true">Esc</kbd>}
      </button>
    </div>
  );
}
