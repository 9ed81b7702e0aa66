/**
 * The lab Kamailio with digest auth on vouches for identities: an
 * authenticated request must claim the authenticated user's own AOR (From;
 * To for REGISTER; also the presentity for PUBLISH), else 403, logged, and
 * nothing is relayed or stored (lab/kamailio/README.md, "Identity").
 * One real Kamailio for the file; hand-written SIP over WebSockets, loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import type { SipRequest, SipResponse } from '../../lab/sip-server/message.js';
import { kamailioAvailable, startKamailio, type KamailioInstance } from '../../lab/kamailio/launcher.js';
import { eventually } from '../support/agents.js';
import { connectRaw, rawRequest, statusOf } from '../support/raw-sip.js';
import { isRequest, isResponse, rand, RawWs, TestUa, type SendOptions } from '../unit/lab/helpers/raw-ua.js';

const available = await kamailioAvailable();
if (!available && process.env.CI === 'true') {
  // In CI a missing Kamailio is a failure, not a skip (docs/design.md §6).
  describe('kamailio identity check', () => {
    it('needs the kamailio binary and modules', () => {
      expect.fail('kamailio is not installed');
    });
  });
} else if (!available) {
  console.warn('kamailio not installed: skipping test/interop/kamailio-identity.kamailio.test.ts');
}

const AGENT = { user: 'agent1', password: 'agent1-secret' };
const USERS = [
  AGENT,
  { user: 'kw1', password: 'kw1-secret' },
  { user: 'kw2', password: 'kw2-secret' },
  { user: 'billing-experts', password: 'billing-secret' },
];
const passwordOf = (user: string): string => USERS.find((u) => u.user === user)?.password ?? '';

const pidf = (entity: string, note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
  `<tuple id="desk"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;

describe.skipIf(!available)('kamailio with digest auth: requests must claim the authenticated user', () => {
  let k: KamailioInstance;
  const { logger, records } = memoryLogger('debug');
  const sockets: RawWs[] = [];

  beforeAll(async () => {
    k = await startKamailio({ users: USERS, logger });
  });
  afterAll(async () => {
    await k?.stop();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });

  async function connect(user: string): Promise<TestUa> {
    const ws = await RawWs.connect(k.url);
    sockets.push(ws);
    return new TestUa(ws, user, k.domain, passwordOf(user));
  }

  async function registered(user: string): Promise<TestUa> {
    const ua = await connect(user);
    expect((await ua.register()).status).toBe(200);
    return ua;
  }

  /**
   * A request claiming `claimed` (From/To user), sent on `on`'s connection and
   * answered to the challenge with agent1's credentials: what an agent who
   * knows only their own password can do.
   */
  async function asAgent(
    on: TestUa,
    claimed: { user: string; domain?: string },
    method: string,
    target: string,
    o: SendOptions = {},
  ): Promise<{ challenge: SipResponse; final: SipResponse; req: SipRequest }> {
    const forger = new TestUa(on.ws, claimed.user, claimed.domain ?? k.domain);
    const req = forger.build(method, target, o);
    on.ws.send(req);
    const challenge = await on.ws.next(isResponse(method));
    expect([401, 407]).toContain(challenge.status);
    const retry = forger.withCredentials(req, challenge, AGENT.password, AGENT.user);
    on.ws.send(retry);
    return { challenge, final: await on.ws.next(isResponse(method)), req: retry };
  }

  const refusedBy = (res: SipResponse, claim: string): void => {
    expect(res.status).toBe(403);
    expect(res.reason).toBe(`${claim} Does Not Match Authenticated User`);
    expect(res.headers.get('Server')).toBe('kw-lab-kamailio'); // the proxy's own answer
  };

  it('refuses a MESSAGE from agent1 claiming a routing point (403, logged, not relayed); the honest one arrives', async () => {
    const agent = await registered('agent1');
    const kw = await registered('kw1');
    const forgedBody = `forged ${rand()}`;

    const forged = await asAgent(agent, { user: 'billing-experts' }, 'MESSAGE', `sip:kw1@${k.domain}`, {
      contentType: 'text/plain',
      body: forgedBody,
    });
    expect(forged.challenge.status).toBe(407);
    refusedBy(forged.final, 'From');
    await eventually(
      () =>
        records.some(
          (r) =>
            r.level === 'warn' &&
            /identity refused: auth user agent1 sent MESSAGE with From <sip:billing-experts@lab\.local> via ws:127\.0\.0\.1:\d+/.test(
              r.msg,
            ),
        ),
      5_000,
      () => 'the refusal in the Kamailio log',
    );

    // The honest MESSAGE on the same connection reaches kw1, and it is the first one there.
    const honestBody = `honest ${rand()}`;
    const sent = agent.request('MESSAGE', `sip:kw1@${k.domain}`, {
      contentType: 'text/plain',
      body: honestBody,
    });
    const got = await kw.ws.next(isRequest('MESSAGE'), 5_000);
    expect(got.body).toBe(honestBody);
    expect(got.headers.get('From')).toContain(`sip:agent1@${k.domain}`);
    kw.respond(got, 200);
    expect((await sent).status).toBe(200);
    expect(kw.ws.raw.join('\n')).not.toContain(forgedBody);
  });

  it('refuses the same user in another domain of the server (the domain is part of the identity)', async () => {
    const agent = await registered('agent1');
    const kw = await registered('kw1');
    const body = `other domain ${rand()}`;
    const res = await asAgent(
      agent,
      { user: 'agent1', domain: `127.0.0.1:${k.port}` },
      'MESSAGE',
      `sip:kw1@${k.domain}`,
      { contentType: 'text/plain', body },
    );
    refusedBy(res.final, 'From');
    await kw.ws.nothing(isRequest('MESSAGE'), 300);
    expect(kw.ws.raw.join('\n')).not.toContain(body);
  });

  it.each([
    [
      'INVITE',
      { contentType: 'application/sdp', body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' },
    ],
    ['SUBSCRIBE', { headers: [['Event', 'presence'] as const, ['Expires', '60'] as const] }],
  ] as const)('refuses a forged %s (403, nothing at the target)', async (method, o) => {
    const agent = await registered('agent1');
    const kw = await registered('kw1');
    const res = await asAgent(agent, { user: 'billing-experts' }, method, `sip:kw1@${k.domain}`, o);
    refusedBy(res.final, 'From');
    if (method === 'INVITE') agent.ws.send(ackFor(res.req, res.final));
    await kw.ws.nothing(isRequest(method), 300);
    // No request of any kind reached kw1's connection (only its REGISTER's responses),
    // nor came back to agent1 (an accepted SUBSCRIBE is NOTIFYed at once).
    expect(kw.ws.raw.filter((t) => !t.startsWith('SIP/2.0 '))).toEqual([]);
    expect(agent.ws.raw.filter((t) => !t.startsWith('SIP/2.0 '))).toEqual([]);
  });

  it('refuses a made-up in-dialog MESSAGE (To-tag, Route to the proxy, a learned contact) with a forged From', async () => {
    const agent = await registered('agent1');
    const kw = await registered('kw1');
    // kw1 writes to agent1: agent1 learns kw1's aliased Contact, a target the proxy relays to.
    const hello = kw.request('MESSAGE', `sip:agent1@${k.domain}`, {
      contentType: 'text/plain',
      body: 'hello',
    });
    const atAgent = await agent.ws.next(isRequest('MESSAGE'), 5_000);
    agent.respond(atAgent, 200);
    expect((await hello).status).toBe(200);
    const contact = /<([^>]+)>/.exec(atAgent.headers.get('Contact') ?? '')?.[1] ?? '';
    expect(contact).toContain(';alias=');
    const inDialog = (body: string): SendOptions => ({
      uri: contact,
      toTag: rand(4),
      headers: [['Route', `<sip:127.0.0.1:${k.port};lr>`]],
      contentType: 'text/plain',
      body,
    });

    const forgedBody = `forged in-dialog ${rand()}`;
    const forged = await asAgent(
      agent,
      { user: 'billing-experts' },
      'MESSAGE',
      `sip:kw1@${k.domain}`,
      inDialog(forgedBody),
    );
    expect(forged.challenge.status).toBe(407);
    refusedBy(forged.final, 'From');

    // With agent1's own From it is relayed (after the challenge) like any MESSAGE.
    const honestBody = `honest in-dialog ${rand()}`;
    const sent = agent.request('MESSAGE', `sip:kw1@${k.domain}`, inDialog(honestBody));
    const got = await kw.ws.next(isRequest('MESSAGE'), 5_000);
    expect(got.body).toBe(honestBody);
    kw.respond(got, 200);
    expect((await sent).status).toBe(200);
    expect(kw.ws.raw.join('\n')).not.toContain(forgedBody);
  });

  it('refuses a control character in a URI with 400 before anything logs it', async () => {
    const raw = await connectRaw(k.url);
    try {
      raw.send(rawRequest('MESSAGE', `sip:kw1@${k.domain}`, { from: `sip:bill\u001bing@${k.domain}` }));
      const res = await raw.next((t) => statusOf(t) >= 200);
      expect(res.split('\r\n')[0]).toBe('SIP/2.0 400 Control Character In URI');
      await eventually(
        () =>
          records.some(
            (r) =>
              r.level === 'warn' &&
              r.msg.includes('MESSAGE with a control character in a URI from ws:127.0.0.1:'),
          ),
        5_000,
        () => 'the refusal in the Kamailio log',
      );
      expect(records.filter((r) => r.msg.includes('\u001b'))).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it('refuses a PUBLISH for another presentity and one with a foreign From (nothing stored); the owner publishes', async () => {
    const agent = await registered('agent1');
    const watcher = await connect('kw1');
    const kw2 = await connect('kw2');
    const forgedNote = `forged-${rand()}`;
    const publish = (note: string): SendOptions => ({
      headers: [
        ['Event', 'presence'],
        ['Expires', '60'],
      ],
      contentType: 'application/pidf+xml',
      body: pidf(`sip:kw2@${k.domain}`, note),
    });

    // agent1 as itself, publishing kw2's presence.
    const other = await asAgent(
      agent,
      { user: 'agent1' },
      'PUBLISH',
      `sip:kw2@${k.domain}`,
      publish(forgedNote),
    );
    refusedBy(other.final, 'Presentity');
    // A From outside the domain is challenged too (it used to be stored unauthenticated).
    const foreign = await asAgent(
      agent,
      { user: 'kw2', domain: 'elsewhere.invalid' },
      'PUBLISH',
      `sip:kw2@${k.domain}`,
      publish(forgedNote),
    );
    expect(foreign.challenge.status).toBe(407);
    refusedBy(foreign.final, 'From');

    // A watcher of kw2 sees nothing published, then kw2's own publication.
    const sub = await watcher.request('SUBSCRIBE', `sip:kw2@${k.domain}`, {
      headers: [
        ['Event', 'presence'],
        ['Expires', '60'],
      ],
    });
    expect([200, 202]).toContain(sub.status);
    const first = await watcher.ws.next(isRequest('NOTIFY'), 5_000);
    watcher.respond(first, 200);
    expect(first.body).not.toContain('<tuple');
    const honestNote = `honest-${rand()}`;
    expect((await kw2.request('PUBLISH', `sip:kw2@${k.domain}`, publish(honestNote))).status).toBe(200);
    const second = await watcher.ws.next(isRequest('NOTIFY'), 5_000);
    watcher.respond(second, 200);
    expect(second.body).toContain(honestNote);
    expect(watcher.ws.raw.join('\n')).not.toContain(forgedNote);
  });

  it('refuses a REGISTER of another AOR or domain (403 on To); nothing is registered', async () => {
    const agent = await connect('agent1');
    const forKw2 = await asAgent(agent, { user: 'kw2' }, 'REGISTER', `sip:${k.domain}`, {
      to: `sip:kw2@${k.domain}`,
      headers: [['Expires', '600']],
    });
    expect(forKw2.challenge.status).toBe(401);
    refusedBy(forKw2.final, 'To');
    const otherDomain = `127.0.0.1:${k.port}`;
    const elsewhere = await asAgent(
      agent,
      { user: 'agent1', domain: otherDomain },
      'REGISTER',
      `sip:${k.domain}`,
      {
        to: `sip:agent1@${otherDomain}`,
        headers: [['Expires', '600']],
      },
    );
    refusedBy(elsewhere.final, 'To');

    // kw2 was not registered by agent1's REGISTER: a MESSAGE to it finds no one.
    const sender = await registered('kw1');
    expect(
      (await sender.request('MESSAGE', `sip:kw2@${k.domain}`, { body: 'x', contentType: 'text/plain' }))
        .status,
    ).toBe(404);
  });
});

/** The ACK for a non-2xx final response to an INVITE (RFC 3261 17.1.1.3). */
function ackFor(invite: SipRequest, final: SipResponse): string {
  const via = invite.headers.get('Via') ?? '';
  const cseq = (invite.headers.get('CSeq') ?? '').split(' ')[0] ?? '1';
  return [
    `ACK ${invite.uri} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: ${invite.headers.get('From') ?? ''}`,
    `To: ${final.headers.get('To') ?? ''}`,
    `Call-ID: ${invite.headers.get('Call-ID') ?? ''}`,
    `CSeq: ${cseq} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
