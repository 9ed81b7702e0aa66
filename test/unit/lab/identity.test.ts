/**
 * Finding 1a at the lab SIP server: with digest auth on, a request the server
 * challenges must claim the identity it authenticated as (From; also To for
 * REGISTER and the presentity for PUBLISH), else 403 with the reason, a log
 * line, and nothing forwarded, stored or NOTIFYed. Real WebSockets on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { startSipServer, type SipServer } from '../../../lab/sip-server/index.js';
import type { SipRequest, SipResponse } from '../../../lab/sip-server/message.js';
import { RawWs, TestUa, isRequest, isResponse, rand, type SendOptions } from './helpers/raw-ua.js';

const USERS = [
  { user: 'kw1', password: 'kw1-secret' },
  { user: 'kw2', password: 'kw2-secret' },
  { user: 'agent1', password: 'agent1-secret' },
  { user: 'billing-experts', password: 'be-secret' },
];
const AGENT = { user: 'agent1', password: 'agent1-secret' };
const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';

const pidf = (user: string, note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:${user}@lab.local"><tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;

const publishing = (user: string, note: string): SendOptions => ({
  body: pidf(user, note),
  contentType: 'application/pidf+xml',
  headers: [
    ['Event', 'presence'],
    ['Expires', '600'],
  ],
});

const open: RawWs[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

async function connect(server: SipServer, user: string, password?: string): Promise<TestUa> {
  const ws = await RawWs.connect(server.url);
  open.push(ws);
  return new TestUa(ws, user, 'lab.local', password);
}

async function registered(server: SipServer, user: string): Promise<TestUa> {
  const u = USERS.find((x) => x.user === user);
  const ua = await connect(server, user, u?.password);
  expect((await ua.register()).status).toBe(200);
  return ua;
}

/** agent1's connection sends `method` claiming `claimed`, answering the challenge with agent1's credentials. */
async function asAgent(
  agent: TestUa,
  claimed: string,
  method: string,
  target: string,
  o: SendOptions = {},
): Promise<{ req: SipRequest; final: SipResponse }> {
  const forger = new TestUa(agent.ws, claimed);
  const first = forger.build(method, target, o);
  agent.ws.send(first);
  const challenge = (await agent.ws.next(isResponse(method))) as SipResponse;
  expect([401, 407]).toContain(challenge.status);
  const req = forger.withCredentials(first, challenge, AGENT.password, AGENT.user);
  agent.ws.send(req);
  return { req, final: (await agent.ws.next(isResponse(method))) as SipResponse };
}

/** The hop-by-hop ACK of a failed INVITE (same branch, the answer's To). */
function ackFor(ua: TestUa, invite: SipRequest, res: SipResponse): SipRequest {
  const ack = ua.build('ACK', invite.uri, { contact: false });
  for (const name of ['Via', 'From', 'Call-ID']) ack.headers.set(name, invite.headers.get(name) ?? '');
  ack.headers.set('To', res.headers.get('To') ?? '');
  ack.headers.set('CSeq', `${invite.headers.get('CSeq')?.split(' ')[0] ?? '1'} ACK`);
  return ack;
}

const refusedBy = (res: SipResponse, claim: 'From' | 'To' | 'Presentity'): void => {
  expect(res.status).toBe(403);
  expect(res.reason).toBe(`${claim} Does Not Match Authenticated User`);
};

