/**
 * Fuzzing the lab SIP server over real WebSockets on loopback (issue 11):
 * 10,000 seeded mutants of valid REGISTER, MESSAGE, INVITE, SUBSCRIBE and
 * OPTIONS requests, four connections at a time. Oracle: a mutant built
 * invalid gets a 4xx (a frame over the WebSocket limit closes the connection,
 * counted apart); any other gets a final answer; no error logged, no
 * uncaught exception, no mutant left without an answer; afterwards
 * well-formed clients still register and exchange a MESSAGE.
 * Replay or explore: KW_FUZZ_SEED=<integer> (or `random`).
 */
import { isUtf8 } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { memoryLogger } from '../../../main/core/log.js';
import { startSipServer, type SipServer } from '../../../lab/sip-server/index.js';
import { encodeMessage, parseMessage } from '../../../lab/sip-server/message.js';
import { createResponse } from '../../../lab/sip-server/responses.js';
import { forLog } from '../../../lab/sip-server/sanitize.js';
import { mutants, type Mutant } from './helpers/mutants.js';
import { RawWs, TestUa, isRequest } from './helpers/raw-ua.js';

const DEFAULT_SEED = 4475;
const COUNT = 10_000;
const LANES = 4;
/** A mutant without a final answer after this long is a hang. */
const ANSWER_BOUND_MS = 5000;

function seedFromEnv(): number {
  const env = process.env['KW_FUZZ_SEED'];
  if (env === undefined || env === '') return DEFAULT_SEED;
  if (env === 'random') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(env);
  if (!Number.isInteger(seed)) throw new Error(`KW_FUZZ_SEED must be an integer or "random", not ${env}`);
  return seed;
}

type Outcome =
  | { readonly kind: 'answer'; readonly status: number; readonly reason: string }
  | { readonly kind: 'closed' }
  | { readonly kind: 'hang' };

/**
 * One WebSocket client sending one frame at a time and waiting for its final
 * answer. It answers 200 to any request it receives (a forwarded mutant, a
 * NOTIFY), as a registered user agent would.
 */
class Lane {
  private ws: WebSocket | undefined;
  private pending: { callId: string; resolve: (o: Outcome) => void } | undefined;
  private readonly answered = new Set<string>();
  /** final answers that arrived for a mutant already answered */
  lateAnswers = 0;

  constructor(private readonly url: string) {}

  async send(bytes: Buffer, callId: string): Promise<Outcome> {
    const ws = await this.connected();
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => this.settle({ kind: 'hang' }), ANSWER_BOUND_MS);
      this.pending = {
        callId,
        resolve: (o) => {
          clearTimeout(timer);
          this.answered.add(callId);
          resolve(o);
        },
      };
      ws.send(bytes, { binary: !isUtf8(bytes) });
    });
  }

  close(): void {
    this.ws?.close();
  }

  private settle(o: Outcome): void {
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(o);
  }

  private async connected(): Promise<WebSocket> {
    if (this.ws?.readyState === WebSocket.OPEN) return this.ws;
    const ws = new WebSocket(this.url, ['sip']);
    ws.on('message', (data: Buffer) => this.onFrame(ws, data));
    ws.on('close', () => this.settle({ kind: 'closed' }));
    ws.on('error', () => this.settle({ kind: 'closed' }));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.ws = ws;
    return ws;
  }

  private onFrame(ws: WebSocket, data: Buffer): void {
    const m = parseMessage(data).message;
    if (m?.kind === 'request') {
      if (m.method !== 'ACK') ws.send(encodeMessage(createResponse(m, 200)));
      return;
    }
    if (m?.kind !== 'response' || m.status < 200) return;
    const callId = m.headers.get('Call-ID');
    if (callId !== undefined && callId !== this.pending?.callId && this.answered.has(callId)) {
      this.lateAnswers++;
      return;
    }
    this.settle({ kind: 'answer', status: m.status, reason: m.reason });
  }
}

interface Tally {
  sent: number;
  fourxx: number;
  other: number;
  closed: number;
  hangs: number;
  notRequests: number;
  readonly failures: string[];
}

/** Judges one outcome against what the mutant was built to get; returns a failure text or undefined. */
function judge(m: Mutant, o: Outcome, t: Tally): string | undefined {
  t.sent++;
  if (o.kind === 'hang') {
    t.hangs++;
    return 'no final answer';
  }
  if (o.kind === 'closed') {
    t.closed++;
    return m.expect === 'closed' ? undefined : 'connection closed';
  }
  if (o.status >= 400 && o.status < 500) t.fourxx++;
  else t.other++;
  if (m.expect === 'closed') return `answered ${o.status} instead of closing`;
  if (m.expect === 'invalid' && (o.status < 400 || o.status >= 500))
    return `answered ${o.status} ${o.reason}`;
  return undefined;
}

