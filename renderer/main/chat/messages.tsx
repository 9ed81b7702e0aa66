/**
 * A conversation's timeline: messages with author and delivery, a separator
 * where the day changes, and the interaction's calls where they were offered.
 * It follows the newest item unless the KW scrolled up to read; then new
 * items raise a "New messages" pill (use-follow-bottom.ts).
 */
import type { JSX } from 'preact';
import { useRef } from 'preact/hooks';
import type { ChatMessageView, ConversationView } from '../../../preload/contract.js';
import { DownIcon } from '../../shared/components/icons.js';
import { NetText } from '../../shared/components/net-text.js';
import { daysBetween, formatDay, formatTime } from '../../shared/format.js';
import { neutralizeBidi } from '../../shared/net-text.js';
import { now } from '../../shared/clock.js';
import { typing } from '../../shared/store.js';
import { CallRecordLine } from '../call-record.js';
import { Delivery } from './delivery.js';
import { useFollowBottom } from './use-follow-bottom.js';

export function Messages(props: { c: ConversationView }): JSX.Element {
  const { c } = props;
  const ref = useRef<HTMLDivElement>(null);
  const isTyping = typing.value.has(c.interactionId) && c.state === 'active';
  const follow = useFollowBottom(ref, c, [isTyping]);
  const agentName = c.agent.displayName || c.agent.uri;
  const items = timeline(c, agentName);
  return (
    <>
      <div
        class="messages"
        ref={ref}
        role="log"
        aria-live="polite"
        aria-label={`Messages with ${neutralizeBidi(agentName)}`}
        tabIndex={0}
        onScroll={follow.onScroll}
      >
        {items.length === 0 && <p class="messages-empty">No messages yet.</p>}
        {items}
      </div>
      {follow.pill && (
        // No height of its own: the pill floats over the bottom of the timeline.
        <div class="new-messages">
          <button type="button" class="new-messages-pill" data-testid="new-messages" onClick={follow.jump}>
            New messages
            <DownIcon />
          </button>
        </div>
      )}
    </>
  );
}

/** The timeline's elements in order: calls before the first message offered after them, days, messages. */
function timeline(c: ConversationView, agentName: string): JSX.Element[] {
  const items: JSX.Element[] = [];
  let prevAt: number | null = null;
  /** The author of the message above; null after a separator or a call, so the next message names its author. */
  let prevDir: string | null = null;
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
    items.push(messageItem(c, m, prevDir !== m.direction, agentName));
    if (!Number.isNaN(at)) prevAt = at;
    prevDir = m.direction;
  }
  callsBefore(null);
  return items;
}

/** One message; `first` of a run by the same author shows the author's name. */
function messageItem(
  c: ConversationView,
  m: ChatMessageView,
  first: boolean,
  agentName: string,
): JSX.Element {
  return (
    <div
      key={m.id}
      class={`msg msg-${m.direction}${first ? ' is-first' : ''}${m.delivery === 'failed' ? ' is-failed' : ''}`}
      data-testid="message"
      data-direction={m.direction}
      data-delivery={m.delivery}
      data-message-id={m.id}
    >
      {first &&
        (m.direction === 'in' ? (
          <NetText text={agentName} fit="line" class="msg-author" />
        ) : (
          <span class="msg-author">You</span>
        ))}
      <div class="bubble">
        <NetText text={m.text} fit="wrap" links class="bubble-text" />
      </div>
      <div class="msg-meta">
        <time dateTime={m.at}>{formatTime(m.at)}</time>
        <Delivery m={m} interactionId={c.interactionId} readOnly={c.state === 'ended'} />
      </div>
    </div>
  );
}
