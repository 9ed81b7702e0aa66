/**
 * The parties that write to a KW in the inbound tests: plain SIP agents that
 * answer 200 to what the KW sends them (preview-answer, chat, end) and keep it,
 * plus helpers to send a MESSAGE and read the answer, 2xx or not.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingSipMessage, SipAgent } from '../../main/core/sip/agent.js';
import { SipRequestError } from '../../main/core/sip/request.js';
import type { Logger } from '../../main/core/log.js';
import type { ControlInput } from '../../wire/control.js';
import type { ServerUnderTest } from './servers.js';
import { createTestAgent, startRegistered } from './agents.js';
import type { Later } from './cleanup.js';

export interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly retryAfter: string | undefined;
}

export interface Party {
  readonly agent: SipAgent;
  /** What the KW sent this party, oldest first. */
  readonly received: IncomingSipMessage[];
}

/** A registered SIP agent playing a routing point, an agent or a stranger. */
export async function startParty(
  server: ServerUnderTest,
  user: string,
  logger: Logger,
  later: Later,
): Promise<Party> {
  const agent = createTestAgent(server, user, { logger });
  const received: IncomingSipMessage[] = [];
  agent.onMessage((m) => {
    received.push(m);
    return { status: 200 };
  });
  later.peer(() => agent.stop(1000));
  await startRegistered(agent);
  return { agent, received };
}

/** Sends a MESSAGE and resolves with the final answer, 2xx or not. */
export function answerTo(
  from: SipAgent,
  to: string,
  body: string,
  contentType: string,
  interactionId?: string,
): Promise<Answer> {
  const headers = interactionId ? [`X-Interaction-Id: ${interactionId}`] : [];
  return from.sendMessage(to, body, { contentType, headers }).then(
    (r) => ({ status: r.status, reason: r.reason, retryAfter: undefined }),
    (e: unknown) => {
      if (!(e instanceof SipRequestError)) throw e;
      return { status: e.status, reason: e.reason, retryAfter: e.response?.header('Retry-After') };
    },
  );
}

/** A well-formed preview from `routingPoint` for `agentUri`, expiring in a minute. */
export function previewFields(routingPoint: string, agentUri: string): ControlInput<'preview'> {
  return {
    interactionId: randomUUID(),
    agent: { uri: agentUri, displayName: 'Agent One' },
    routingPoint,
    subject: 'Invoice 42',
    text: 'Customer disputes invoice 42',
    userData: { CaseNumber: '42' },
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  };
}
