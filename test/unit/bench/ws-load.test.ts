import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { startSipServer, type SipServer } from '../../../lab/sip-server/index.js';
import { LoadClient, okResponse } from '../../bench/ws-load-client.js';
import { cseqOf, ID_DIGITS, isResponse, MessageTemplate, statusOf } from '../../bench/ws-load-sip.js';
import { drive, absNow, type Pair } from '../../bench/ws-load-driver.js';
import { mergeReports, split, type WorkerReport } from '../../bench/ws-load-result.js';
import { affinityOf, childGroupPids, defaultPlacement, pin } from '../../bench/ws-load-pin.js';

const MESSAGE = [
  'MESSAGE sip:b@lab.local SIP/2.0',
  'Via: SIP/2.0/WS proxy.invalid;branch=z9hG4bKtop;rport',
  'v: SIP/2.0/WS a.invalid;branch=z9hG4bKsecond',
  'Max-Forwards: 69',
  'f: <sip:a@lab.local>;tag=x1',
  'To: <sip:b@lab.local>',
  'Call-ID: c1',
  'CSeq: 7 MESSAGE',
  'Content-Type: text/plain',
  'Content-Length: 2',
  '',
  'hi',
].join('\r\n');

describe('WebSocket load client', () => {
  it('answers 200 with Via (all, in order), From, To + tag, Call-ID and CSeq copied, nothing else', () => {
    expect(okResponse(MESSAGE, 't9').split('\r\n')).toEqual([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/WS proxy.invalid;branch=z9hG4bKtop;rport',
      'v: SIP/2.0/WS a.invalid;branch=z9hG4bKsecond',
      'f: <sip:a@lab.local>;tag=x1',
      'To: <sip:b@lab.local>;tag=t9',
      'Call-ID: c1',
      'CSeq: 7 MESSAGE',
      'Content-Length: 0',
      '',
      '',
    ]);
  });

  it('keeps an existing To tag (any case, spaces around the ;), and adds one to a compact To', () => {
    expect(
      okResponse(MESSAGE.replace('To: <sip:b@lab.local>', 'To: <sip:b@lab.local> ; TAG=old'), 'new'),
    ).toContain('To: <sip:b@lab.local> ; TAG=old\r\n');
    expect(
      okResponse(MESSAGE.replace('To: <sip:b@lab.local>', 't :<sip:b@lab.local>;tagx=1'), 'n'),
    ).toContain('t :<sip:b@lab.local>;tagx=1;tag=n\r\n');
  });

  it("reads a response's status and CSeq number by index, in the head only, within the given range", () => {
    const response = Buffer.from(
      'xxSIP/2.0 404 Not Found\r\nVia: SIP/2.0/WS a.invalid\r\ncseq :  0000000042 MESSAGE\r\n\r\nCSeq: 7 body',
      'latin1',
    );
    expect(isResponse(response, 2, response.length)).toBe(true);
    expect(statusOf(response, 2)).toBe(404);
    expect(cseqOf(response, 2, response.length)).toBe(42);
    const noCseq = Buffer.from('SIP/2.0 200 OK\r\nVia: x\r\n\r\nCSeq: 7 MESSAGE', 'latin1');
    expect(cseqOf(noCseq, 0, noCseq.length)).toBe(-1); // a CSeq in the body is not one
    const request = Buffer.from(MESSAGE, 'latin1');
    expect(isResponse(request, 0, request.length)).toBe(false);
    expect(statusOf(Buffer.from('SIP/2.0 2x0 OK'), 0)).toBe(-1);
  });

  it('patches the number into every field of a prebuilt MESSAGE, and only there', () => {
    const t = new MessageTemplate('MESSAGE x\r\nVia: b=K@@ID@@\r\nCSeq: @@ID@@ MESSAGE\r\n\r\nbody');
    const dst = Buffer.alloc(t.bytes.length + 3, '#');
    const n = t.writeInto(dst, 3, 1_234_567);
    const id = '1234567'.padStart(ID_DIGITS, '0');
    expect(dst.toString('latin1', 0, 3 + n)).toBe(
      `###MESSAGE x\r\nVia: b=K${id}\r\nCSeq: ${id} MESSAGE\r\n\r\nbody`,
    );
    t.writeInto(dst, 3, 8);
    expect(cseqOf(dst, 3, 3 + n)).toBe(8);
  });
});

