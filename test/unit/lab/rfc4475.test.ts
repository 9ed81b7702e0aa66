/**
 * RFC 4475 torture messages against a real lab SIP server on loopback: each of
 * the 49 messages (test/fixtures/rfc4475, byte for byte) goes as ONE WebSocket
 * message (binary when it is not UTF-8) on its own connection, and gets the
 * answer test/fixtures/rfc4475/expectations.json names. Requests expected to
 * be forwarded must reach a registered client intact.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { startSipServer, type SipServer } from '../../../lab/sip-server/index.js';
import { parseMessage, type SipMessage, type SipResponse } from '../../../lab/sip-server/message.js';
import { RawWs, TestUa, isResponse } from './helpers/raw-ua.js';

interface Expectation {
  readonly name: string;
  readonly section: string;
  readonly title: string;
  readonly expect: number | 'forwarded' | 'no answer';
  readonly reason?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly log?: string;
  readonly onlyAnswer?: boolean;
  readonly auth?: boolean;
  readonly sha256: string;
}

const DIR = new URL('../../fixtures/rfc4475/', import.meta.url);
const { messages } = JSON.parse(readFileSync(new URL('expectations.json', DIR), 'utf8')) as {
  messages: Expectation[];
};
const DOMAIN = 'example.com';
const TARGET_CONTACT = '<sip:target@target.invalid;transport=ws>';

const fixture = (name: string): Buffer => readFileSync(new URL(`${name}.dat`, DIR));

/** The parts of a fixture the test needs, read without the parser under test. */
function anatomy(bytes: Buffer): { requestUri: string; callId: string; body: Buffer } {
  const end = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, end < 0 ? bytes.length : end).toString('latin1');
  const rest = end < 0 ? Buffer.alloc(0) : bytes.subarray(end + 4);
  const length = /^(?:content-length|l)\s*:\s*(\d+)/im.exec(head)?.[1];
  return {
    requestUri: head.split('\r\n')[0]?.trim().split(/ +/)[1] ?? '',
    callId: /^(?:call-id|i)\s*:\s*(\S+)/im.exec(head)?.[1] ?? '',
    body: length === undefined ? rest : rest.subarray(0, Number(length)),
  };
}

const isFinal = (m: SipMessage): m is SipResponse => m.kind === 'response' && m.status >= 200;

describe('RFC 4475 torture messages at the lab SIP server', () => {
  const mem = memoryLogger();
  let plain: SipServer;
  let withAuth: SipServer;
  let target: RawWs;
  const open: RawWs[] = [];

  /** Registers the target for every Request-URI a "forwarded" message uses, answering 200 to all it receives. */
  async function startTarget(): Promise<RawWs> {
    const ws = await RawWs.connect(plain.url);
    const ua = new TestUa(ws, 'user', DOMAIN);
    ws.ws.on('message', (data: Buffer) => {
      const m = parseMessage(data).message;
      if (m?.kind === 'request' && m.method !== 'ACK') ua.respond(m, 200);
    });
    const register = async (user: string, contacts: readonly string[]): Promise<void> => {
      const res = await new TestUa(ws, user, DOMAIN).request('REGISTER', `sip:${DOMAIN}`, {
        to: `sip:${user}@${DOMAIN}`,
        contact: false,
        headers: [
          ['Contact', contacts.join(', ')],
          ['Expires', '3600'],
        ],
      });
      expect(res.status).toBe(200);
    };
    for (const user of ['user', 'remote-target', 'UserB']) await register(user, [TARGET_CONTACT]);
    // Request-URIs outside example.com reach the connection that announced them (README: Routing).
    const foreign = messages
      .filter((e) => e.expect === 'forwarded')
      .map((e) => anatomy(fixture(e.name)).requestUri)
      .filter((uri) => !/@example\.com$/.test(uri));
    await register(
      'aliases',
      foreign.map((uri) => `<${uri}>`),
    );
    return ws;
  }

  beforeAll(async () => {
    plain = await startSipServer({ domain: DOMAIN, logger: mem.logger });
    withAuth = await startSipServer({
      domain: DOMAIN,
      users: [{ user: 'j.user', password: 'j-secret' }],
      logger: mem.logger,
    });
    target = await startTarget();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((w) => w.close()));
  });
  afterAll(async () => {
    await target.close();
    await plain.close();
    await withAuth.close();
  });

  it('has the 49 messages of RFC 4475 section 3, each once', () => {
    expect(new Set(messages.map((e) => e.name)).size).toBe(49);
  });

  it.each(messages.map((e) => [`${e.name} (§${e.section} ${e.title})`, e] as const))(
    '%s',
    async (_title, e) => {
      const bytes = fixture(e.name);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(e.sha256);
      const sender = await RawWs.connect((e.auth === true ? withAuth : plain).url);
      open.push(sender);
      const logMark = mem.records.length;
      sender.sendFrame(bytes, !isUtf8(bytes));

      if (e.expect === 'no answer') {
        await sender.nothing(() => true, 300);
        expect(sender.frames).toEqual([]);
      } else {
        const final = await sender.next(isFinal, 3000);
        if (e.expect === 'forwarded') expectForwarded(e, final);
        else expect(final.status).toBe(e.expect);
        if (e.reason !== undefined) expect(final.reason).toMatch(new RegExp(e.reason));
        for (const [name, pattern] of Object.entries(e.headers ?? {}))
          expect(final.headers.getAll(name).join(', ')).toMatch(new RegExp(pattern));
        if (e.onlyAnswer === true) {
          await sender.nothing(() => true, 300);
          expect(sender.frames).toHaveLength(1);
        }
      }
      if (e.log !== undefined) {
        const lines = mem.records.slice(logMark).map((r) => r.msg);
        expect(
          lines.some((l) => new RegExp(e.log as string).test(l)),
          lines.join('\n'),
        ).toBe(true);
      }
    },
  );

  /** The target got the request once, with one SP between the Request-Line's parts and the body's very bytes. */
  function expectForwarded(e: Expectation, final: SipResponse): void {
    expect(final.status).toBe(200);
    const sent = anatomy(fixture(e.name));
    const got = target.frames.filter(
      (f) => parseMessage(f.data).message?.headers.get('Call-ID') === sent.callId,
    );
    expect(got).toHaveLength(1);
    const frame = got[0] as { data: Buffer; binary: boolean };
    expect(frame.data.toString('latin1').split('\r\n')[0]).toMatch(/^[^ ]+ [^ ]+ SIP\/2\.0$/);
    const end = frame.data.indexOf('\r\n\r\n');
    expect(frame.data.subarray(end + 4).equals(sent.body)).toBe(true);
    expect(frame.binary).toBe(!isUtf8(sent.body));
  }

  it('logged no error while handling them', () => {
    expect(mem.records.filter((r) => r.level === 'error')).toEqual([]);
  });

  it('still serves a well-formed client afterwards', async () => {
    const ws = await RawWs.connect(plain.url);
    open.push(ws);
    const ua = new TestUa(ws, 'after', DOMAIN);
    expect((await ua.register()).status).toBe(200);
    const res = await ua.request('OPTIONS', `sip:${DOMAIN}`);
    expect(res.status).toBe(200);
    expect(isResponse('OPTIONS')(res)).toBe(true);
  });
});
