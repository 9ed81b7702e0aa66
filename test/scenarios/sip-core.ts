/**
 * The foundation scenarios, written once and run against each SIP server
 * (test/integration: the lab server; test/interop: Kamailio).
 */
import { describe, expect, it } from 'vitest';
import type { SipAgent, IncomingSipMessage } from '../../main/core/sip/agent.js';
import { SipRequestError } from '../../main/core/sip/request.js';
import { readUserData, userDataHeaders } from '../../wire/user-data.js';
import { encodePidf, parsePidf } from '../../wire/presence/pidf.js';
import type { WatchUpdate } from '../../main/core/sip/presence-watch.js';
import { memoryLogger } from '../../main/core/log.js';
import type { ServerFactory, ServerUnderTest } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { createTestAgent, startRegistered, waitForState, withDeadline } from '../support/agents.js';
import { startWsTap, type WsTap } from '../support/ws-tap.js';
import { connectRaw, rawRequest, statusOf } from '../support/raw-sip.js';
import { recordFigure } from '../support/figures.js';
import { MINIMAL_SDP } from '../support/sdp.js';

const USERS = [
  { user: 'kw1', password: 'kw1-secret' },
  { user: 'kw2', password: 'kw2-secret' },
  { user: 'kw3', password: 'kw3-secret' },
  { user: 'agent1', password: 'agent1-secret' },
];

