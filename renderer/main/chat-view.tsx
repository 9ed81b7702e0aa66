/** One conversation: header, messages with delivery state, user data, typing indicator, composer. */
import type { JSX } from 'preact';
import type { ConversationView } from '../../preload/contract.js';
import { NetText } from '../shared/components/net-text.js';
import { UserData } from '../shared/components/user-data.js';
import { neutralizeBidi } from '../shared/net-text.js';
import { typing } from '../shared/store.js';
import { Composer } from './chat/composer.js';
import { ComposerClosed, composerClosedReason } from './chat/composer-closed.js';
import { EndButton } from './chat/end-button.js';
import { ExportButton } from './chat/export-button.js';
import { Messages } from './chat/messages.js';
import { useWholeConversation } from './chat/use-whole-conversation.js';

export function ChatView(props: { c: ConversationView }): JSX.Element {
  const whole = useWholeConversation(props.c);
  const c = whole.view;
  const agentName = c.agent.displayName || c.agent.uri;
  const ended = c.state === 'ended';
  const isTyping = typing.value.has(c.interactionId) && !ended;
  const hasData = Object.keys(c.userData).length > 0;
  const closed = composerClosedReason(c);
  return (
    <section
      class="chat"
      data-testid="chat-view"
      data-interaction-id={c.interactionId}
      aria-label={`Conversation with ${neutralizeBidi(agentName)}`}
    >
      <header class="chat-head">
        <div class="chat-title">
          <h1 class="chat-agent">
            <NetText text={agentName} fit="line" testId="chat-agent" />
            {ended && <span class="badge">Ended</span>}
            {closed === 'offline' && <span class="badge badge-warn">Agent offline</span>}
          </h1>
          <p class="chat-sub">
            <NetText text={c.subject || 'No subject'} fit="line" class="chat-subject" testId="chat-subject" />
            <span class="chat-sub-meta">
              <span aria-hidden="true">·</span>
              <NetText text={c.agent.uri.replace(/^sips?:/i, '')} fit="line" />
              {c.routingPoint && (
                <>
                  <span>via</span>
                  <NetText
                    text={c.routingPoint.replace(/^sips?:/i, '')}
                    fit="line"
                    class="chat-rp shrink-first"
                  />
                </>
              )}
            </span>
          </p>
        </div>
        <div class="chat-actions">
          <ExportButton c={c} />
          {!ended && <EndButton c={c} />}
        </div>
      </header>
      <div class={`chat-body${hasData ? ' has-data' : ''}`}>
        <div class="chat-main">
          {(whole.loading || whole.problem) && (
            <p class="history-reading muted small" data-testid="history-loading" role="status">
              {whole.problem || 'Reading this conversation from your history…'}
            </p>
          )}
          <Messages c={c} />
          <div class={`typing${isTyping ? ' is-on' : ''}`} data-testid="typing-indicator" aria-live="polite">
            {isTyping && (
              <>
                <span class="typing-dots" aria-hidden="true">
                  <i />
                  <i />
                  <i />
                </span>
                <span class="typing-who">
                  <NetText text={agentName} fit="line" />
                  <span class="typing-text">is typing…</span>
                </span>
              </>
            )}
          </div>
          {closed ? <ComposerClosed c={c} agentName={agentName} /> : <Composer key={c.interactionId} c={c} />}
        </div>
        {/* Focusable: it scrolls when the data is long (narrow windows give it 72 px). */}
        <aside class="userdata" data-testid="user-data" aria-labelledby="h-userdata" tabIndex={0}>
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
