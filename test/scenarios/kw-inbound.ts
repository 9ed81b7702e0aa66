/**
 * What the KW core takes in over real SIP, and what it refuses: previews only
 * from trusted routing points, bounded unsolicited conversations, strict
 * validation (dates, userData, UTF-8, isComposing). A fake routing point (a
 * plain SIP agent registered as `billing`) sends the control messages, so each
 * test controls exactly what reaches the KW.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SipAgent } from '../../main/core/sip/agent.js';
import { memoryLogger } from '../../main/core/log.js';
import { encodeControlMessage } from '../../wire/control.js';
import {
  CONTROL_CONTENT_TYPE,
  IS_COMPOSING_CONTENT_TYPE,
  TEXT_PLAIN_UTF8,
} from '../../wire/content-types.js';
import { encodeIsComposing } from '../../wire/is-composing.js';
import { UNSOLICITED_LIMITS } from '../../main/core/conversations/unsolicited-policy.js';
import type { ServerFactory, ServerUnderTest } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { eventually } from '../support/agents.js';
import { answerTo, previewFields, startParty, type Answer } from '../support/kw-senders.js';
import { startKw, type TestKw } from '../support/kw-desk.js';
import { startWsTap } from '../support/ws-tap.js';
import { rawRequestBytes, statusOf } from '../support/raw-sip.js';

export function defineKwInboundScenarios(factory: ServerFactory): void {
  const log = memoryLogger('warn');
  const later = cleanupAfterEach();

  async function server(): Promise<ServerUnderTest> {
    const s = await factory.start({ logger: log.logger });
    later(() => s.close());
    return s;
  }

  async function party(s: ServerUnderTest, user: string): Promise<SipAgent> {
    return (await startParty(s, user, log.logger, later)).agent;
  }

  async function kw(s: ServerUnderTest, servers?: string[]): Promise<TestKw> {
    const k = await startKw(s, 'kw1', log.logger, {
      trustedRoutingPoints: [`sip:billing@${s.domain}`],
      ...(servers ? { servers } : {}),
    });
    later.peer(() => k.stop());
    return k;
  }

  /** A preview from the fake routing point, accepted: a conversation with `agentUser`. */
  async function accepted(
    s: ServerUnderTest,
    k: TestKw,
    billing: SipAgent,
    agentUser = 'agent1',
  ): Promise<string> {
    const fields = previewFields(billing.aor, `sip:${agentUser}@${s.domain}`);
    const sent = await answerTo(
      billing,
      k.uri,
      encodeControlMessage('preview', fields),
      CONTROL_CONTENT_TYPE,
    );
    expect(sent.status).toBe(200);
    await k.core.previews.accept((await k.nextPreview()).preview.interactionId);
    return fields.interactionId;
  }

  describe(`${factory.kind}: the KW trusts only its routing points`, () => {
    it('a SIP user naming itself as routing point gets 403 and no preview; the trusted one is shown; an untrusted cancel gets 403', async () => {
      const s = await server();
      const k = await kw(s);
      const mallory = await party(s, 'mallory');
      const billing = await party(s, 'billing');
      const forged = encodeControlMessage('preview', previewFields(mallory.aor, `sip:agent1@${s.domain}`));
      expect(await answerTo(mallory, k.uri, forged, CONTROL_CONTENT_TYPE)).toMatchObject({
        status: 403,
        reason: 'Not A Trusted Routing Point',
      });
      expect(k.core.previews.list()).toEqual([]);

      const real = previewFields(billing.aor, `sip:agent1@${s.domain}`);
      expect(
        (await answerTo(billing, k.uri, encodeControlMessage('preview', real), CONTROL_CONTENT_TYPE)).status,
      ).toBe(200);
      expect((await k.nextPreview()).preview.interactionId).toBe(real.interactionId);

      const cancel = encodeControlMessage('preview-cancel', {
        interactionId: real.interactionId,
        reason: 'taken',
      });
      expect(await answerTo(mallory, k.uri, cancel, CONTROL_CONTENT_TYPE)).toMatchObject({
        status: 403,
        reason: 'Not A Trusted Routing Point',
      });
      expect(k.core.previews.get(real.interactionId)).toBeDefined();
      expect((await answerTo(billing, k.uri, cancel, CONTROL_CONTENT_TYPE)).status).toBe(200);
      expect(k.core.previews.get(real.interactionId)).toBeUndefined();
    });
  });

  describe(`${factory.kind}: unsolicited conversations are bounded`, () => {
    it('1,000 MESSAGEs with new interaction ids from one agent: a few kept, 503 + Retry-After for the rest; the accepted chat works throughout', async () => {
      const s = await server();
      const k = await kw(s);
      const billing = await party(s, 'billing');
      const agent = await party(s, 'agent1');
      const id = await accepted(s, k, billing);
      const answers: Answer[] = [];
      const started = Date.now();
      for (let i = 0; i < 1000; i += 1) {
        answers.push(await answerTo(agent, k.uri, `flood ${i}`, TEXT_PLAIN_UTF8, randomUUID()));
        if (i % 100 === 0)
          expect((await answerTo(agent, k.uri, `real ${i}`, TEXT_PLAIN_UTF8, id)).status).toBe(200);
      }
      const kept = answers.filter((a) => a.status === 200);
      const limited = answers.filter((a) => a.status === 503);
      console.log(
        `${factory.kind} flood: 1000 new-id MESSAGEs in ${Date.now() - started} ms → ${kept.length} kept, ` +
          `${limited.length} × 503 (Retry-After ${[...new Set(limited.map((a) => a.retryAfter))].join('/')} s)`,
      );
      expect(kept.length).toBeGreaterThanOrEqual(UNSOLICITED_LIMITS.newConversations.capacity);
      expect(kept.length).toBeLessThanOrEqual(UNSOLICITED_LIMITS.maxActive);
      expect(limited.length).toBe(1000 - kept.length);
      for (const a of limited) {
        expect(a.reason).toBe('Too Many New Conversations, Retry Later');
        expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      }
      expect(k.core.conversations.list().filter((c) => c.unsolicited)).toHaveLength(kept.length);
      const chat = k.core.conversations.get(id);
      expect(chat?.messages.filter((m) => m.text.startsWith('real '))).toHaveLength(10);
      expect((await k.core.conversations.send(id, 'still with you')).delivery).toBe('delivered');
    });

    it('past 20 waiting unsolicited conversations, any agent gets 486 with the reason', async () => {
      const s = await server();
      const k = await kw(s);
      const billing = await party(s, 'billing');
      const perAgent = UNSOLICITED_LIMITS.newConversations.capacity;
      const agents = Math.ceil(UNSOLICITED_LIMITS.maxActive / perAgent) + 1;
      const parties: SipAgent[] = [];
      for (let n = 1; n <= agents; n += 1) {
        const a = await party(s, `agent${n}`);
        await accepted(s, k, billing, `agent${n}`);
        parties.push(a);
      }
      const statuses: Answer[] = [];
      for (const a of parties)
        for (let i = 0; i < perAgent; i += 1)
          statuses.push(await answerTo(a, k.uri, 'new topic', TEXT_PLAIN_UTF8, randomUUID()));
      expect(statuses.filter((a) => a.status === 200)).toHaveLength(UNSOLICITED_LIMITS.maxActive);
      const busy = statuses.filter((a) => a.status !== 200);
      expect(busy.length).toBeGreaterThan(0);
      for (const a of busy)
        expect(a).toMatchObject({ status: 486, reason: 'Too Many Unsolicited Conversations' });
    });
  });

  describe(`${factory.kind}: strict validation`, () => {
    it('an impossible date and userData given as an array get 400 with the reason, and no preview', async () => {
      const s = await server();
      const k = await kw(s);
      const billing = await party(s, 'billing');
      const fields = previewFields(billing.aor, `sip:agent1@${s.domain}`);
      const feb30 = encodeControlMessage('preview', { ...fields, expiresAt: '2027-02-30T09:00:00.000Z' });
      expect(await answerTo(billing, k.uri, feb30, CONTROL_CONTENT_TYPE)).toMatchObject({
        status: 400,
        reason: 'Invalid expiresAt: expiresAt must be a real ISO time',
      });
      const array = JSON.stringify({
        ...JSON.parse(encodeControlMessage('preview', fields)),
        userData: ['42'],
      });
      expect(await answerTo(billing, k.uri, array, CONTROL_CONTENT_TYPE)).toMatchObject({
        status: 400,
        reason: 'Invalid userData: userData must be a JSON object',
      });
      expect(k.core.previews.list()).toEqual([]);
    });

    it('an unclosed isComposing document gets 400 and shows no typing', async () => {
      const s = await server();
      const k = await kw(s);
      const billing = await party(s, 'billing');
      const agent = await party(s, 'agent1');
      const id = await accepted(s, k, billing);
      const typing: boolean[] = [];
      k.core.conversations.on('typing', (t) => typing.push(t.active));
      const unclosed = encodeIsComposing({ state: 'active', refresh: 60 }).replace('</isComposing>', '');
      expect(await answerTo(agent, k.uri, unclosed, IS_COMPOSING_CONTENT_TYPE, id)).toMatchObject({
        status: 400,
        reason: 'Malformed isComposing XML',
      });
      expect(typing).toEqual([]);
      // The well-formed one still shows.
      const good = encodeIsComposing({ state: 'active', refresh: 60 });
      expect((await answerTo(agent, k.uri, good, IS_COMPOSING_CONTENT_TYPE, id)).status).toBe(200);
      expect(typing).toEqual([true]);
    });

    it('a MESSAGE claiming a dialog the KW never had (a To-tag) gets 481 and changes nothing', async () => {
      const s = await server();
      const tap = await startWsTap(s.url);
      later(() => tap.close());
      const k = await kw(s, [tap.url]);
      const billing = await party(s, 'billing');
      const id = await accepted(s, k, billing);
      const before = k.core.conversations.get(id)?.messages.length;
      const callId = `made-up-dialog-${randomUUID()}`;
      const frame = rawRequestBytes('MESSAGE', k.uri, Buffer.from('from a dialog that never was'), {
        from: `sip:agent1@${s.domain}`,
        toTag: 'never-issued',
        callId,
        headers: [`Content-Type: ${TEXT_PLAIN_UTF8}`, `X-Interaction-Id: ${id}`],
      });
      expect(tap.inject(frame, { binary: false })).toBe(1);
      const response = await tap.nextFromClient((t) => t.startsWith('SIP/2.0') && t.includes(callId));
      expect(response.split('\r\n')[0]).toBe('SIP/2.0 481 No Such Dialog');
      expect(k.core.conversations.get(id)?.messages.length).toBe(before);
    });

    it('bytes that are not UTF-8 in a body get 400 from the KW, in binary and text frames alike, and the KW stays connected', async () => {
      const s = await server();
      const tap = await startWsTap(s.url);
      later(() => tap.close());
      const k = await kw(s, [tap.url]);
      const billing = await party(s, 'billing');
      const agent = await party(s, 'agent1');
      const id = await accepted(s, k, billing);
      const before = k.core.conversations.get(id)?.messages.length;
      const frames = [
        { from: agent.aor, type: 'text/plain', body: Buffer.from([0x63, 0x61, 0x66, 0xff]), binary: true },
        { from: agent.aor, type: 'text/plain', body: Buffer.from([0x63, 0xc3, 0x28]), binary: false },
        {
          from: billing.aor,
          type: CONTROL_CONTENT_TYPE,
          body: Buffer.concat([
            Buffer.from(
              encodeControlMessage('preview', previewFields(billing.aor, `sip:agent1@${s.domain}`)).slice(
                0,
                -2,
              ),
            ),
            Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate: not UTF-8
            Buffer.from('"}'),
          ]),
          binary: false,
        },
      ];
      for (const f of frames) {
        const callId = `bad-utf8-${randomUUID()}`;
        const frame = rawRequestBytes('MESSAGE', k.uri, f.body, {
          from: f.from,
          callId,
          headers: [`Content-Type: ${f.type}`, `X-Interaction-Id: ${id}`],
        });
        expect(tap.inject(frame, { binary: f.binary })).toBe(1);
        const response = await tap.nextFromClient((t) => t.startsWith('SIP/2.0') && t.includes(callId));
        expect(statusOf(response)).toBe(400);
        expect(response.split('\r\n')[0]).toBe('SIP/2.0 400 Body Is Not Valid UTF-8');
      }
      expect(k.core.conversations.get(id)?.messages.length).toBe(before);
      expect(k.core.previews.list()).toEqual([]);
      expect(k.core.agent.isRegistered).toBe(true);
      // Still the same connection, still working.
      expect((await answerTo(agent, k.uri, 'caf\u00e9 \uFFFD', TEXT_PLAIN_UTF8, id)).status).toBe(200);
      await eventually(
        () => k.core.conversations.get(id)?.messages.at(-1)?.text === 'caf\u00e9 \uFFFD',
        2000,
        () => 'the U+FFFD the agent really wrote did not arrive as written',
      );
    });
  });
}
