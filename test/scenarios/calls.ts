/**
 * Escalated calls into the real KW core, written once and run against each
 * SIP server (test/integration: the lab server; test/interop: Kamailio). The
 * KW core has a media bridge with a Node media host (werift); the caller
 * (the customer's phone after a transfer) is a SipAgent with its own bridge
 * and host. Each host sends its own tone, so what each side hears is checked.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { memoryLogger, type Logger } from '../../main/core/log.js';
import type { IncomingDTMFEvent, IncomingDTMFListener, RTCSession } from 'jssip/lib/RTCSession';
import { AgentBot } from '../../lab/agent-bot/index.js';
import type { RunningRouter, RoutingState } from '../../router/index.js';
import type { CallView } from '../../preload/contract.js';
import type { ServerFactory, ServerUnderTest } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { startNodeMedia } from '../support/node-media.js';
import { createTestAgent, eventually, startRegistered, withDeadline } from '../support/agents.js';
import { startKw, type TestKw } from '../support/kw-desk.js';
import { startTestRouter } from '../support/test-router.js';

const CUSTOMER_HZ = 440;
const KW_HZ = 1000;

export function defineCallScenarios(factory: ServerFactory): void {
  describe(`escalated calls into the KW core with Node media hosts (${factory.kind})`, () => {
    const later = cleanupAfterEach();

    async function media(name: string, toneHz: number, logger: Logger) {
      return startNodeMedia(name, toneHz, logger, later);
    }

    interface World {
      readonly s: ServerUnderTest;
      readonly router: RunningRouter;
      readonly kw: TestKw;
      readonly kwMedia: Awaited<ReturnType<typeof media>>;
      readonly bot: AgentBot;
      readonly logger: Logger;
    }

    async function world(): Promise<World> {
      const { logger } = memoryLogger('warn');
      const s = await factory.start({ logger });
      later(() => s.close());
      // Before the SIP clients: the KW stops before its media host closes; the clients stop together.
      const kwMedia = await media('kw1', KW_HZ, logger);
      const router = await startTestRouter(
        s.url,
        [{ uri: 'billing', strategy: 'round-robin', members: ['kw1'], previewTimeoutSeconds: 10 }],
        logger,
        s.domain,
      );
      later.peer(() => router.close());
      const kw = await startKw(s, 'kw1', logger, {
        trustedRoutingPoints: [`sip:billing@${s.domain}`],
        media: kwMedia.bridge,
        ringTimeoutMs: 10_000,
      });
      later.peer(() => kw.stop());
      const agent = createTestAgent(s, 'agent1', { logger, displayName: 'Alex Agent' });
      later.peer(() => agent.stop(1500));
      await startRegistered(agent);
      const bot = new AgentBot({ agent, logger });
      later.peer(async () => bot.dispose());
      await eventually(
        () => router.routingState(kw.uri).kind === 'Ready',
        10_000,
        () => 'the router never saw kw1 Ready',
      );
      return { s, router, kw, kwMedia, bot, logger };
    }

    /** The agent asks, the KW accepts: a routed interaction with a conversation in the KW core. */
    async function routedInteraction(w: World): Promise<string> {
      const interactionId = randomUUID();
      const asked = w.bot.askExpert(`sip:billing@${w.s.domain}`, {
        text: 'Customer on the line about invoice 7',
        subject: 'Invoice paid twice',
        userData: { CaseNumber: '42' },
        interactionId,
      });
      const preview = await w.kw.nextPreview();
      await w.kw.core.previews.accept(preview.preview.interactionId);
      await asked;
      return interactionId;
    }

    /** The call that rings next in the KW core. */
    function ringingCall(w: World): Promise<CallView> {
      return w.kw.core.calls
        .once('changed', (calls) => calls.some((c) => c.phase === 'ringing'))
        .then((calls) => calls.find((c) => c.phase === 'ringing') as CallView);
    }

    function routerSees(w: World, expected: RoutingState['kind'], reason?: string): Promise<void> {
      return eventually(
        () => {
          const state = w.router.routingState(w.kw.uri);
          return (
            state.kind === expected &&
            (reason === undefined || ('reason' in state && state.reason === reason))
          );
        },
        10_000,
        () => `the router sees ${JSON.stringify(w.router.routingState(w.kw.uri))}, not ${expected}`,
      );
    }

    it('rings with its conversation, answers with audio both ways, sets In a call, records the call', async () => {
      const w = await world();
      const interactionId = await routedInteraction(w);
      const customer = await media('customer', CUSTOMER_HZ, w.logger);
      const phone = createTestAgent(w.s, 'customer', { logger: w.logger, displayName: 'Renée Customer' });
      later.peer(() => phone.stop(1500));
      await startRegistered(phone);

      const stream = await customer.bridge.capture();
      const ringing = ringingCall(w);
      const session: RTCSession = phone.call(`sip:billing@${w.s.domain}`, {
        mediaStream: stream,
        pcConfig: customer.bridge.pcConfig(),
        headers: [
          `X-Interaction-Id: ${interactionId}`,
          'X-Escalation: transfer',
          'X-UserData-Channel: voice',
        ],
      });
      const ended = new Promise<string>((resolve) => {
        session.on('ended', (e) => resolve(String(e.cause)));
        session.on('failed', (e) => resolve(`failed: ${String(e.cause)}`));
      });
      session.on('ended', () => customer.bridge.release(stream));

      const call = await withDeadline(ringing, 10_000, () => 'the KW core never rang');
      expect(call).toMatchObject({
        phase: 'ringing',
        escalation: 'transfer',
        interactionId,
        context: { subject: 'Invoice paid twice', userData: { CaseNumber: '42', Channel: 'voice' } },
      });
      expect(call.context?.agent.uri).toBe(`sip:agent1@${w.s.domain}`);

      await w.kw.core.calls.answer(call.callId);
      await eventually(
        () => w.kw.core.calls.list().find((c) => c.callId === call.callId)?.phase === 'active',
        10_000,
        () => 'the call never became active',
      );
      await eventually(
        () => w.kwMedia.host.hears([CUSTOMER_HZ], 400)[CUSTOMER_HZ] === true,
        10_000,
        () => 'the KW never heard the customer',
      );
      await eventually(
        () => customer.host.hears([KW_HZ], 400)[KW_HZ] === true,
        10_000,
        () => 'the customer never heard the KW',
      );
      await routerSees(w, 'NotReady', 'on-the-phone');

      // The keypad: DTMF as SIP INFO reaches the caller's session.
      const tones: string[] = [];
      session.on('newDTMF', ((e: IncomingDTMFEvent) => {
        if (e.originator === 'remote') tones.push(String(e.dtmf.tone));
      }) as IncomingDTMFListener);
      w.kw.core.calls.dtmf(call.callId, '42#');
      await eventually(
        () => tones.join('') === '42#',
        5000,
        () => `the caller got DTMF "${tones.join('')}"`,
      );

      // Mute and hold from the KW core: the customer stops hearing the KW, then hears it again.
      const customerHearsKw = (heard: boolean, what: string) =>
        eventually(
          () => customer.host.hears([KW_HZ], 400)[KW_HZ] === heard,
          10_000,
          () => what,
        );
      w.kw.core.calls.mute(call.callId, true);
      await customerHearsKw(false, 'the customer still heard the muted KW');
      w.kw.core.calls.mute(call.callId, false);
      await customerHearsKw(true, 'the customer never heard the KW again after unmute');
      w.kw.core.calls.hold(call.callId, true);
      await customerHearsKw(false, 'the customer still heard the KW on hold');
      w.kw.core.calls.hold(call.callId, false);
      await customerHearsKw(true, 'the customer never heard the KW again after resume');
      expect(w.kw.core.calls.list().find((c) => c.callId === call.callId)).toMatchObject({
        held: false,
        dtmf: '42#',
      });

      session.terminate();
      expect(await ended).toBe('Terminated');
      await eventually(
        () => w.kw.core.calls.list().find((c) => c.callId === call.callId)?.phase === 'ended',
        5000,
        () => 'the KW never saw the call end',
      );
      const record = w.kw.core.conversations.get(interactionId)?.calls?.[0];
      expect(record).toMatchObject({
        outcome: 'answered',
        escalation: 'transfer',
        endReason: 'The caller hung up',
      });
      expect(record?.durationMs).toBeGreaterThan(0);
      await routerSees(w, 'Ready');
      await eventually(
        () => w.kwMedia.host.liveTracks === 0 && w.kwMedia.host.openPeerConnections === 0,
        5000,
        () => 'the KW media host kept tracks or peer connections',
      );
    });

    it('refuses a call with 480 Media Unavailable when no media host is attached', async () => {
      const w = await world();
      w.kwMedia.bridge.detach('the media window crashed');
      const phone = createTestAgent(w.s, 'customer', { logger: w.logger });
      later.peer(() => phone.stop(1500));
      await startRegistered(phone);
      const response = await phone.request('INVITE', w.kw.uri, {
        body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n',
        contentType: 'application/sdp',
      });
      expect(response.status).toBe(480);
      expect(response.reason).toBe('Media Unavailable');
      expect(w.kw.core.calls.list()).toEqual([]);
    });
  });
}