describe('WebSocket load results', () => {
  const report = (over: Partial<WorkerReport>): WorkerReport => ({
    sent: 0,
    ok: 0,
    non2xx: 0,
    timeouts: 0,
    closed: 0,
    statuses: {},
    latenciesMs: [],
    wireLatenciesMs: [],
    sendLagMs: [],
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
    cpuMs: 0,
    firstSendAt: 0,
    lastDoneAt: 0,
    ...over,
  });

  it('merges workers: throughput over the common window, quantiles over all latencies, every failure an error', () => {
    const a = report({
      sent: 3,
      ok: 2,
      non2xx: 1,
      statuses: { 500: 1 },
      latenciesMs: [1, 3],
      firstSendAt: 1000,
      lastDoneAt: 1500,
    });
    const b = report({
      sent: 3,
      ok: 2,
      timeouts: 1,
      latenciesMs: [2, 4],
      firstSendAt: 1200,
      lastDoneAt: 2000,
    });
    const idle = report({});
    const m = mergeReports([a, b, idle]);
    expect(m).toMatchObject({ sent: 6, ok: 4, errors: 2, timeouts: 1, statuses: { 500: 1 }, windowMs: 1000 });
    expect(m.throughput).toBeCloseTo(4);
    expect(m.p50Ms).toBeCloseTo(2.5);
    expect(m.maxMs).toBe(4);
  });

  it("reports the generator's own lateness apart: send lag and latency from the send, the worst worker's loop delay, CPU over the window", () => {
    const a = report({
      sent: 2,
      ok: 2,
      latenciesMs: [5, 40],
      wireLatenciesMs: [4, 2],
      sendLagMs: [1, 38],
      loopDelayP99Ms: 3,
      loopDelayMaxMs: 39,
      cpuMs: 300,
      firstSendAt: 0,
      lastDoneAt: 1000,
    });
    const b = report({ sent: 1, ok: 1, latenciesMs: [3], wireLatenciesMs: [3], sendLagMs: [0], cpuMs: 200 });
    const g = mergeReports([a, b]).generator;
    expect(g.sendLagP99Ms).toBeCloseTo(37.26); // interpolated over [0, 1, 38]
    expect(g.wireP99Ms).toBeCloseTo(3.98); // [2, 3, 4]: the 40 ms was mostly waiting to be sent
    expect(g).toMatchObject({ loopDelayP99Ms: 3, loopDelayMaxMs: 39 });
    expect(g.cpuPercent).toBeCloseTo(50);
  });

  it('splits counts evenly', () => {
    expect(split(10, 3)).toEqual([4, 3, 3]);
    expect(split(1, 2)).toEqual([1, 0]);
  });
});

