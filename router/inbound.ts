/**
 * What a routing point does with a MESSAGE it receives (validation is
 * synchronous; the engine's answer may come later, after the shared store):
 *   text/plain                       → a new request from an agent (200, routed asynchronously)
 *   control `preview-answer`, `end`  → the engine
 *   control `resume`                 → the router (a paused KW comes back)
 *   any other control type           → 400 (the router never accepts it)
 *   bad JSON / schema / size         → what parseControlMessage says (400/413/415)
 *   any other content type           → 415
 * Every refusal is logged and changes nothing.
 */
import type { IncomingSipMessage, SipReply } from '../main/core/sip/agent.js';
import type { Logger } from '../main/core/log.js';
import {
  LIMITS,
  encodeControlMessage,
  isControlContentType,
  parseControlMessage,
  shortenSubject,
  type ControlInput,
} from '../wire/control.js';
import { CONTROL_CONTENT_TYPE, TEXT_PLAIN, mediaType } from '../wire/content-types.js';
import { INTERACTION_HEADER } from '../wire/header-names.js';
import { readUserData } from '../wire/user-data.js';
import { toAor } from '../wire/sip/uri.js';
import { userPart } from './config.js';
import type { Reply } from './engine.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The routing point's interactions (shared-routing.ts answers once the store has spoken). */
export interface InboundEngine {
  /** `callId`: the MESSAGE's Call-ID (a forked copy of it is answered once). */
  request(request: InteractionInput, callId?: string): Reply | Promise<Reply>;
  answer(
    interactionId: string,
    from: string,
    decision: 'accept' | 'decline',
    reason?: string,
  ): Reply | Promise<Reply>;
  end(interactionId: string, from: string): Reply | Promise<Reply>;
  /** A paused KW asks for requests again (issue 16); absent: 400 like any unexpected type. */
  resume?(interactionId: string, from: string): Reply | Promise<Reply>;
}

type InteractionInput = Omit<ControlInput<'preview'>, 'expiresAt' | 'routingPoint'>;

export interface InboundContext {
  readonly engine: InboundEngine;
  readonly routingPoint: string;
  readonly userDataPrefix: string;
  readonly logger: Logger;
}

export function handleInbound(
  message: IncomingSipMessage,
  ctx: InboundContext,
): SipReply | Promise<SipReply> {
  const reply = dispatch(message, ctx);
  if (reply instanceof Promise) return reply.then((r) => logged(message, r, ctx));
  return logged(message, reply, ctx);
}

function logged(message: IncomingSipMessage, reply: SipReply, ctx: InboundContext): SipReply {
  const fields = {
    from: message.from.uri,
    contentType: message.contentType,
    status: reply.status,
    reason: reply.reason,
  };
  if (reply.status >= 400) ctx.logger.warn('MESSAGE refused', fields);
  else ctx.logger.debug('MESSAGE accepted', fields);
  return reply;
}

function dispatch(message: IncomingSipMessage, ctx: InboundContext): SipReply | Promise<SipReply> {
  const from = toAor(message.from.uri);
  if (from === undefined) return { status: 400, reason: 'From Is Not A SIP Address' };
  if (mediaType(message.contentType) === TEXT_PLAIN) return request(message, from, ctx);
  if (!isControlContentType(message.contentType)) return { status: 415, reason: 'Unsupported Media Type' };

  const parsed = parseControlMessage(message.contentType, message.body, message.header(INTERACTION_HEADER));
  if (!parsed.ok) return { status: parsed.status, reason: parsed.reason };
  const control = parsed.message;
  switch (control.type) {
    case 'preview-answer':
      return ctx.engine.answer(control.interactionId, from, control.decision, control.reason);
    case 'end':
      return ctx.engine.end(control.interactionId, from);
    case 'resume':
      if (ctx.engine.resume) return ctx.engine.resume(control.interactionId, from);
      return { status: 400, reason: `Unexpected Message Type ${control.type}` };
    case 'preview':
    case 'preview-cancel':
    case 'routed':
    case 'not-routed':
    case 'paused':
      return { status: 400, reason: `Unexpected Message Type ${control.type}` };
  }
}

function request(
  message: IncomingSipMessage,
  from: string,
  ctx: InboundContext,
): SipReply | Promise<SipReply> {
  const interactionId = message.header(INTERACTION_HEADER)?.trim();
  if (interactionId === undefined || interactionId === '')
    return { status: 400, reason: `Missing ${INTERACTION_HEADER}` };
  if (!UUID.test(interactionId)) return { status: 400, reason: `Invalid ${INTERACTION_HEADER}: not a UUID` };
  const fields: Omit<ControlInput<'preview'>, 'expiresAt'> = {
    interactionId,
    agent: {
      uri: from,
      displayName: (message.from.displayName ?? userPart(from)).slice(0, LIMITS.displayName),
    },
    routingPoint: ctx.routingPoint,
    // Too long a subject is shortened with "…", not refused (the agent's request still counts).
    subject: shortenSubject(message.header('Subject')?.trim() ?? ''),
    text: message.body,
    userData: readUserData(message.raw, ctx.userDataPrefix),
  };
  // Validate now with the preview's own schema, so that the agent hears about a field
  // that is too long (and which one) instead of every KW refusing the preview later.
  const check = parseControlMessage(
    CONTROL_CONTENT_TYPE,
    encodeControlMessage('preview', { ...fields, expiresAt: new Date().toISOString() }),
  );
  if (!check.ok) return { status: check.status, reason: check.reason };
  const { routingPoint: _routingPoint, ...request } = fields;
  return ctx.engine.request(request, message.header('Call-ID'));
}
