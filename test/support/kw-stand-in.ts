/**
 * A KW as a router sees one, without the KW Desktop: a SIP agent that
 * PUBLISHes the KW Desktop's PIDF, records the previews it is offered, and
 * answers them when told (or at once with `autoAccept`). For router and
 * dashboard tests that need many KWs cheaply.
 */
import type { Logger } from '../../main/core/log.js';
import { CONTROL_CONTENT_TYPE } from '../../wire/content-types.js';
import { encodeControlMessage, isControlContentType, parseControlMessage } from '../../wire/control.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import { encodePidf } from '../../wire/presence/pidf.js';
import { presenceDocument, type EffectiveState } from '../../wire/presence/states.js';
import { createTestAgent, startRegistered } from './agents.js';
import type { ServerUnderTest } from './servers.js';

export interface OfferedPreview {
  readonly interactionId: string;
  readonly routingPoint: string;
}

export interface KwStandIn {
  readonly uri: string;
  readonly previews: OfferedPreview[];
  setPresence(state: EffectiveState): Promise<void>;
  answer(preview: OfferedPreview, decision: 'accept' | 'decline'): Promise<number>;
}

export interface KwStandInOptions {
  readonly logger: Logger;
  /** Where the stand-in's stop goes (the test's cleanups). */
  readonly onCleanup: (stop: () => Promise<unknown>) => void;
  readonly autoAccept?: boolean;
}

/** Registered and Available; `user` is the full user part (`<prefix>-kw1`). */
export async function startKwStandIn(
  server: ServerUnderTest,
  user: string,
  options: KwStandInOptions,
): Promise<KwStandIn> {
  const agent = createTestAgent(server, user, { logger: options.logger });
  options.onCleanup(() => agent.stop(1500));
  const publisher = agent.createPublisher({ expires: 120 });
  const stand: KwStandIn = {
    uri: `sip:${user}@${server.domain}`,
    previews: [],
    async setPresence(state) {
      const result = await publisher.publish(encodePidf(presenceDocument(stand.uri, state)));
      if (result.kind !== 'published') throw new Error(`${user}: PUBLISH failed`);
    },
    async answer({ interactionId, routingPoint }, decision) {
      const reply = await agent.sendMessage(
        routingPoint,
        encodeControlMessage('preview-answer', { interactionId, decision }),
        { contentType: CONTROL_CONTENT_TYPE, headers: [`${INTERACTION_HEADER}: ${interactionId}`] },
      );
      return reply.status;
    },
  };
  agent.onMessage((m) => {
    if (!isControlContentType(m.contentType)) return { status: 200 };
    const parsed = parseControlMessage(m.contentType, m.body, m.header(INTERACTION_HEADER));
    if (parsed.ok && parsed.message.type === 'preview') {
      const preview = {
        interactionId: parsed.message.interactionId,
        routingPoint: parsed.message.routingPoint,
      };
      stand.previews.push(preview);
      if (options.autoAccept) setTimeout(() => void stand.answer(preview, 'accept'), 20);
    }
    return { status: 200 };
  });
  await startRegistered(agent);
  await stand.setPresence('available');
  return stand;
}
