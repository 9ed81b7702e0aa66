/** Core state → the views of the contract (what the renderer is allowed to see). */
import type { KwCore } from '../core/kw-core.js';
import type { PendingPreview } from '../core/previews/preview-inbox.js';
import type {
  CallView,
  ConversationView,
  DevicesView,
  PreviewView,
  StatusView,
} from '../../preload/contract.js';
import type { CallRecord, ChatMessage, Conversation } from '../core/conversations/model.js';
import type { CallState, DeviceState } from '../core/calls/call-state.js';
import { describeConnectionState } from '../core/sip/connection-state.js';

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
    history: historyView(core),
  };
}

function historyView(core: KwCore): StatusView['history'] {
  const { saving, problem } = core.historyStatus();
  return { saving, ...(problem !== undefined ? { problem } : {}) };
}

/** A conversation as the renderer sees it: field by field, so the history format can change without the view. */
export function conversationView(c: Conversation): ConversationView {
  return {
    interactionId: c.interactionId,
    agent: { uri: c.agent.uri, displayName: c.agent.displayName },
    ...(c.routingPoint !== undefined ? { routingPoint: c.routingPoint } : {}),
    subject: c.subject,
    userData: { ...c.userData },
    state: c.state,
    ...(c.endedBy !== undefined ? { endedBy: c.endedBy } : {}),
    startedAt: c.startedAt,
    ...(c.endedAt !== undefined ? { endedAt: c.endedAt } : {}),
    ...(c.unsolicited !== undefined ? { unsolicited: c.unsolicited } : {}),
    messages: c.messages.map(messageView),
    calls: (c.calls ?? []).map(callRecordView),
  };
}

function messageView(m: ChatMessage): ConversationView['messages'][number] {
  return {
    id: m.id,
    direction: m.direction,
    text: m.text,
    at: m.at,
    ...(m.delivery !== undefined ? { delivery: m.delivery } : {}),
    ...(m.error !== undefined ? { error: m.error } : {}),
  };
}

function callRecordView(r: CallRecord): ConversationView['calls'][number] {
  return { ...r, remote: { ...r.remote } };
}

export function callView(c: CallState): CallView {
  const party = (p: CallState['remote']) => ({ uri: p.uri, displayName: p.displayName });
  return {
    ...c,
    remote: party(c.remote),
    ...(c.context
      ? {
          context: {
            subject: c.context.subject,
            agent: party(c.context.agent),
            userData: { ...c.context.userData },
          },
        }
      : {}),
    participants: c.participants.map(party),
  };
}

export function devicesView(d: DeviceState): DevicesView {
  return { ...d, inputs: d.inputs.map((x) => ({ ...x })), outputs: d.outputs.map((x) => ({ ...x })) };
}