describe('WebSocket load driver on the lab server', () => {
  let server: SipServer;
  const clients: LoadClient[] = [];
  let pairs: Pair[];
  beforeAll(async () => {
    server = await startSipServer({ logger: memoryLogger('warn').logger });
    const client = async (user: string): Promise<LoadClient> => {
      const c = await LoadClient.connect(server.url, user, server.domain);
      clients.push(c);
      expect(await c.register(5_000)).toEqual({ status: 200 });
      return c;
    };
    pairs = [
      [await client('la'), await client('lb')],
      [await client('ma'), await client('mb')],
    ];
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  it('closed loop: stops at the message bound, every MESSAGE delivered and answered', async () => {
    const before = clients.reduce((n, c) => n + c.answered, 0);
    const r = await drive(pairs, {
      mode: { kind: 'closed', window: 4 },
      seconds: 30,
      maxMessages: 300,
      timeoutMs: 5_000,
      startAt: absNow(),
    });
    expect(r).toMatchObject({ sent: 300, ok: 300, non2xx: 0, timeouts: 0, closed: 0 });
    expect(r.latenciesMs).toHaveLength(300);
    // Both directions of both pairs: every receiver answered its share.
    expect(clients.reduce((n, c) => n + c.answered, 0) - before).toBe(300);
    expect(clients.every((c) => c.answered > 0)).toBe(true);
  });

  it('open loop: stops at the time bound, and counts a refused MESSAGE as an error with its status', async () => {
    const ghost = await LoadClient.connect(server.url, 'ghost', server.domain); // never registers
    clients.push(ghost);
    const r = await drive([...pairs, [pairs[0]?.[0] as LoadClient, ghost]], {
      mode: { kind: 'open', rate: 300 },
      seconds: 0.5,
      maxMessages: 10_000,
      timeoutMs: 5_000,
      startAt: absNow(),
    });
    expect(r.sent).toBe(150);
    // Every third message is on the pair with the unregistered client, half of them to it
    // (directions alternate): 404, counted as an error, not as a latency.
    expect(r.non2xx).toBe(25);
    expect(r.statuses).toEqual({ 404: 25 });
    expect(r.ok).toBe(125);
    expect(r.latenciesMs).toHaveLength(125);
  });
});

describe('WebSocket load driver: MESSAGEs without an answer', () => {
  let server: SipServer;
  beforeAll(async () => {
    server = await startSipServer({ logger: memoryLogger('warn').logger });
  });
  afterAll(() => server.close());

  const pair = async (name: string): Promise<[LoadClient, LoadClient]> => {
    const [a, b] = [
      await LoadClient.connect(server.url, `${name}a`, server.domain),
      await LoadClient.connect(server.url, `${name}b`, server.domain),
    ];
    expect(await a.register(5_000)).toEqual({ status: 200 });
    expect(await b.register(5_000)).toEqual({ status: 200 });
    return [a, b];
  };
  /** `c` still reads the answers to its own MESSAGEs, but never answers one sent to it. */
  const mute = (c: LoadClient): void => {
    const read = c.frame.bind(c);
    c.frame = (buf, start, end) => {
      if (isResponse(buf, start, end)) read(buf, start, end);
    };
  };

  it('counts a MESSAGE its receiver never answers as a timeout, once, and the answered ones as latencies', async () => {
    const [a, b] = await pair('mute');
    mute(b);
    try {
      const r = await drive([[a, b]], {
        mode: { kind: 'closed', window: 2 },
        seconds: 30,
        maxMessages: 6,
        timeoutMs: 300,
        startAt: absNow(),
      });
      // Messages alternate direction: the 3 to b time out, the 3 to a are answered.
      expect(r).toMatchObject({ sent: 6, ok: 3, timeouts: 3, non2xx: 0, closed: 0 });
      expect(r.latenciesMs).toHaveLength(3);
      expect(r.lastDoneAt - r.firstSendAt).toBeGreaterThanOrEqual(300);
    } finally {
      a.close();
      b.close();
    }
  });

  it('counts the MESSAGEs in flight on a connection that closes as closed, and sends none on it after', async () => {
    const [a, b] = await pair('gone');
    mute(b);
    setTimeout(() => a.close(), 100); // a's MESSAGEs to the mute b are still in flight
    const r = await drive([[a, b]], {
      mode: { kind: 'open', rate: 100 },
      seconds: 0.5,
      maxMessages: 1_000,
      timeoutMs: 1_000,
      startAt: absNow(),
    });
    b.close();
    expect(r.sent).toBe(50);
    // a's 25: those in flight to the mute b when it closed, then those it could not send;
    // b's to the gone a: the server's answer.
    expect(r.closed).toBe(25);
    expect(r.timeouts).toBe(0);
    expect(r.ok).toBeGreaterThan(0);
    expect(r.ok + r.non2xx + r.closed + r.timeouts).toBe(50); // every MESSAGE counted once
  }, 10_000);
});

describe('WebSocket load CPU placement', () => {
  const placement = defaultPlacement();

  it.skipIf(placement === undefined)('pins a child process group and reads the affinity back', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      expect(childGroupPids('sleep')).toEqual([pid]);
      pin(pid, placement?.server ?? '0');
      expect(affinityOf(pid)).toBe(placement?.server);
      expect(affinityOf(process.pid)).not.toBe(placement?.server); // only the child was pinned
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("has nothing to pin on a 1-CPU machine, and the generator gets every CPU but the server's", () => {
    if (placement === undefined) return;
    expect(placement.server).toBe('0');
    expect(placement.generator).toMatch(/^1(-\d+)?$/);
  });
});