describe('lab SIP server with digest auth: the identity of authenticated requests', () => {
  const mem = memoryLogger();
  let server: SipServer;
  beforeAll(async () => {
    server = await startSipServer({ logger: mem.logger, users: USERS });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a MESSAGE from agent1 claiming a routing point (403, logged, not relayed); the honest one arrives', async () => {
    const kw = await registered(server, 'kw1');
    const agent = await registered(server, 'agent1');
    const forged = await asAgent(agent, 'billing-experts', 'MESSAGE', kw.aor, {
      body: 'forged',
      contentType: 'text/plain',
    });
    refusedBy(forged.final, 'From');
    await kw.ws.nothing(isRequest('MESSAGE'), 300);
    expect(
      mem.records.some(
        (r) =>
          r.msg.includes('403 From Does Not Match Authenticated User') &&
          r.msg.includes('authenticated as agent1, From sip:billing-experts@lab.local'),
      ),
    ).toBe(true);

    const honest = agent.request('MESSAGE', kw.aor, { body: 'honest', contentType: 'text/plain' });
    const got = (await kw.ws.next(isRequest('MESSAGE'))) as SipRequest;
    expect(got.body).toBe('honest');
    expect(got.headers.get('From')).toMatch(/^<sip:agent1@lab\.local>;tag=/);
    kw.respond(got, 200);
    expect((await honest).status).toBe(200);
  });

  it.each([
    ['INVITE', { body: SDP, contentType: 'application/sdp' }],
    ['SUBSCRIBE', { headers: [['Event', 'dialog'] as const, ['Expires', '60'] as const] }],
  ] as const)('refuses a forged %s (403, nothing at the target)', async (method, o) => {
    const kw = await registered(server, 'kw1');
    const agent = await registered(server, 'agent1');
    const forged = await asAgent(agent, 'billing-experts', method, kw.aor, o);
    refusedBy(forged.final, 'From');
    if (method === 'INVITE') agent.ws.send(ackFor(agent, forged.req, forged.final));
    await kw.ws.nothing(() => true, 300);
    expect(kw.ws.raw.filter((t) => !t.startsWith('SIP/2.0 '))).toEqual([]);
  });

  it('refuses a forged presence SUBSCRIBE: no subscription, no NOTIFY', async () => {
    await registered(server, 'kw1');
    const agent = await registered(server, 'agent1');
    const forged = await asAgent(agent, 'kw2', 'SUBSCRIBE', 'sip:kw1@lab.local', {
      headers: [
        ['Event', 'presence'],
        ['Expires', '60'],
      ],
    });
    refusedBy(forged.final, 'From');
    await agent.ws.nothing(isRequest('NOTIFY'), 300);
    const honest = await agent.request('SUBSCRIBE', 'sip:kw1@lab.local', {
      headers: [
        ['Event', 'presence'],
        ['Expires', '60'],
      ],
    });
    expect(honest.status).toBe(200);
    agent.respond((await agent.ws.next(isRequest('NOTIFY'))) as SipRequest, 200);
  });

  it('refuses a PUBLISH for another presentity or with another From (nothing stored); the owner publishes', async () => {
    const agent = await registered(server, 'agent1');
    const watcher = await registered(server, 'kw2');
    const owner = await connect(server, 'kw1', 'kw1-secret');
    const forgedNote = `forged-${rand()}`;
    const sub = await watcher.request('SUBSCRIBE', 'sip:kw1@lab.local', {
      headers: [
        ['Event', 'presence'],
        ['Expires', '600'],
      ],
    });
    expect(sub.status).toBe(200);
    const first = (await watcher.ws.next(isRequest('NOTIFY'))) as SipRequest;
    watcher.respond(first, 200);

    // As itself, for kw1's presentity; then for its own presentity but claiming kw1 in From.
    const other = await asAgent(
      agent,
      'agent1',
      'PUBLISH',
      'sip:kw1@lab.local',
      publishing('kw1', forgedNote),
    );
    refusedBy(other.final, 'Presentity');
    const claim = await asAgent(
      agent,
      'kw1',
      'PUBLISH',
      'sip:agent1@lab.local',
      publishing('agent1', forgedNote),
    );
    refusedBy(claim.final, 'From');
    await watcher.ws.nothing(isRequest('NOTIFY'), 300);

    const honestNote = `honest-${rand()}`;
    expect((await owner.request('PUBLISH', 'sip:kw1@lab.local', publishing('kw1', honestNote))).status).toBe(
      200,
    );
    const second = (await watcher.ws.next(isRequest('NOTIFY'))) as SipRequest;
    watcher.respond(second, 200);
    expect(second.body).toContain(honestNote);
    expect(watcher.ws.raw.join('\n')).not.toContain(forgedNote);
  });

  it('refuses a REGISTER of another AOR (403 on To); nothing is registered', async () => {
    const agent = await connect(server, 'agent1');
    const res = await asAgent(agent, 'kw2', 'REGISTER', 'sip:lab.local', {
      to: 'sip:kw2@lab.local',
      headers: [['Expires', '600']],
    });
    refusedBy(res.final, 'To');
    const kw1 = await registered(server, 'kw1');
    const toKw2 = await kw1.request('MESSAGE', 'sip:kw2@lab.local', { body: 'x', contentType: 'text/plain' });
    expect(toKw2.status).toBe(480);
  });

  it('leaves in-dialog requests (not challenged) as they were', async () => {
    const kw = await registered(server, 'kw1');
    const agent = await registered(server, 'agent1');
    const inDialog = new TestUa(agent.ws, 'billing-experts').build('MESSAGE', kw.contactUri, {
      toTag: rand(4),
      body: 'in dialog',
      contentType: 'text/plain',
    });
    agent.ws.send(inDialog);
    const got = (await kw.ws.next(isRequest('MESSAGE'))) as SipRequest;
    expect(got.body).toBe('in dialog');
    kw.respond(got, 200);
    expect(((await agent.ws.next(isResponse('MESSAGE'))) as SipResponse).status).toBe(200);
  });
});

describe('lab SIP server without auth', () => {
  it('relays a MESSAGE whatever its From (nothing is authenticated, nothing checked)', async () => {
    const server = await startSipServer({ logger: memoryLogger().logger });
    try {
      const kw = await registered(server, 'kw1');
      const agent = await connect(server, 'billing-experts');
      const sent = agent.request('MESSAGE', kw.aor, { body: 'hi', contentType: 'text/plain' });
      const got = (await kw.ws.next(isRequest('MESSAGE'))) as SipRequest;
      expect(got.headers.get('From')).toMatch(/^<sip:billing-experts@lab\.local>/);
      kw.respond(got, 200);
      expect((await sent).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
