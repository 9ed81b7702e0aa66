/** One conversation: header, messages with delivery state, user data, typing indicator, composer. */
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessageView, ConversationView } from '../../preload/contract.js';
import { CallRecordLine } from './call-record.js';
import { AlertIcon, CheckIcon, ClockIcon, SendIcon } from '../shared/components/icons.js';
import { RichText } from '../shared/components/rich-text.js';
import { UserData } from '../shared/components/user-data.js';
import { daysBetween, formatDay, formatTime } from '../shared/format.js';
import { bridge, errorText } from '../shared/kw.js';
import { drafts, focusRequest, now, typing } from '../shared/store.js';

const TYPING_IDLE_MS = 5000;

function Delivery(props: {
  m: ChatMessageView;
  interactionId: string;
  readOnly: boolean;
}): JSX.Element | null {
  const { m } = props;
  const [error, setError] = useState<string | null>(null);
  const [retrying, setRetrying] = useState(false);
  if (m.direction !== 'out' || !m.delivery) return null;
  if (m.delivery === 'sending') {
    return (
      <span class="delivery is-sending">
        <ClockIcon /> Sending…
      </span>
    );
  }
  if (m.delivery === 'delivered') {
    return (
      <span class="delivery is-delivered">
        <CheckIcon /> Delivered
      </span>
    );
  }
  const retry = () => {
    const kw = bridge();
    if (!kw) return;
    setRetrying(true);
    setError(null);
    kw.chats
      .retry({ interactionId: props.interactionId, messageId: m.id })
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setRetrying(false));
  };
  return (
    <span class="delivery is-failed">
      <AlertIcon /> Not delivered{m.error ? `: ${m.error}` : ''}
      {!props.readOnly && (
        <button type="button" class="btn btn-small" data-testid="retry" onClick={retry} disabled={retrying}>
          Retry
        </button>
      )}
      {error && (
        <span class="inline-error" role="alert">
          {' '}
          Retry failed: {error}
        </span>
      )}
    </span>
  );
}

function Messages(props: { c: ConversationView }): JSX.Element {
  const { c } = props;
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const count = c.messages.length;
  const isTyping = typing.value.has(c.interactionId) && c.state === 'active';
  const callCount = c.calls.length;
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [count, callCount, isTyping, c.interactionId]);
  useEffect(() => {
    stick.current = true;
  }, [c.interactionId]);
  const agentName = c.agent.displayName || c.agent.uri;
  let prevAt: number | null = null;
  let prevDir: string | null = null;
  const items: JSX.Element[] = [];
  // Calls of this interaction sit in the timeline where they were offered.
  const calls = [...c.calls].sort((a, b) => a.offeredAt.localeCompare(b.offeredAt));
  let nextCall = 0;
  const callsBefore = (at: string | null) => {
    while (nextCall < calls.length) {
      const r = calls[nextCall];
      if (!r || (at !== null && r.offeredAt > at)) break;
      items.push(<CallRecordLine key={`call-${r.callId}`} record={r} />);
      prevDir = null;
      nextCall++;
    }
  };
  for (const m of c.messages) {
    callsBefore(m.at);
    const at = Date.parse(m.at);
    if (!Number.isNaN(at) && (prevAt === null || daysBetween(prevAt, at) !== 0)) {
      items.push(
        <div class="day-sep" role="separator" key={`day-${m.id}`}>
          <span>{formatDay(m.at, now.peek())}</span>
        </div>,
      );
      prevDir = null;
    }
    const first = prevDir !== m.direction;
    items.push(
      <div
        key={m.id}
        class={`msg msg-${m.direction}${first ? ' is-first' : ''}${m.delivery === 'failed' ? ' is-failed' : ''}`}
        data-testid="message"
        data-direction={m.direction}
        data-delivery={m.delivery}
        data-message-id={m.id}
      >
        {first && <span class="msg-author">{m.direction === 'in' ? agentName : 'You'}</span>}
        <div class="bubble">
          <RichText text={m.text} />
        </div>
        <div class="msg-meta">
          <time dateTime={m.at}>{formatTime(m.at)}</time>
          <Delivery m={m} interactionId={c.interactionId} readOnly={c.state === 'ended'} />
        </div>
      </div>,
    );
    if (!Number.isNaN(at)) prevAt = at;
    prevDir = m.direction;
  }
  callsBefore(null);
  return (
    <div
      class="messages"
      ref={ref}
      role="log"
      aria-live="polite"
      aria-label={`Messages with ${agentName}`}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {items.length === 0 && <p class="messages-empty">No messages yet.</p>}
      {items}
    </div>
  );
}

