/**
 * Decides what every incoming MESSAGE is and who handles it: control messages
 * (previews, cancels, end), chat text, typing notifications. Synchronous,
 * because its result is the SIP reply. Anything refused is logged with the
 * status it got and changes no state.
 */
import type { Logger } from './log.js';
import type { IncomingSipMessage, SipReply } from './sip/agent.js';
import { parseControlMessage } from '../../wire/control.js';
import {
  CONTROL_CONTENT_TYPE,
  IS_COMPOSING_CONTENT_TYPE,
  TEXT_PLAIN,
  mediaType,
} from '../../wire/content-types.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import type { PreviewInbox } from './previews/preview-inbox.js';
import type { ConversationService } from './conversations/conversation-service.js';
import { parseIsComposing } from '../../wire/is-composing.js';
import { toAor } from '../../wire/sip/uri.js';
import { NOT_TRUSTED, type TrustedRoutingPoints } from './previews/trusted-routing-points.js';
import type { PauseNotices } from './previews/pause-notices.js';

export const ACCEPTED_TYPES: readonly string[] = [
  TEXT_PLAIN,
  CONTROL_CONTENT_TYPE,
  IS_COMPOSING_CONTENT_TYPE,
];

export interface InboundTargets {
  readonly previews: PreviewInbox;
  readonly conversations: ConversationService;
  readonly trustedRoutingPoints: TrustedRoutingPoints;
  readonly logger: Logger;
  /** A routing point's `paused` (issue 16); absent: refused like any other unexpected type. */
  readonly pauses?: PauseNotices;
}

export function dispatchInbound(message: IncomingSipMessage, targets: InboundTargets): SipReply {
  const reply = route(message, targets);
  if (reply.status >= 300) {
    targets.logger.warn('incoming MESSAGE refused', {
      from: message.from.uri,
      contentType: message.contentType,
      status: reply.status,
      reason: reply.reason,
    });
  }
  return reply;
}

function route(message: IncomingSipMessage, targets: InboundTargets): SipReply {
  const type = mediaType(message.contentType);
  const interactionId = message.header(INTERACTION_HEADER);
  if (!ACCEPTED_TYPES.includes(type)) {
    return {
      status: 415,
      reason: 'Unsupported Media Type',
      headers: [`Accept: ${ACCEPTED_TYPES.join(', ')}`],
    };
  }
  // Every type we take is UTF-8: a body with U+FFFD for bytes that were not is not what was sent.
  if (message.invalidUtf8) return { status: 400, reason: 'Body Is Not Valid UTF-8' };
  if (type === CONTROL_CONTENT_TYPE) return routeControl(message, interactionId, targets);
  if (type === IS_COMPOSING_CONTENT_TYPE) {
    const parsed = parseIsComposing(message.body);
    if (!parsed.ok) return { status: parsed.status, reason: parsed.reason };
    return targets.conversations.receiveComposing(message.from.uri, interactionId, parsed.composing);
  }
  return targets.conversations.receiveText(message.from, interactionId, message.body);
}

function routeControl(
  message: IncomingSipMessage,
  interactionId: string | undefined,
  { previews, conversations, trustedRoutingPoints, pauses }: InboundTargets,
): SipReply {
  const parsed = parseControlMessage(message.contentType, message.body, interactionId);
  if (!parsed.ok) return { status: parsed.status, reason: parsed.reason };
  const control = parsed.message;
  const from = message.from.uri;
  switch (control.type) {
    case 'preview':
      if (!trustedRoutingPoints.has(from)) return NOT_TRUSTED;
      // Only the routing point that offers may send the preview.
      if (toAor(from) !== toAor(control.routingPoint)) {
        return { status: 403, reason: 'Preview Not From Its Routing Point' };
      }
      return previews.receive(control);
    case 'preview-cancel':
      if (!trustedRoutingPoints.has(from)) return NOT_TRUSTED;
      return previews.cancel(control, from);
    case 'paused':
      if (!pauses) break;
      if (!trustedRoutingPoints.has(from)) return NOT_TRUSTED;
      // Only a routing point may pause this KW for itself.
      if (toAor(from) !== toAor(control.routingPoint)) {
        return { status: 403, reason: 'Paused Not From Its Routing Point' };
      }
      return pauses.receive(control);
    case 'end':
      // From the agent, or from the routing point (which must be trusted: checked there).
      return conversations.receiveEnd(from, control.interactionId);
    default:
      break;
  }
  return { status: 400, reason: `Not A Message For A KW: ${control.type}` };
}
