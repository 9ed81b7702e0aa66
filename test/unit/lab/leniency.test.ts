/**
 * What the lab SIP server refuses (issue 11, finding 8), over a real
 * WebSocket on loopback: each malformed request gets a 400 whose reason says
 * what is wrong, echoes nothing of the request, is logged, and changes
 * nothing (no relay, no binding).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { startSipServer, type SipServer } from '../../../lab/sip-server/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../../../lab/sip-server/message.js';
import { RawWs, TestUa, isRequest, rand } from './helpers/raw-ua.js';

const mem = memoryLogger();
let server: SipServer;
const open: RawWs[] = [];

beforeAll(async () => {
  server = await startSipServer({ logger: mem.logger });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  await server.close();
});

async function ua(user: string): Promise<TestUa> {
  const ws = await RawWs.connect(server.url);
  open.push(ws);
  return new TestUa(ws, user);
}

/** A MESSAGE to `to` as lines, to be edited, with a body. */
function messageLines(to: string, callId: string): string[] {
  return [
    `MESSAGE ${to} SIP/2.0`,
    `Via: SIP/2.0/WS a.invalid;branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `From: <sip:sender@lab.local>;tag=${rand(3)}`,
    `To: <${to}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 MESSAGE',
    'Content-Type: text/plain',
  ];
}

const frame = (lines: readonly string[], body = 'hello'): string =>
  `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const anyResponse = (m: SipMessage): m is SipResponse => m.kind === 'response';

describe('lab SIP server: malformed requests', () => {
  let kw: TestUa;
  beforeAll(async () => {
    const ws = await RawWs.connect(server.url);
    kw = new TestUa(ws, 'kw1');
    expect((await kw.register()).status).toBe(200);
  });
  afterAll(async () => {
    await kw.ws.close();
  });

  /** Sends, expects exactly this 400 as the one answer (its status line verbatim), the log line, and no relay. */
  async function refused(text: string, reason: string): Promise<void> {
    const sender = await ua('sender');
    const mark = mem.records.length;
    sender.ws.send(text);
    const res = await sender.ws.next(anyResponse);
    expect(res.status).toBe(400);
    expect(res.reason).toBe(reason);
    expect(sender.ws.raw[0]?.split('\r\n')[0]).toBe(`SIP/2.0 400 ${reason}`);
    expect(mem.records.slice(mark).some((r) => r.msg.endsWith(`: 400 ${reason}`))).toBe(true);
    await kw.ws.nothing(isRequest('MESSAGE'), 200);
  }

  const base = (): string[] => messageLines(kw.aor, rand(8));

  it('refuses two Content-Length headers', async () => {
    await refused(frame([...base(), 'Content-Length: 5']), 'Duplicate Content-Length headers');
    await refused(frame([...base(), 'Content-Length: 13']), 'Conflicting Content-Length headers');
  });

  it.each([
    ['CSeq', '2 MESSAGE'],
    ['Call-ID', 'another-call'],
    ['From', '<sip:other@lab.local>;tag=9'],
    ['To', '<sip:kw2@lab.local>'],
    ['Max-Forwards', '10'],
    ['Content-Type', 'text/html'],
    ['Expires', '60'],
  ])('refuses a duplicated %s', async (name, value) => {
    const lines = name === 'Expires' ? [...base(), 'Expires: 30'] : base();
    await refused(frame([...lines, `${name}: ${value}`]), `Multiple values in single-value header: ${name}`);
  });

  it('refuses a duplicated header given in compact form', async () => {
    await refused(frame([...base(), 'i: another-call']), 'Multiple values in single-value header: Call-ID');
  });

  it('refuses a lowercase method', async () => {
    const lines = base();
    lines[0] = `message ${kw.aor} SIP/2.0`;
    lines[6] = 'CSeq: 1 message';
    await refused(frame(lines), 'Method names are case-sensitive (MESSAGE)');
  });

  it.each([
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['ESC', '\u001b'],
    ['DEL', '\u007f'],
    ['a bare CR', '\r'],
  ])('refuses %s in a header value, without echoing it', async (_what, ch) => {
    await refused(frame([...base(), `Subject: a${ch}b`]), 'Control character in the Subject header');
    await refused(
      frame([...base(), `X-Note: ${ch}Injected-Header: yes`]),
      'Control character in the X-Note header',
    );
  });

  it('accepts HTAB in a header value', async () => {
    const sender = await ua('sender');
    const callId = rand(8);
    sender.ws.send(frame([...messageLines(kw.aor, callId), 'Subject: a\tb']));
    const got = (await kw.ws.next(isRequest('MESSAGE'))) as SipRequest;
    expect(got.headers.get('Subject')).toBe('a\tb');
    kw.respond(got, 200);
    expect((await sender.ws.next(anyResponse)).status).toBe(200);
  });

  it('answers a bare CR inside a malformed header line without putting it in the status line', async () => {
    const lines = [...base(), 'Malformed header line: no colon\rInjected-Header: yes'];
    await refused(frame(lines), 'Malformed header line 9: bad name');
    await refused(frame([...base(), 'no colon\rat all']), 'Malformed header line 9: no colon');
  });

  it('refuses an unreadable Request-Line with a 400 (it used to be dropped)', async () => {
    const lines = base();
    lines[0] = `MESSAGE ${kw.aor}; lr SIP/2.0`;
    await refused(frame(lines), 'Whitespace in the Request-URI');
    lines[0] = `MESSAGE ${kw.aor}`;
    await refused(frame(lines), 'Not a SIP Request-Line');
  });

  it('changes no state: a REGISTER with a duplicated To registers nothing', async () => {
    const sender = await ua('ghost');
    const req = sender.build('REGISTER', 'sip:lab.local', { to: 'sip:ghost@lab.local' });
    req.headers.add('To', '<sip:ghost@lab.local>');
    sender.ws.send(req);
    expect(await sender.ws.next(anyResponse)).toMatchObject({
      status: 400,
      reason: 'Multiple values in single-value header: To',
    });
    const probe = await ua('probe');
    expect((await probe.request('MESSAGE', 'sip:ghost@lab.local')).status).toBe(404);
  });

  it('logged no error', () => {
    expect(mem.records.filter((r) => r.level === 'error')).toEqual([]);
  });
});