function Composer(props: { c: ConversationView }): JSX.Element {
  const id = props.c.interactionId;
  const [text, setText] = useState(drafts.get(id) ?? '');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const typingActive = useRef(false);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const setTyping = (active: boolean) => {
    clearTimeout(idleTimer.current);
    if (active) idleTimer.current = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    if (typingActive.current === active) return;
    typingActive.current = active;
    bridge()
      ?.chats.typing({ interactionId: id, active })
      .catch(() => undefined); // best effort: a lost typing notice is harmless
  };

  useEffect(() => {
    setText(drafts.get(id) ?? '');
    setError(null);
    return () => {
      if (typingActive.current) setTyping(false);
      clearTimeout(idleTimer.current);
    };
  }, [id]);

  useEffect(() => {
    area.current?.focus();
  }, [focusRequest.value, id]);

  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 140)}px`;
  }, [text]);

  const send = () => {
    const body = text.trim();
    const kw = bridge();
    if (!body || !kw || sending) return;
    setTyping(false);
    setSending(true);
    setError(null);
    kw.chats.send({ interactionId: id, text: body }).then(
      () => {
        setSending(false);
        drafts.delete(id);
        setText('');
        area.current?.focus();
      },
      (err: unknown) => {
        setSending(false);
        setError(`Not sent: ${errorText(err)}`);
      },
    );
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {error && (
        <p class="inline-error composer-error" role="alert">
          {error}
        </p>
      )}
      <div class="composer-row">
        <label for="composer" class="visually-hidden">
          Message to {props.c.agent.displayName || props.c.agent.uri}
        </label>
        <textarea
          id="composer"
          ref={area}
          data-testid="composer"
          rows={1}
          maxLength={4000}
          placeholder="Write a message…"
          aria-describedby="composer-hint"
          value={text}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setText(value);
            drafts.set(id, value);
            setTyping(value.trim().length > 0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button
          type="submit"
          class="btn btn-primary btn-send"
          data-testid="send"
          disabled={!text.trim() || sending}
          aria-label="Send message"
        >
          <SendIcon />
          <span>Send</span>
        </button>
      </div>
      <p id="composer-hint" class="composer-hint">
        <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
      </p>
    </form>
  );
}

function EndButton(props: { c: ConversationView }): JSX.Element {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    setConfirming(false);
    setError(null);
  }, [props.c.interactionId]);
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);
  const end = () => {
    const kw = bridge();
    if (!kw) return;
    setBusy(true);
    setError(null);
    kw.chats
      .end({ interactionId: props.c.interactionId })
      .then(() => setConfirming(false))
      .catch((err: unknown) => setError(`Could not end: ${errorText(err)}`))
      .finally(() => setBusy(false));
  };
  return (
    <div class="end-wrap">
      {confirming ? (
        <div
          class="confirm"
          role="group"
          aria-label="Confirm ending the conversation"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setConfirming(false);
          }}
        >
          <span>End this conversation?</span>
          <button
            type="button"
            class="btn btn-danger btn-small"
            data-testid="confirm-end"
            onClick={end}
            disabled={busy}
          >
            End
          </button>
          <button type="button" class="btn btn-small" ref={cancelRef} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="btn" data-testid="end-conversation" onClick={() => setConfirming(true)}>
          End conversation
        </button>
      )}
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function ChatView(props: { c: ConversationView }): JSX.Element {
  const { c } = props;
  const agentName = c.agent.displayName || c.agent.uri;
  const ended = c.state === 'ended';
  const isTyping = typing.value.has(c.interactionId) && !ended;
  const hasData = Object.keys(c.userData).length > 0;
  return (
    <section
      class="chat"
      data-testid="chat-view"
      data-interaction-id={c.interactionId}
      aria-label={`Conversation with ${agentName}`}
    >
      <header class="chat-head">
        <div class="chat-title">
          <h1 class="chat-agent">
            <span data-testid="chat-agent">{agentName}</span>
            {ended && <span class="badge">Ended</span>}
          </h1>
          <p class="chat-sub">
            <span data-testid="chat-subject">{c.subject || 'No subject'}</span>
            <span class="chat-sub-meta">
              {' · '}
              {c.agent.uri}
              {c.routingPoint ? ` · via ${c.routingPoint}` : ''}
            </span>
          </p>
        </div>
        {!ended && <EndButton c={c} />}
      </header>
      <div class={`chat-body${hasData ? ' has-data' : ''}`}>
        <div class="chat-main">
          <Messages c={c} />
          <div class={`typing${isTyping ? ' is-on' : ''}`} data-testid="typing-indicator" aria-live="polite">
            {isTyping && (
              <>
                <span class="typing-dots" aria-hidden="true">
                  <i />
                  <i />
                  <i />
                </span>
                {agentName} is typing…
              </>
            )}
          </div>
          {ended ? (
            <p class="ended-note" role="status">
              {c.endedBy === 'me' ? 'You ended this conversation' : 'The agent ended this conversation'}
              {c.endedAt ? ` at ${formatTime(c.endedAt)}` : ''}. It is read-only.
            </p>
          ) : (
            <Composer key={c.interactionId} c={c} />
          )}
        </div>
        <aside class="userdata" data-testid="user-data" aria-labelledby="h-userdata">
          <h2 id="h-userdata" class="panel-heading">
            Customer data
          </h2>
          {hasData ? <UserData data={c.userData} /> : <p class="muted">No user data attached.</p>}
          {c.unsolicited && <p class="muted small">Started by the agent without a preview.</p>}
        </aside>
      </div>
    </section>
  );
}