/** A response-looking frame (a mutation can make one) is never answered: nothing is owed. */
const looksLikeResponse = (bytes: Buffer): boolean =>
  /^(\r?\n)*SIP\//.test(bytes.subarray(0, 16).toString('latin1'));

/** Enough hangs to fail: stop there rather than wait ANSWER_BOUND_MS for each of thousands. */
const MAX_HANGS = 20;

async function runLane(lane: Lane, queue: Iterator<Mutant>, t: Tally, seed: number): Promise<void> {
  for (let next = queue.next(); !next.done && t.hangs < MAX_HANGS; next = queue.next()) {
    const m = next.value;
    if (looksLikeResponse(m.bytes)) {
      t.notRequests++;
      continue;
    }
    const failure = judge(m, await lane.send(m.bytes, m.callId), t);
    if (failure !== undefined && t.failures.length < 10) {
      t.failures.push(
        `seed ${seed} mutant ${m.n} (${m.op}): ${failure}: ${forLog(m.bytes.toString('latin1'), 200)}`,
      );
    }
  }
}

function registerText(user: string): string {
  return [
    'REGISTER sip:lab.local SIP/2.0',
    `Via: SIP/2.0/WS ${user}.invalid;branch=z9hG4bK${user}reg`,
    'Max-Forwards: 70',
    `From: <sip:${user}@lab.local>;tag=${user}`,
    `To: <sip:${user}@lab.local>`,
    `Call-ID: ${user}-register`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:${user}@${user}.invalid;transport=ws>`,
    'Expires: 3600',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('lab SIP server fuzz', () => {
  const mem = memoryLogger();
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    uncaught.push(err);
  };
  let server: SipServer;
  let sink: Lane;

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    server = await startSipServer({ logger: mem.logger });
    sink = new Lane(server.url);
    const reg = await sink.send(Buffer.from(registerText('sink')), 'sink-register');
    expect(reg).toMatchObject({ kind: 'answer', status: 200 });
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    sink.close();
    await server.close();
  });

  it(`answers ${COUNT} mutants as the oracle says, never crashes or hangs, and still serves afterwards`, async () => {
    const seed = seedFromEnv();
    const started = Date.now();
    const t: Tally = { sent: 0, fourxx: 0, other: 0, closed: 0, hangs: 0, notRequests: 0, failures: [] };
    const queue = mutants(seed, COUNT);
    const lanes = Array.from({ length: LANES }, () => new Lane(server.url));
    await Promise.all(lanes.map((lane) => runLane(lane, queue, t, seed)));
    for (const lane of lanes) lane.close();
    const crashes = mem.records.filter((r) => r.level === 'error').length + uncaught.length;
    const late = lanes.reduce((n, l) => n + l.lateAnswers, 0);
    console.log(
      `lab fuzz: seed ${seed} (replay with KW_FUZZ_SEED=${seed}): sent ${t.sent}, 4xx ${t.fourxx}, ` +
        `other answers ${t.other}, closed ${t.closed}, crashes ${crashes}, hangs ${t.hangs} ` +
        `(not requests ${t.notRequests}, late answers ${late}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const f of t.failures) console.log(`lab fuzz failure: ${f}`);

    expect({ crashes, hangs: t.hangs, late, failures: t.failures }).toEqual({
      crashes: 0,
      hangs: 0,
      late: 0,
      failures: [],
    });
    expect(t.sent).toBeGreaterThanOrEqual(5000);
    expect(t.closed).toBeGreaterThan(0);

    const alice = new TestUa(await RawWs.connect(server.url), 'alice');
    const bob = new TestUa(await RawWs.connect(server.url), 'bob');
    try {
      expect((await alice.register()).status).toBe(200);
      expect((await bob.register()).status).toBe(200);
      const sent = alice.request('MESSAGE', bob.aor, { body: 'still here', contentType: 'text/plain' });
      const got = await bob.ws.next(isRequest('MESSAGE'));
      expect(got.body).toBe('still here');
      bob.respond(got as Parameters<TestUa['respond']>[0], 200);
      expect((await sent).status).toBe(200);
    } finally {
      await Promise.all([alice.ws.close(), bob.ws.close()]);
    }
  }, 120_000);
});
