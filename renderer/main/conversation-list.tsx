/** The conversation list: active first, then history; searchable. */
import type { JSX } from 'preact';
import type { ConversationView } from '../../preload/contract.js';
import { SearchIcon } from '../shared/components/icons.js';
import { NetText } from '../shared/components/net-text.js';
import { formatListTime, initials, oneLine } from '../shared/format.js';
import { lastActivity } from '../shared/model.js';
import { now } from '../shared/clock.js';
import {
  conversations,
  query,
  select,
  selectedId,
  typing,
  unread,
  visibleConversations,
} from '../shared/store.js';

function Item(props: { c: ConversationView }): JSX.Element {
  const c = props.c;
  const last = c.messages[c.messages.length - 1];
  const isSelected = selectedId.value === c.interactionId;
  const isUnread = unread.value.has(c.interactionId);
  const isTyping = typing.value.has(c.interactionId) && c.state === 'active';
  const when = new Date(lastActivity(c)).toISOString();
  const snippet = isTyping ? 'typing…' : last ? oneLine(last.text, 90) : 'No messages yet';
  return (
    <li>
      <button
        type="button"
        class={`conv${isSelected ? ' is-selected' : ''}${isUnread ? ' is-unread' : ''}${c.state === 'ended' ? ' is-ended' : ''}`}
        data-testid="conversation-item"
        data-interaction-id={c.interactionId}
        data-state={c.state}
        aria-current={isSelected ? 'true' : undefined}
        onClick={() => select(c.interactionId)}
      >
        <span class="avatar" aria-hidden="true">
          {initials(c.agent.displayName || c.agent.uri)}
        </span>
        <span class="conv-main">
          <span class="conv-top">
            <NetText text={c.agent.displayName || c.agent.uri} fit="line" class="conv-name" />
            <span class="conv-time">{formatListTime(when, now.value)}</span>
          </span>
          {c.subject ? (
            <NetText text={c.subject} fit="line" class="conv-subject" />
          ) : (
            <span class="conv-subject">No subject</span>
          )}
          <span class={`conv-snippet${isTyping ? ' is-typing' : ''}`}>
            {last?.direction === 'out' && !isTyping && <span class="conv-you">You:</span>}
            <NetText text={snippet} fit="line" />
          </span>
        </span>
        {isUnread && (
          <span class="unread-dot">
            <span class="visually-hidden">new messages</span>
          </span>
        )}
      </button>
    </li>
  );
}

export function ConversationList(): JSX.Element {
  const list = visibleConversations.value;
  const active = list.filter((c) => c.state === 'active');
  const ended = list.filter((c) => c.state === 'ended');
  const total = conversations.value.length;
  return (
    <nav class="conv-nav" aria-label="Conversations">
      <div class="search">
        <SearchIcon />
        <input
          type="search"
          data-testid="search"
          aria-label="Search conversations"
          placeholder="Search agent, subject, text"
          title="Search agent, subject, text"
          value={query.value}
          onInput={(e) => {
            query.value = e.currentTarget.value;
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') query.value = '';
          }}
        />
      </div>
      <div class="conv-scroll" data-testid="conversation-list">
        {total === 0 && <p class="list-empty">No conversations yet. Accepted requests appear here.</p>}
        {total > 0 && list.length === 0 && <p class="list-empty">No conversation matches “{query.value}”.</p>}
        {active.length > 0 && (
          <section aria-labelledby="h-active">
            <h2 id="h-active" class="list-heading">
              Active <span class="count">{active.length}</span>
            </h2>
            <ul class="conv-list">
              {active.map((c) => (
                <Item key={c.interactionId} c={c} />
              ))}
            </ul>
          </section>
        )}
        {ended.length > 0 && (
          <section aria-labelledby="h-history">
            <h2 id="h-history" class="list-heading">
              History <span class="count">{ended.length}</span>
            </h2>
            <ul class="conv-list">
              {ended.map((c) => (
                <Item key={c.interactionId} c={c} />
              ))}
            </ul>
          </section>
        )}
      </div>
    </nav>
  );
}
