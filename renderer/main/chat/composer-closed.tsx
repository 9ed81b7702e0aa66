/**
 * Where the composer was, when the KW cannot write: the conversation ended
 * (the agent left, the KW or the routing service ended it) or the agent is
 * offline. A sentence says why; announced when it appears.
 */
import type { JSX } from 'preact';
import type { ConversationView } from '../../../preload/contract.js';
import { NetText } from '../../shared/components/net-text.js';
import { formatTime } from '../../shared/format.js';

/** Why the composer is closed, or null when the KW can write. */
export function composerClosedReason(c: ConversationView): 'left' | 'ended' | 'offline' | null {
  if (c.state === 'ended') return c.endedBy === 'agent' ? 'left' : 'ended';
  return c.agentOfflineSince !== undefined ? 'offline' : null;
}

export function ComposerClosed(props: { c: ConversationView; agentName: string }): JSX.Element | null {
  const { c, agentName } = props;
  const reason = composerClosedReason(c);
  if (reason === null) return null;
  return (
    <div class="composer-closed" role="status" data-testid="composer-closed" data-reason={reason}>
      {reason === 'left' && <AgentLeft agentName={agentName} at={c.endedAt} />}
      {reason === 'ended' && <p class="composer-closed-title">{endedText(c)}</p>}
      {reason === 'offline' && <AgentOffline agentName={agentName} since={c.agentOfflineSince} />}
    </div>
  );
}

function AgentLeft(props: { agentName: string; at: string | undefined }): JSX.Element {
  return (
    <>
      <p class="composer-closed-title">
        <NetText text={props.agentName} fit="wrap" /> has left this chat{atTime(props.at)}.
      </p>
      <p>You can no longer write here. The conversation stays in your history.</p>
    </>
  );
}

function AgentOffline(props: { agentName: string; since: string | undefined }): JSX.Element {
  return (
    <>
      <p class="composer-closed-title">
        <NetText text={props.agentName} fit="wrap" />
        {props.since ? ` has been offline since ${formatTime(props.since)}` : ' is offline'}, so your messages
        cannot reach them.
      </p>
      <p>
        You can write again when they write to you, or when Retry delivers a message. End the conversation if
        it is over.
      </p>
    </>
  );
}

function endedText(c: ConversationView): string {
  const at = atTime(c.endedAt);
  if (c.endedBy === 'me') return `You ended this conversation${at}. It is read-only.`;
  if (c.endedBy === 'router')
    return `The routing service closed this conversation after a long silence${at}. It is read-only.`;
  return `This conversation has ended${at}. It is read-only.`;
}

function atTime(iso: string | undefined): string {
  const time = iso ? formatTime(iso) : '';
  return time ? ` at ${time}` : '';
}
