import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { startSipServer, type SipServer } from '../../../lab/sip-server/index.js';
import { LoadClient, okResponse, topBranch } from '../../bench/ws-load-client.js';
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

  it('keeps an existing To tag, and reads the top Via branch only', () => {
    expect(
      okResponse(MESSAGE.replace('To: <sip:b@lab.local>', 'To: <sip:b@lab.local>;tag=old'), 'new'),
    ).toContain('To: <sip:b@lab.local>;tag=old\r\n');
    expect(topBranch(MESSAGE)).toBe('z9hG4bKtop');
    expect(topBranch('SIP/2.0 200 OK\r\nCSeq: 1 MESSAGE\r\n\r\n')).toBeUndefined();
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
