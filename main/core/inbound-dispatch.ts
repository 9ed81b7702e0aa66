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

export const ACCEPTED_TYPES = [TEXT_PLAIN, CONTROL_CONTENT_TYPE, IS_COMPOSING_CONTENT_TYPE];

export interface InboundTargets {
  readonly previews: PreviewInbox;
  readonly conversations: ConversationService;
  readonly logger: Logger;
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

function route(message: IncomingSipMessage, { previews, conversations }: InboundTargets): SipReply {
  const type = mediaType(message.contentType);
  const interactionId = message.header(INTERACTION_HEADER);
  switch (type) {
    case CONTROL_CONTENT_TYPE: {
      const parsed = parseControlMessage(message.contentType, message.body, interactionId);
      if (!parsed.ok) return { status: parsed.status, reason: parsed.reason };
      const control = parsed.message;
      switch (control.type) {
        case 'preview':
          // Only the routing point that offers may send the preview.
          if (toAor(message.from.uri) !== toAor(control.routingPoint)) {
            return { status: 403, reason: 'Preview Not From Its Routing Point' };
          }
          return previews.receive(control);
        case 'preview-cancel':
          return previews.cancel(control, message.from.uri);
        case 'end':
          return conversations.receiveEnd(message.from.uri, control.interactionId);
        default:
          return { status: 400, reason: `Not A Message For A KW: ${control.type}` };
      }
    }
    case TEXT_PLAIN:
      return conversations.receiveText(message.from, interactionId, message.body);
    case IS_COMPOSING_CONTENT_TYPE: {
      const composing = parseIsComposing(message.body);
      if (!composing) return { status: 400, reason: 'Malformed isComposing Document' };
      return conversations.receiveComposing(message.from.uri, interactionId, composing);
    }
    default:
      return {
        status: 415,
        reason: 'Unsupported Media Type',
        headers: [`Accept: ${ACCEPTED_TYPES.join(', ')}`],
      };
  }
}
