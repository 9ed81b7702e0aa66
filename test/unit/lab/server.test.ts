/**
 * The lab SIP server over real WebSockets on loopback, driven by scripted
 * endpoints (RawWs/TestUa) that write SIP by hand.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { startSipServer, type SipServer } from '../../../lab/sip-server/index.js';
import {
  serializeMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../lab/sip-server/message.js';
import { RawWs, TestUa, isRequest, isResponse, rand } from './helpers/raw-ua.js';
import { eventually } from '../../support/agents.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';

const open: RawWs[] = [];
async function ua(server: SipServer, user: string, password?: string): Promise<TestUa> {
  const ws = await RawWs.connect(server.url, server.caPem === undefined ? {} : { ca: server.caPem });
  open.push(ws);
  return new TestUa(ws, user, 'lab.local', password);
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

function rawRequest(lines: string[], body = ''): string {
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

describe('lab SIP server (no auth)', () => {
  let server: SipServer;
  const mem = memoryLogger();
  beforeAll(async () => {
    server = await startSipServer({ logger: mem.logger, minPublishExpires: 1 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('registers and relays MESSAGE both ways with headers and UTF-8 body intact', async () => {
    const kw = await ua(server, 'kw1');
    const agent = await ua(server, 'agent1');
    const reg = await kw.register();
    expect(reg.status).toBe(200);
    expect(reg.headers.getAll('Contact')).toEqual([`<${kw.contactUri}>;expires=600`]);
    expect((await agent.register(3600 * 5)).headers.get('Contact')).toMatch(/;expires=3600$/);

    const sent = agent.request('MESSAGE', kw.aor, {
      body: 'Bonjour, ça va ? ✓',
      contentType: 'text/plain; charset=utf-8',
      headers: [
        ['X-Interaction-Id', 'ia-1'],
        ['X-UserData-CaseNumber', 'C-1, C-2'],
      ],
    });
    const m = (await kw.ws.next(isRequest('MESSAGE'))) as SipRequest;
    expect(m.uri).toBe(kw.contactUri);
    expect(m.body).toBe('Bonjour, ça va ? ✓');
    expect(m.headers.get('X-Interaction-Id')).toBe('ia-1');
    expect(m.headers.entries().find((h) => h.name === 'X-UserData-CaseNumber')?.value).toBe('C-1, C-2');
    expect(m.headers.get('Max-Forwards')).toBe('68');
    expect(m.headers.getAll('Max-Forwards')).toHaveLength(1);
    expect(m.headers.getAll('Via')).toHaveLength(2);
    kw.respond(m, 200);
    const res = await sent;
    expect(res.status).toBe(200);
    expect(res.headers.getAll('Via')).toHaveLength(1);

    const back = kw.request('MESSAGE', agent.aor, { body: 'reply', contentType: 'text/plain' });
    const m2 = (await agent.ws.next(isRequest('MESSAGE'))) as SipRequest;
    agent.respond(m2, 202);
    expect((await back).status).toBe(202);
    // Routine requests log at debug only: under load, a line each would cost a core.
    const line = (msg: string) => mem.records.find((r) => r.msg === msg);
    expect(line('MESSAGE agent1 → kw1: relayed → 200 OK')?.level).toBe('debug');
    expect(line('REGISTER kw1@lab.local → 200 (1 contact, expires 600)')?.level).toBe('debug');
    expect(mem.records.filter((r) => r.level !== 'debug' && /agent1|kw1@/.test(r.msg))).toEqual([]);
  });

  it('answers 404 for strangers, 480 for known users offline, and drops bindings of a closed connection', async () => {
    const agent = await ua(server, 'agent2');
    expect(
      (await agent.request('MESSAGE', 'sip:nobody@lab.local', { body: 'x', contentType: 'text/plain' }))
        .status,
    ).toBe(404);
    // A request the server refuses itself stays visible at the default level.
    expect(mem.records.some((r) => r.level === 'info' && /nobody.*404/.test(r.msg))).toBe(true);
    const kw = await ua(server, 'kw9');
    await kw.register();
    await kw.ws.close();
    await eventually(
      () => mem.records.some((r) => r.msg.endsWith('dropped 1 binding(s) of kw9@lab.local')),
      2000,
      () => 'the server never dropped the binding of the closed connection',
    );
    expect(
      (await agent.request('MESSAGE', 'sip:kw9@lab.local', { body: 'x', contentType: 'text/plain' })).status,
    ).toBe(480);
    const kw8 = await ua(server, 'kw8');
    await kw8.register();
    expect((await kw8.register(0)).headers.getAll('Contact')).toEqual([]);
    expect(
      (await agent.request('MESSAGE', 'sip:kw8@lab.local', { body: 'x', contentType: 'text/plain' })).status,
    ).toBe(480);
  });

  it('survives garbage and malformed requests, keeping the connection usable', async () => {
    const a = await ua(server, 'kw20');
    // Anything that is not a response is read as a request, and a bad one gets a 400 saying why.
    const bad = (m: SipMessage): m is SipResponse => m.kind === 'response' && m.status === 400;
    a.ws.send('hello, this is not SIP');
    expect(await a.ws.next(bad)).toMatchObject({ reason: 'Not a SIP Request-Line' });
    a.ws.send(Buffer.from([0, 1, 2, 3, 255]));
    expect(await a.ws.next(bad)).toMatchObject({ reason: 'Header section is not valid UTF-8' });
    a.ws.send('\r\n\r\n');
    await eventually(
      () => a.ws.raw.includes('\r\n'),
      2000,
      () => 'no keep-alive pong',
    );
    // A response is never answered, not even a malformed one.
    a.ws.send('SIP/2.0 999999 nonsense\r\n\r\n');
    await a.ws.nothing(() => true, 300);

    const noCallId = rawRequest([
      'REGISTER sip:lab.local SIP/2.0',
      'Via: SIP/2.0/WSS x.invalid;branch=z9hG4bKa',
      'From: <sip:kw20@lab.local>;tag=1',
      'To: <sip:kw20@lab.local>',
      'CSeq: 1 REGISTER',
      'Content-Length: 0',
    ]);
    a.ws.send(noCallId);
    expect(await a.ws.next(isResponse('REGISTER'))).toMatchObject({
      status: 400,
      reason: 'Missing Call-ID header',
    });

    const req = a.build('MESSAGE', 'sip:kw21@lab.local', { body: 'abc', contentType: 'text/plain' });
    a.ws.send(
      rawRequest(
        [
          `MESSAGE sip:kw21@lab.local SIP/2.0`,
          ...req.headers
            .entries()
            .filter((h) => h.name !== 'Content-Length')
            .map((h) => `${h.name}: ${h.value}`),
          'Content-Length: 99',
        ],
        'abc',
      ),
    );
    expect(await a.ws.next(isResponse('MESSAGE'))).toMatchObject({
      status: 400,
      reason: 'Content-Length mismatch (header 99, body 3 bytes)',
    });

    expect((await a.request('FOO', 'sip:kw21@lab.local')).status).toBe(501);
    expect(
      (await a.request('MESSAGE', 'sip:kw21@lab.local', { headers: [['Max-Forwards', '0']] })).status,
    ).toBe(483);
    expect(
      (
        await a.request('MESSAGE', 'sip:kw21@lab.local', {
          body: 'x'.repeat(70_000),
          contentType: 'text/plain',
        })
      ).status,
    ).toBe(413);

    expect((await a.register()).status).toBe(200);
    a.ws.send(Buffer.from(JSON.stringify('not sip')));
    // A valid request in a binary frame is as good as in a text frame.
    a.ws.send(Buffer.from(serializeMessage(a.build('OPTIONS', 'sip:lab.local'))));
    expect((await a.ws.next(isResponse('OPTIONS'))).status).toBe(200);
    const fresh = await ua(server, 'kw22');
    expect((await fresh.register()).status).toBe(200);
    expect(mem.records.some((r) => r.level === 'error')).toBe(false);
  });

  it('answers OPTIONS to itself', async () => {
    const a = await ua(server, 'kw23');
    const res = await a.request('OPTIONS', 'sip:lab.local');
    expect(res.status).toBe(200);
    expect(res.headers.get('Allow')).toContain('SUBSCRIBE');
  });

  it('serves presence: PUBLISH, SUBSCRIBE, NOTIFY with merged documents, refresh, removal, unsubscribe', async () => {
    const router = await ua(server, 'router');
    const kw = await ua(server, 'kw30');
    const pidf = (id: string, basic: string): string =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:kw30@lab.local"><tuple id="${id}"><status><basic>${basic}</basic></status></tuple></presence>`;
    const publish = (o: {
      body?: string;
      ifMatch?: string;
      expires?: number;
      type?: string;
      event?: string;
    }): Promise<SipResponse> =>
      kw.request('PUBLISH', 'sip:kw30@lab.local', {
        body: o.body ?? '',
        contentType: o.body === undefined ? undefined : (o.type ?? 'application/pidf+xml'),
        headers: [
          ['Event', o.event ?? 'presence'],
          ['Expires', String(o.expires ?? 600)],
          ...(o.ifMatch ? ([['SIP-If-Match', o.ifMatch]] as const) : []),
        ],
      });

    const callId = rand(8);
    const sub = await router.request('SUBSCRIBE', 'sip:kw30@lab.local', {
      callId,
      fromTag: 'rt',
      headers: [
        ['Event', 'presence'],
        ['Expires', '600'],
        ['Accept', 'application/pidf+xml'],
      ],
    });
    expect(sub.status).toBe(200);
    expect(sub.headers.get('Expires')).toBe('600');
    expect(sub.headers.get('Contact')).toMatch(/^<sip:lab-sip-server@127\.0\.0\.1:\d+;transport=ws>$/);
    const toTag = /tag=([^;]+)/.exec(sub.headers.get('To') ?? '')?.[1];
    expect(toTag).toBeDefined();

    const first = (await router.ws.next(isRequest('NOTIFY'))) as SipRequest;
    expect(first.uri).toBe(router.contactUri);
    expect(first.body).toBe('');
    expect(first.headers.get('Content-Type')).toBeUndefined();
    expect(first.headers.get('Subscription-State')).toMatch(/^active;expires=(600|599)$/);
    expect(first.headers.get('From')).toBe(`<sip:kw30@lab.local>;tag=${toTag}`);
    expect(first.headers.get('To')).toBe(`<sip:router@lab.local>;tag=rt`);
    expect(first.headers.get('Call-ID')).toBe(callId);
    router.respond(first, 200);

    expect((await publish({ body: pidf('t1', 'open'), type: 'text/plain' })).status).toBe(415);
    expect((await publish({ body: pidf('t1', 'open'), event: 'dialog' })).status).toBe(489);

    const p1 = await publish({ body: pidf('t1', 'open') });
    expect(p1.status).toBe(200);
    const etag1 = p1.headers.get('SIP-ETag') as string;
    expect(p1.headers.get('Expires')).toBe('600');
    const n1 = (await router.ws.next(isRequest('NOTIFY'))) as SipRequest;
    expect(n1.headers.get('Content-Type')).toBe('application/pidf+xml');
    expect(n1.body).toContain('<basic>open</basic>');
    expect(n1.headers.get('CSeq')).toBe('2 NOTIFY');
    router.respond(n1, 200);

    const p2 = await publish({ body: pidf('t2', 'closed') });
    const n2 = (await router.ws.next(isRequest('NOTIFY'))) as SipRequest;
    expect(n2.body.match(/<tuple /g)).toHaveLength(2);
    router.respond(n2, 200);

    const refreshed = await publish({ ifMatch: etag1 });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('SIP-ETag')).not.toBe(etag1);
    await router.ws.nothing(isRequest('NOTIFY'));
    expect((await publish({ ifMatch: etag1 })).status).toBe(412);

    expect((await publish({ ifMatch: p2.headers.get('SIP-ETag') as string, expires: 0 })).status).toBe(200);
    const n3 = (await router.ws.next(isRequest('NOTIFY'))) as SipRequest;
    expect(n3.body.match(/<tuple /g)).toHaveLength(1);
    router.respond(n3, 200);

    const refresh = await router.request('SUBSCRIBE', sub.headers.get('Contact')?.slice(1, -1) as string, {
      callId,
      fromTag: 'rt',
      to: 'sip:kw30@lab.local',
      toTag,
      headers: [
        ['Event', 'presence'],
        ['Expires', '0'],
      ],
    });
    expect(refresh.status).toBe(200);
    const last = (await router.ws.next(isRequest('NOTIFY'))) as SipRequest;
    expect(last.headers.get('Subscription-State')).toBe('terminated;reason=timeout');
    expect(last.body).toContain('<basic>open</basic>');
    router.respond(last, 200);
  });

  it('refuses too-short publications with 423 and Min-Expires, and expires subscriptions', async () => {
    const s2 = await startSipServer({ logger: memoryLogger().logger });
    try {
      const kw = new TestUa(await RawWs.connect(s2.url), 'kw31');
      open.push(kw.ws);
      const res = await kw.request('PUBLISH', 'sip:kw31@lab.local', {
        body: '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:kw31@lab.local"/>',
        contentType: 'application/pidf+xml',
        headers: [
          ['Event', 'presence'],
          ['Expires', '30'],
        ],
      });
      expect(res.status).toBe(423);
      expect(res.headers.get('Min-Expires')).toBe('60');

      const sub = await kw.request('SUBSCRIBE', 'sip:kw40@lab.local', {
        headers: [
          ['Event', 'presence'],
          ['Expires', '1'],
        ],
      });
      expect(sub.status).toBe(200);
      const n = (await kw.ws.next(isRequest('NOTIFY'))) as SipRequest;
      kw.respond(n, 200);
      const end = (await kw.ws.next(isRequest('NOTIFY'), 3000)) as SipRequest;
      expect(end.headers.get('Subscription-State')).toBe('terminated;reason=timeout');
      kw.respond(end, 200);
    } finally {
      await s2.close();
    }
  });

  it('drops a subscription whose subscriber answers 481', async () => {
    const router = await ua(server, 'router2');
    const kw = await ua(server, 'kw32');
    await router.request('SUBSCRIBE', 'sip:kw32@lab.local', { headers: [['Event', 'presence']] });
    const n = (await router.ws.next(isRequest('NOTIFY'))) as SipRequest;
    router.respond(n, 481);
    await eventually(
      () =>
        mem.records.some(
          (r) => r.msg.includes('kw32@lab.local') && r.msg.endsWith('dropped (subscriber answered 481)'),
        ),
      2000,
      () => 'the server never dropped the subscription answered with 481',
    );
    const body = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:kw32@lab.local"/>';
    const res = await kw.request('PUBLISH', 'sip:kw32@lab.local', {
      body,
      contentType: 'application/pidf+xml',
      headers: [['Event', 'presence']],
    });
    expect(res.status).toBe(200);
    await router.ws.nothing(isRequest('NOTIFY'));
  });

  it('follows a 302 from the routing point to the KW, keeping the X- headers, then routes the dialog', async () => {
    const agent = await ua(server, 'agent5');
    const rp = await ua(server, 'billing');
    const kw = await ua(server, 'kw5');
    await agent.register();
    await rp.register();
    await kw.register();

    const invite = agent.build('INVITE', 'sip:billing@lab.local', {
      body: SDP,
      contentType: 'application/sdp',
      headers: [
        ['X-Interaction-Id', 'ia-5'],
        ['X-Escalation', 'transfer'],
        ['X-UserData-Customer', 'Zoë'],
      ],
    });
    agent.ws.send(invite);
    expect((await agent.ws.next(isResponse('INVITE', 100))).status).toBe(100);

    const atRp = (await rp.ws.next(isRequest('INVITE'))) as SipRequest;
    expect(atRp.headers.get('Record-Route')).toMatch(
      /^<sip:kwflow-\d+-\d+@127\.0\.0\.1:\d+;transport=ws;lr>$/,
    );
    rp.respond(atRp, 302, { headers: [['Contact', '<sip:kw5@lab.local>']] });
    const ack = (await rp.ws.next(isRequest('ACK'))) as SipRequest;
    expect(ack.headers.get('Via')).toBe(atRp.headers.getAll('Via')[0]);

    const atKw = (await kw.ws.next(isRequest('INVITE'))) as SipRequest;
    expect(atKw.uri).toBe(kw.contactUri);
    expect(atKw.headers.get('X-Interaction-Id')).toBe('ia-5');
    expect(atKw.headers.get('X-UserData-Customer')).toBe('Zoë');
    expect(atKw.body).toBe(SDP);
    expect(atKw.headers.get('Call-ID')).toBe(invite.headers.get('Call-ID'));
    kw.respond(atKw, 180, { toTag: 'kwtag' });
    expect((await agent.ws.next(isResponse('INVITE', 180))).status).toBe(180);
    kw.respond(atKw, 200, { toTag: 'kwtag', body: SDP });
    const ok = (await agent.ws.next(isResponse('INVITE', 200))) as SipResponse;
    const rr = ok.headers.get('Record-Route') as string;
    expect(rr).toContain('kwflow-');
    expect(
      mem.records.some((r) =>
        /INVITE agent5 → billing: 302 redirect to sip:kw5@lab.local \(1\/5\)/.test(r.msg),
      ),
    ).toBe(true);

    // ACK and BYE inside the dialog find their way via Route + Request-URI.
    const dialog = {
      callId: invite.headers.get('Call-ID') as string,
      fromTag: /tag=([^;]+)/.exec(invite.headers.get('From') ?? '')?.[1],
    };
    agent.ws.send(
      agent.build('ACK', kw.contactUri, {
        ...dialog,
        cseq: 1,
        to: 'sip:billing@lab.local',
        toTag: 'kwtag',
        headers: [['Route', rr]],
        contact: false,
      }),
    );
    const ack2 = (await kw.ws.next(isRequest('ACK'))) as SipRequest;
    expect(ack2.headers.get('Route')).toBeUndefined();
    const bye = kw.build('BYE', agent.contactUri, {
      callId: dialog.callId,
      fromTag: 'kwtag',
      to: agent.aor,
      toTag: dialog.fromTag,
      headers: [['Route', rr]],
    });
    kw.ws.send(bye);
    const byeAtAgent = (await agent.ws.next(isRequest('BYE'))) as SipRequest;
    agent.respond(byeAtAgent, 200);
    expect((await kw.ws.next(isResponse('BYE'))).status).toBe(200);
  });

  it('answers 480 when a redirect leads nowhere', async () => {
    const agent = await ua(server, 'agent6');
    const rp = await ua(server, 'sales');
    await rp.register();
    const sent = agent.request('MESSAGE', 'sip:sales@lab.local', { body: 'hi', contentType: 'text/plain' });
    const m = (await rp.ws.next(isRequest('MESSAGE'))) as SipRequest;
    rp.respond(m, 302, { headers: [['Contact', '<sip:ghost@lab.local>, <sip:ghost2@lab.local>;q=0.5']] });
    expect((await sent).status).toBe(480);
  });

  it('follows a redirect to a registered contact URI (not an AOR)', async () => {
    const agent = await ua(server, 'agent8');
    const rp = await ua(server, 'claims');
    const kw = await ua(server, 'kw6');
    await rp.register();
    await kw.register();
    const sent = agent.request('MESSAGE', 'sip:claims@lab.local', {
      body: 'hi',
      contentType: 'text/plain',
      headers: [['X-Interaction-Id', 'ia-8']],
    });
    const m = (await rp.ws.next(isRequest('MESSAGE'))) as SipRequest;
    rp.respond(m, 302, { headers: [['Contact', `<${kw.contactUri}>`]] });
    const atKw = (await kw.ws.next(isRequest('MESSAGE'))) as SipRequest;
    expect(atKw.uri).toBe(kw.contactUri);
    expect(atKw.headers.get('X-Interaction-Id')).toBe('ia-8');
    kw.respond(atKw, 200);
    expect((await sent).status).toBe(200);
  });

  it('propagates CANCEL and absorbs the ACK of the 487', async () => {
    const agent = await ua(server, 'agent7');
    const kw = await ua(server, 'kw7');
    await kw.register();
    const invite = agent.build('INVITE', 'sip:kw7@lab.local', { body: SDP, contentType: 'application/sdp' });
    agent.ws.send(invite);
    const atKw = (await kw.ws.next(isRequest('INVITE'))) as SipRequest;
    kw.respond(atKw, 180, { toTag: 'k7' });
    await agent.ws.next(isResponse('INVITE', 180));

    const cancel = agent.build('CANCEL', 'sip:kw7@lab.local', {
      callId: invite.headers.get('Call-ID') as string,
      fromTag: /tag=([^;]+)/.exec(invite.headers.get('From') ?? '')?.[1],
      cseq: Number(invite.headers.get('CSeq')?.split(' ')[0]),
      branch: /branch=([^;]+)/.exec(invite.headers.get('Via') ?? '')?.[1],
      contact: false,
    });
    agent.ws.send(cancel);
    expect((await agent.ws.next(isResponse('CANCEL'))).status).toBe(200);
    const cancelAtKw = (await kw.ws.next(isRequest('CANCEL'))) as SipRequest;
    expect(cancelAtKw.headers.get('Via')).toBe(atKw.headers.getAll('Via')[0]);
    kw.respond(cancelAtKw, 200);
    kw.respond(atKw, 487, { toTag: 'k7' });
    expect((await kw.ws.next(isRequest('ACK'))).kind).toBe('request');
    const final = (await agent.ws.next(isResponse('INVITE'))) as SipResponse;
    expect(final.status).toBe(487);
  });

  it('can be restarted on the same port right after close()', async () => {
    const s = await startSipServer({ logger: memoryLogger().logger });
    const a = await RawWs.connect(s.url);
    const kw = new TestUa(a, 'kw50');
    expect((await kw.register()).status).toBe(200);
    const port = s.port;
    await s.close();
    const again = await startSipServer({ port, logger: memoryLogger().logger });
    try {
      expect(again.port).toBe(port);
      const b = new TestUa(await RawWs.connect(again.url), 'kw50');
      expect((await b.register()).status).toBe(200);
      await b.ws.close();
    } finally {
      await again.close();
    }
  });
});

describe('lab SIP server with digest auth', () => {
  let server: SipServer;
  const mem = memoryLogger();
  const users = [
    { user: 'kw1', password: 'kw1-secret' },
    { user: 'agent1', password: 'agent1-secret' },
  ];
  beforeAll(async () => {
    server = await startSipServer({ logger: mem.logger, users });
  });
  afterAll(async () => {
    await server.close();
  });

  it('challenges, accepts the right password and forbids a wrong one', async () => {
    const kw = await ua(server, 'kw1');
    const challenge = (await kw.register()) as SipResponse;
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('WWW-Authenticate')).toMatch(
      /^Digest realm="lab.local", nonce="[^"]+", algorithm=MD5, qop="auth"$/,
    );

    const good = new TestUa(kw.ws, 'kw1', 'lab.local', 'kw1-secret');
    expect((await good.register()).status).toBe(200);
    const bad = new TestUa(kw.ws, 'kw1', 'lab.local', 'wrong');
    expect((await bad.register()).status).toBe(403);
    const other = new TestUa(kw.ws, 'kw1', 'lab.local', 'agent1-secret');
    const req = other.build('REGISTER', 'sip:lab.local', { to: 'sip:kw1@lab.local' });
    kw.ws.send(req);
    const ch = (await kw.ws.next(isResponse('REGISTER'))) as SipResponse;
    kw.ws.send(other.withCredentials(req, ch, 'agent1-secret', 'agent1'));
    expect(await kw.ws.next(isResponse('REGISTER'))).toMatchObject({
      status: 403,
      reason: 'To Does Not Match Authenticated User',
    });
  });

  it('asks 407 for MESSAGE and relays it once authenticated, without our credentials', async () => {
    const kw = await ua(server, 'kw1', 'kw1-secret');
    const agent = await ua(server, 'agent1', 'agent1-secret');
    expect((await kw.register()).status).toBe(200);
    const noCreds = new TestUa(agent.ws, 'agent1');
    expect((await noCreds.request('MESSAGE', kw.aor, { body: 'x', contentType: 'text/plain' })).status).toBe(
      407,
    );
    const sent = agent.request('MESSAGE', kw.aor, { body: 'x', contentType: 'text/plain' });
    const m = (await kw.ws.next(isRequest('MESSAGE'))) as SipRequest;
    expect(m.headers.get('Proxy-Authorization')).toBeUndefined();
    kw.respond(m, 200);
    expect((await sent).status).toBe(200);
    const wrong = new TestUa(agent.ws, 'agent1', 'lab.local', 'nope');
    expect((await wrong.request('MESSAGE', kw.aor, { body: 'x', contentType: 'text/plain' })).status).toBe(
      403,
    );
  });
});

describe('lab SIP server over TLS', () => {
  it('serves wss:// on localhost with the certificate it exposes', async () => {
    const server = await startSipServer({ tls: true, logger: memoryLogger().logger });
    try {
      expect(server.url).toMatch(/^wss:\/\/localhost:\d+$/);
      expect(server.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      await expect(RawWs.connect(server.url)).rejects.toThrow();
      const kw = await ua(server, 'kw1');
      const res = await kw.register();
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  }, 20_000);
});
