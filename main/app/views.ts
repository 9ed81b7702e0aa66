/** Core state → the views of the contract (what the renderer is allowed to see). */
import type { KwCore } from '../core/kw-core.js';
import type { PendingPreview } from '../core/previews/preview-inbox.js';
import { pauseSentence, type PauseNotice } from '../core/previews/pause-notices.js';
import type {
  CallLevelsView,
  CallView,
  ConversationView,
  DevicesView,
  PreviewView,
  RequestEntryView,
  RequestsView,
  StatusView,
} from '../../preload/contract.js';
import type { CallRecord, ChatMessage } from '../core/conversations/model.js';
import { isWhole, type ListedConversation } from '../core/conversations/conversation-summary.js';
import type { CallLevels, CallState, DeviceState } from '../core/calls/call-state.js';
import { outcomeSentence, trailingStatus } from '../core/sip/outcome-text.js';
import { connectionView } from './connection-view.js';
import type { RequestLog } from '../core/requests/request-log.js';
import type { RequestRecord } from '../core/requests/request-record.js';
import { describeRequest } from '../core/requests/request-sentence.js';
import type { ManualState } from '../../wire/presence/manual-states.js';

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
  const presence = core.presence.snapshot();
  const routable = core.routable();
  return {
    connection: connectionView(core.agent.state),
    presence: {
      manual: presence.manual,
      effective: presence.effective,
      published: presence.publication.kind === 'published',
      ...(presence.until !== undefined ? { until: new Date(presence.until).toISOString() } : {}),
      ...(presence.returnTo !== undefined ? { returnTo: presence.returnTo } : {}),
    },
    routable: { routable: routable.routable, explanation: routable.explanation },
    account: { uri: core.agent.aor, displayName },
    previews: core.previews.list().map(previewView),
    history: historyView(core),
    signIn: false,
    ...(core.alerts.isAlerting() ? { alerting: true } : {}),
    ...pausedView(core.pauses.list()),
  };
}

/** The routing points' pause notices as one sentence (absent when none). */
export function pausedView(notices: readonly PauseNotice[]): Pick<StatusView, 'paused'> {
  return notices.length === 0 ? {} : { paused: { sentence: notices.map(pauseSentence).join(' ') } };
}

function historyView(core: KwCore): StatusView['history'] {
  const { saving, problem, unreadable } = core.historyStatus();
  return {
    saving,
    ...(problem !== undefined ? { problem } : {}),
    ...(unreadable !== undefined
      ? { unreadable: { folder: unreadable.folder, reason: unreadable.reason } }
      : {}),
  };
}

/**
 * A conversation as the renderer sees it: field by field, so the history
 * format can change without the view. Of a summary, only the last message and
 * call are sent, with the counts (`summary`).
 */
export function conversationView(c: ListedConversation): ConversationView {
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
    ...(c.agentOfflineSince !== undefined ? { agentOfflineSince: c.agentOfflineSince } : {}),
    ...partsView(c),
  };
}

function partsView(c: ListedConversation): Pick<ConversationView, 'messages' | 'calls' | 'summary'> {
  if (isWhole(c))
    return { messages: c.messages.map(messageView), calls: (c.calls ?? []).map(callRecordView) };
  return {
    messages: c.lastMessage ? [messageView(c.lastMessage)] : [],
    calls: c.lastCall ? [callRecordView(c.lastCall)] : [],
    summary: { messageCount: c.messageCount, callCount: c.callCount },
  };
}

function messageView(m: ChatMessage): ConversationView['messages'][number] {
  return {
    id: m.id,
    direction: m.direction,
    text: m.text,
    at: m.at,
    ...(m.delivery !== undefined ? { delivery: m.delivery } : {}),
    ...deliveryError(m),
  };
}

/**
 * The failure's sentence and detail. History written before issue 12 kept the
 * status line itself as the error ("480 Temporarily Unavailable"): it becomes
 * the detail, and its sentence is made here.
 */
function deliveryError(m: ChatMessage): Pick<ConversationView['messages'][number], 'error' | 'errorDetail'> {
  if (m.error === undefined) return {};
  if (m.errorDetail !== undefined) return { error: m.error, errorDetail: m.errorDetail };
  const status = trailingStatus(m.error);
  if (status === undefined) return { error: m.error };
  const sentence = outcomeSentence({ kind: 'response', to: 'agent', status, local: false });
  return { error: sentence, errorDetail: m.error };
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

/** A call's sound for its meters: the levels, nothing else of the call. */
export function levelsView(l: CallLevels): CallLevelsView {
  return { callId: l.callId, input: l.input, output: l.output, inputSilent: l.inputSilent };
}

export function devicesView(d: DeviceState): DevicesView {
  return { ...d, inputs: d.inputs.map((x) => ({ ...x })), outputs: d.outputs.map((x) => ({ ...x })) };
}

/** The Requests section: each record with its sentence, field by field (the file format is the core's). */
export function requestsView(log: RequestLog): RequestsView {
  return { entries: log.list().map(requestEntryView), unseen: log.unseen() };
}

function requestEntryView(r: RequestRecord): RequestEntryView {
  return {
    id: r.id,
    kind: r.kind,
    ...(r.interactionId !== undefined ? { interactionId: r.interactionId } : {}),
    agent: { uri: r.agent.uri, displayName: r.agent.displayName },
    subject: r.subject,
    ...(r.routingPoint !== undefined ? { routingPoint: r.routingPoint } : {}),
    outcome: r.outcome,
    text: describeRequest(r),
    offeredAt: r.offeredAt,
    endedAt: r.endedAt,
    seen: r.seen,
  };
}

/** Before sign-in: nothing connects, nobody can reach this KW, and the main window asks for the account. */
export function signInStatusView(lastPresence: ManualState): StatusView {
  return {
    connection: { phase: 'stopped', text: 'Not signed in' },
    presence: { manual: lastPresence, effective: 'offline', published: false },
    routable: { routable: false, explanation: 'You are not signed in yet.' },
    account: { uri: '', displayName: '' },
    previews: [],
    history: { saving: true },
    signIn: true,
  };
}
