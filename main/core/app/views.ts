/** Core state → the views of the contract (what the renderer is allowed to see). */
import type { KwCore } from '../kw-core.js';
import type { PendingPreview } from '../previews/preview-inbox.js';
import type * as v from 'valibot';
import type { PreviewView, StatusView } from '../../../preload/contract.js';
import type { Conversation, ConversationSchema } from '../conversations/model.js';
import { describeConnectionState } from '../sip/connection-state.js';

export function previewView(p: PendingPreview): PreviewView {
  const { preview } = p;
  return {
    interactionId: preview.interactionId,
    agent: preview.agent,
    routingPoint: preview.routingPoint,
    subject: preview.subject,
    text: preview.text,
    userData: { ...preview.userData },
    expiresAt: preview.expiresAt,
    receivedAt: new Date(p.receivedAt).toISOString(),
  };
}

export function statusView(core: KwCore, displayName: string): StatusView {
  const state = core.agent.state;
  const presence = core.presence.snapshot();
  const routable = core.routable();
  return {
    connection: {
      phase: state.phase,
      text: describeConnectionState(state),
      ...(state.phase === 'retrying' ? { retryAt: state.retryAt } : {}),
    },
    presence: {
      manual: presence.manual,
      effective: presence.effective,
      published: presence.publication.kind === 'published',
    },
    routable: { routable: routable.routable, explanation: routable.explanation },
    account: { uri: core.agent.aor, displayName },
    previews: core.previews.list().map(previewView),
  };
}

/** A conversation as the contract carries it (plain arrays). */
export function conversationView(c: Conversation): v.InferOutput<typeof ConversationSchema> {
  const { calls, ...rest } = c;
  return {
    ...rest,
    agent: { ...c.agent },
    userData: { ...c.userData },
    messages: c.messages.map((m) => ({ ...m })),
    ...(calls ? { calls: calls.map((r) => ({ ...r, remote: { ...r.remote } })) } : {}),
  };
}
