/**
 * Writing to the agent: a growing textarea with a draft per conversation,
 * Enter sends, Shift+Enter breaks the line, and typing notices to the agent.
 */
import type { JSX, RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ConversationView } from '../../../preload/contract.js';
import { SendIcon } from '../../shared/components/icons.js';
import { errorText, kwApi } from '../../shared/kw.js';
import { neutralizeBidi } from '../../shared/net-text.js';
import { drafts, focusRequest } from '../../shared/store.js';

/** The agent sees "typing" until the KW sends, clears the text, or stops typing for this long. */
const TYPING_IDLE_MS = 5000;
/** The textarea grows with its text up to this height (px), then scrolls. */
const MAX_HEIGHT = 140;

export function Composer(props: { c: ConversationView }): JSX.Element {
  const id = props.c.interactionId;
  const [text, setText] = useState(drafts.get(id) ?? '');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const setTyping = useTypingNotice(id);

  useEffect(() => {
    setText(drafts.get(id) ?? '');
    setError(null);
  }, [id]);
  useEffect(() => {
    area.current?.focus();
  }, [focusRequest.value, id]);
  useGrowWithText(area, text);

  const send = () => {
    const body = text.trim();
    const kw = kwApi();
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
  const edit = (value: string) => {
    setText(value);
    drafts.set(id, value);
    setTyping(value.trim().length > 0);
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
      <ComposerRow
        area={area}
        to={neutralizeBidi(props.c.agent.displayName || props.c.agent.uri)}
        text={text}
        sending={sending}
        onEdit={edit}
        onSend={send}
      />
      <p id="composer-hint" class="composer-hint">
        <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
      </p>
    </form>
  );
}

/** The textarea and the Send button. */
function ComposerRow(props: {
  area: RefObject<HTMLTextAreaElement>;
  /** Who the message goes to, for the label. */
  to: string;
  text: string;
  sending: boolean;
  onEdit: (text: string) => void;
  onSend: () => void;
}): JSX.Element {
  return (
    <div class="composer-row">
      <label for="composer" class="visually-hidden">
        Message to {props.to}
      </label>
      <textarea
        id="composer"
        ref={props.area}
        data-testid="composer"
        rows={1}
        maxLength={4000}
        placeholder="Write a message…"
        aria-describedby="composer-hint"
        value={props.text}
        onInput={(e) => props.onEdit(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            props.onSend();
          }
        }}
      />
      <button
        type="submit"
        class="btn btn-primary btn-send"
        data-testid="send"
        disabled={!props.text.trim() || props.sending}
        aria-label="Send message"
      >
        <SendIcon />
        <span>Send</span>
      </button>
    </div>
  );
}

/**
 * Tells the agent when the KW types and stops (only changes go out; a notice
 * is best effort). Typing ends by itself after TYPING_IDLE_MS without input,
 * and when the composer goes.
 */
function useTypingNotice(interactionId: string): (active: boolean) => void {
  const typingActive = useRef(false);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const setTyping = (active: boolean) => {
    clearTimeout(idleTimer.current);
    if (active) idleTimer.current = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    if (typingActive.current === active) return;
    typingActive.current = active;
    kwApi()
      ?.chats.typing({ interactionId, active })
      .catch(() => undefined); // best effort: a lost typing notice is harmless
  };
  useEffect(
    () => () => {
      if (typingActive.current) setTyping(false);
      clearTimeout(idleTimer.current);
    },
    [interactionId],
  );
  return setTyping;
}

/** Fits the textarea's height to its text, up to MAX_HEIGHT. */
function useGrowWithText(area: RefObject<HTMLTextAreaElement>, text: string): void {
  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [text]);
}