export function defineSipCoreScenarios(factory: ServerFactory): void {
  const log = memoryLogger('info');
  const later = cleanupAfterEach();

  async function server(options: { users?: boolean } = {}): Promise<ServerUnderTest> {
    const s = await factory.start({
      logger: log.logger.child(factory.kind),
      ...(options.users ? { users: USERS } : {}),
    });
    later(() => s.close());
    return s;
  }

  async function agent(
    s: ServerUnderTest,
    user: string,
    extra: { password?: string; servers?: string[] } = {},
  ): Promise<SipAgent> {
    const a = createTestAgent(s, user, { logger: log.logger, ...extra });
    later.peer(() => a.stop(1500));
    return startRegistered(a);
  }

  function inbox(
    a: SipAgent,
    reply: (m: IncomingSipMessage) => { status: number; reason?: string } = () => ({ status: 200 }),
  ) {
    const got: IncomingSipMessage[] = [];
    const waiters: Array<() => void> = [];
    a.onMessage((m) => {
      got.push(m);
      for (const w of waiters.splice(0)) w();
      return reply(m);
    });
    return {
      got,
      async waitFor(n: number, ms = 5000): Promise<IncomingSipMessage> {
        await withDeadline(
          (async () => {
            while (got.length < n) await new Promise<void>((r) => waiters.push(r));
          })(),
          ms,
          () => `expected ${n} messages, got ${got.length}`,
        );
        const message = got[n - 1];
        if (!message) throw new Error(`message ${n} missing`);
        return message;
      },
    };
  }

  describe(`${factory.kind}: registration and MESSAGE`, () => {
    it('two agents register and exchange IMs both ways with interaction id and user data intact', async () => {
      const s = await server();
      const kw = await agent(s, 'kw1');
      const ag = await agent(s, 'agent1');
      const kwInbox = inbox(kw);
      const agInbox = inbox(ag);
      const interactionId = '5d0c3a52-7a1e-4c2b-9b8e-1f2a3b4c5d6e';
      const sent = await ag.sendMessage(
        `sip:kw1@${s.domain}`,
        'Hello, can you help with case 42? — “ünïcödé”',
        {
          headers: [
            `X-Interaction-Id: ${interactionId}`,
            ...userDataHeaders({ CaseNumber: '42', CustomerName: 'Renée Ø' }),
          ],
        },
      );
      expect(sent.status).toBe(200);
      const atKw = await kwInbox.waitFor(1);
      expect(atKw.body).toBe('Hello, can you help with case 42? — “ünïcödé”');
      expect(atKw.header('X-Interaction-Id')).toBe(interactionId);
      expect(atKw.contentType).toMatch(/^text\/plain/);
      expect(readUserData(atKw.raw)).toEqual({ CaseNumber: '42', CustomerName: 'Renée Ø' });
      expect(atKw.from.uri).toContain('agent1@');

      await kw.sendMessage(`sip:agent1@${s.domain}`, 'Sure.', {
        headers: [`X-Interaction-Id: ${interactionId}`],
      });
      const atAgent = await agInbox.waitFor(1);
      expect(atAgent.body).toBe('Sure.');
      expect(atAgent.header('X-Interaction-Id')).toBe(interactionId);
    });

    it('a 603 Decline from the receiver reaches the sender as an error with that status', async () => {
      const s = await server();
      const kw = await agent(s, 'kw1');
      const ag = await agent(s, 'agent1');
      inbox(kw, () => ({ status: 603, reason: 'Decline' }));
      const error = await ag.sendMessage(`sip:kw1@${s.domain}`, 'anyone?').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SipRequestError);
      expect((error as SipRequestError).status).toBe(603);
    });

    it('a MESSAGE answered later: the sender waits for that answer (a 2xx or a 503 with its headers), not an early 200', async () => {
      const s = await server();
      const kw = await agent(s, 'kw1');
      const ag = await agent(s, 'agent1');
      const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
      kw.onMessage(async (m) => {
        await delay(300);
        return m.body === 'fail'
          ? { status: 503, reason: 'Router Store Unavailable', headers: ['Retry-After: 7'] }
          : { status: 200, reason: 'OK' };
      });
      const started = Date.now();
      await ag.sendMessage(`sip:kw1@${s.domain}`, 'ok');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      const error = await ag.sendMessage(`sip:kw1@${s.domain}`, 'fail').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SipRequestError);
      expect((error as SipRequestError).status).toBe(503);
      expect((error as SipRequestError).response?.header('Retry-After')).toBe('7');
    });

    it('a MESSAGE to a user who is not registered fails with a 4xx', async () => {
      const s = await server();
      const ag = await agent(s, 'agent1');
      const error = await ag.sendMessage(`sip:kw2@${s.domain}`, 'anyone?').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SipRequestError);
      expect([404, 480]).toContain((error as SipRequestError).status);
    });
  });

  describe(`${factory.kind}: presence`, () => {
    it('PUBLISH reaches a subscriber as NOTIFY, a change gives a new NOTIFY, quitting withdraws it', async () => {
      const s = await server();
      const kw = await agent(s, 'kw1');
      const router = await agent(s, 'agent1');
      const updates: WatchUpdate[] = [];
      const watch = router.watchPresence(`sip:kw1@${s.domain}`);
      watch.on('update', (u) => updates.push(u));
      const nextDoc = (pred: (basic: string, activities: string[]) => boolean) =>
        withDeadline(
          watch.once('update', (u) => {
            if (u.kind !== 'document') return false;
            const p = parsePidf(u.body);
            return p.ok && pred(p.value.basic, p.value.activities);
          }),
          8000,
          () => `no matching NOTIFY; updates: ${JSON.stringify(updates.map((u) => u.kind))}`,
        );

      const publisher = kw.createPublisher({ expires: 120 });
      const available = nextDoc((basic, acts) => basic === 'open' && acts.length === 0);
      const first = await publisher.publish(encodePidf({ entity: kw.aor, basic: 'open', activities: [] }));
      expect(first.kind).toBe('published');
      await available;

      const busy = nextDoc((basic, acts) => basic === 'open' && acts.includes('busy'));
      const second = await publisher.publish(
        encodePidf({ entity: kw.aor, basic: 'open', activities: ['busy'], note: 'Busy' }),
      );
      expect(second.kind).toBe('published');
      await busy;

      // Quit: publish closed, then withdraw (Expires: 0) on stop.
      const closed = nextDoc((basic) => basic === 'closed');
      await publisher.publish(encodePidf({ entity: kw.aor, basic: 'closed', activities: [] }));
      await closed;
      // Servers differ here: the lab server and Kamailio's cache-less mode send a NOTIFY
      // without body; Kamailio with db_text sends the withdrawn tuple once as closed.
      const removed = withDeadline(
        watch.once('update', (u) => u.kind === 'empty' || (u.kind === 'document' && isClosed(u.body))),
        8000,
        () => 'no NOTIFY after withdrawal',
      );
      await kw.stop();
      await removed;
    });

    it('a refresh keeps the entity tag; an unknown entity tag gets 412 and a full republication', async () => {
      const s = await server();
      const kw = await agent(s, 'kw1');
      const publisher = kw.createPublisher({ expires: 120 });
      const first = await publisher.publish(encodePidf({ entity: kw.aor, basic: 'open', activities: [] }));
      expect(first.kind).toBe('published');
      // A conditional PUBLISH with a made-up entity tag must be refused with 412.
      const refused = await kw.request('PUBLISH', kw.aor, {
        headers: ['Event: presence', 'Expires: 120', 'SIP-If-Match: no-such-etag'],
      });
      expect(refused.status).toBe(412);
      const again = await publisher.republish();
      expect(again.kind).toBe('published');
    });
  });

  describe(`${factory.kind}: redirect`, () => {
    it('an INVITE answered 302 by its callee reaches the redirect target with its headers', async () => {
      const s = await server();
      const caller = await agent(s, 'agent1');
      const redirector = await agent(s, 'kw1');
      const target = await agent(s, 'kw3');
      redirector.onInvite(() => ({ kind: 'redirect', contacts: [`sip:kw3@${s.domain}`] }));
      const seen: Array<{ interactionId: string | undefined; userData: Record<string, string> }> = [];
      target.onInvite((invite) => {
        seen.push({ interactionId: invite.header('X-Interaction-Id'), userData: readUserData(invite.raw) });
        return { kind: 'reject', status: 486, reason: 'Busy Here' };
      });
      const response = await caller.request('INVITE', `sip:kw1@${s.domain}`, {
        headers: [
          'X-Interaction-Id: 7b1d',
          'X-Escalation: transfer',
          ...userDataHeaders({ CaseNumber: '99' }),
        ],
        contentType: 'application/sdp',
        body: MINIMAL_SDP,
      });
      expect(seen).toEqual([{ interactionId: '7b1d', userData: { CaseNumber: '99' } }]);
      // The caller sees the target's answer, not the 302.
      expect(response.status).toBe(486);
    });
  });

  describe(`${factory.kind}: recovery`, () => {
    it('after the server is killed and restarted, the agent re-registers and re-publishes by itself', async () => {
      const s = await server();
      const kw = await agent(s, 'kw1');
      const watcher = await agent(s, 'agent1');
      const publisher = kw.createPublisher({ expires: 120 });
      await publisher.publish(encodePidf({ entity: kw.aor, basic: 'open', activities: [] }));
      const watch = watcher.watchPresence(kw.aor);

      const lost = waitForState(kw, (st) => st.phase === 'retrying', 10_000);
      const killedAt = performance.now();
      await s.kill();
      await lost;
      expect(kw.isRegistered).toBe(false);

      await s.restart();
      const upAt = performance.now();
      const registered = waitForState(kw, (st) => st.phase === 'registered', 15_000).then(() =>
        performance.now(),
      );
      const republished = withDeadline(
        publisher.once('state', (st) => st.kind === 'published'),
        15_000,
        () => 'no republication',
      ).then(() => performance.now());
      const watchedAgain = withDeadline(
        watch.once('update', (u) => u.kind === 'document' && parsePidf(u.body).ok),
        15_000,
        () => 'watcher saw no presence after restart',
      );
      const [regAt, pubAt] = await Promise.all([registered, republished, watchedAgain]);
      recordFigure(`${factory.kind}.reregister_after_restart`, Math.round(regAt - upAt), 'ms', {
        fromKillMs: Math.round(regAt - killedAt),
      });
      recordFigure(`${factory.kind}.republish_after_restart`, Math.round(pubAt - upAt), 'ms');
      expect(kw.isRegistered).toBe(true);
    });

    it('fails over to the next server in the list when the first is unreachable', async () => {
      const s = await server();
      const dead = 'ws://127.0.0.1:9'; // discard port: connection refused on loopback
      const kw = await agent(s, 'kw1', { servers: [dead, s.url] });
      expect(kw.state).toMatchObject({ phase: 'registered', server: s.url });
    });
  });

  describe(`${factory.kind}: digest authentication`, () => {
    it('a wrong password is refused with a clear state; the right one registers', async () => {
      const s = await server({ users: true });
      const wrong = createTestAgent(s, 'kw1', { logger: log.logger, password: 'not-the-password' });
      later.peer(() => wrong.stop(1000));
      wrong.start();
      const state = await waitForState(
        wrong,
        (st) => st.phase === 'retrying' && /credentials/.test(st.reason),
      );
      expect(state.phase).toBe('retrying');
      expect(wrong.isRegistered).toBe(false);
      expect(JSON.stringify(log.records)).not.toContain('not-the-password');

      const right = await agent(s, 'kw2', { password: 'kw2-secret' });
      expect(right.isRegistered).toBe(true);
      const kwInbox = inbox(right);
      const other = await agent(s, 'kw3', { password: 'kw3-secret' });
      await other.sendMessage(`sip:kw2@${s.domain}`, 'authenticated hello');
      expect((await kwInbox.waitFor(1)).body).toBe('authenticated hello');
    });
  });

  describe(`${factory.kind}: bad input`, () => {
    it('garbage and oversized messages to the server leave it working', async () => {
      const s = await server();
      const raw = await connectRaw(s.url);
      later.peer(async () => raw.close());
      const frames = [
        'garbage',
        '\u0000\u0001\u0002',
        'INVITE\r\n\r\n',
        'MESSAGE sip:kw1@lab.local SIP/2.0\r\nVia: nonsense\r\n\r\n',
        rawRequest('MESSAGE', `sip:kw1@${s.domain}`, { headers: ['CSeq: x MESSAGE'] }),
        rawRequest('MESSAGE', `sip:kw1@${s.domain}`, {
          body: 'x'.repeat(200_000),
          headers: ['Content-Type: text/plain'],
        }),
      ];
      for (const f of frames) raw.send(f);
      if (s.kind === 'lab') {
        // The lab server keeps a connection that sent garbage (Kamailio may close it).
        raw.send(rawRequest('OPTIONS', `sip:${s.domain}`));
        await raw.next((t) => t.startsWith('SIP/2.0') && t.includes('OPTIONS'), 5000);
      }
      // The server still serves agents.
      const kw = await agent(s, 'kw1');
      const ag = await agent(s, 'agent1');
      const kwInbox = inbox(kw);
      await ag.sendMessage(`sip:kw1@${s.domain}`, 'still there?');
      expect((await kwInbox.waitFor(1)).body).toBe('still there?');
      if (s.kind === 'lab') {
        const statuses = raw.received.map(statusOf).filter((n) => n >= 400);
        expect(statuses).toContain(400);
        expect(statuses).toContain(413);
      }
    });

    it('garbage frames to the agent leave it registered and working', async () => {
      const s = await server();
      const tap: WsTap = await startWsTap(s.url);
      later(() => tap.close());
      const kw = await agent(s, 'kw1', { servers: [tap.url] });
      const ag = await agent(s, 'agent1');
      const kwInbox = inbox(kw);
      const agInbox = inbox(ag);
      const junk = [
        'garbage',
        'SIP/2.0 200 OK\r\n\r\n',
        'MESSAGE sip:kw1@x SIP/2.0\r\nVia: SIP/2.0/WS x.invalid\r\n\r\n',
        `SIP/2.0 999 Weird\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bKnope\r\nCall-ID: nope\r\nCSeq: 1 MESSAGE\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nContent-Length: 0\r\n\r\n`,
        '\r\n\r\n',
        Buffer.from([0xff, 0xfe, 0x00, 0x41]),
        'x'.repeat(100_000),
      ];
      for (const f of junk) expect(tap.inject(f)).toBe(1);
      await ag.sendMessage(`sip:kw1@${s.domain}`, 'after the junk');
      expect((await kwInbox.waitFor(1)).body).toBe('after the junk');
      expect(kw.isRegistered).toBe(true);
      await kw.sendMessage(`sip:agent1@${s.domain}`, 'fine here');
      expect((await agInbox.waitFor(1)).body).toBe('fine here');
    });
  });
}

function isClosed(body: string): boolean {
  const parsed = parsePidf(body);
  return parsed.ok && parsed.value.basic === 'closed';
}
