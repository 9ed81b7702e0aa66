/** One conversation: header, messages with delivery state, user data, typing indicator, composer. */
import type { JSX } from 'preact';
import type { ConversationView } from '../../preload/contract.js';
import { UserData } from '../shared/components/user-data.js';
import { formatTime } from '../shared/format.js';
import { typing } from '../shared/store.js';
import { Composer } from './chat/composer.js';
import { EndButton } from './chat/end-button.js';
import { Messages } from './chat/messages.js';

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
              {endedText(c.endedBy)}
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

function endedText(by: ConversationView['endedBy']): string {
  if (by === 'me') return 'You ended this conversation';
  if (by === 'router') return 'The routing service closed this conversation after a long silence';
  return 'The agent ended this conversation';
}
