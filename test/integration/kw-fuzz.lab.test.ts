/**
 * The KW core under a seeded fuzz over real SIP: malformed control messages
 * (preview, preview-cancel, end) and isComposing documents from a trusted
 * routing point, the agent of an accepted chat and a stranger, through the lab
 * server on loopback to a real KwCore. Bodies that are not UTF-8 cannot pass a
 * SIP server (the lab server refuses them itself), so those are injected into
 * the KW's own connection by a WsTap. KW_FUZZ_SEED=<n> replays another run.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import { encodeControlMessage } from '../../wire/control.js';
import { CONTROL_CONTENT_TYPE, TEXT_PLAIN_UTF8 } from '../../wire/content-types.js';
import { labServer } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { eventually, withDeadline } from '../support/agents.js';
import { startKw, type TestKw } from '../support/kw-desk.js';
import { startWsTap, type WsTap } from '../support/ws-tap.js';
import { rawRequestBytes, statusOf } from '../support/raw-sip.js';
import { answerTo, previewFields, startParty, type Party } from '../support/kw-senders.js';
import { fuzzCases, type FuzzCase, type FuzzSender } from '../support/kw-fuzz.js';

const SEED = Number(process.env.KW_FUZZ_SEED ?? 20_261_124);
const CASES = 2400;
/** A message without a final answer in this long is a hang. */
const HANG_MS = 10_000;
const IN_FLIGHT = 4;
const HANG = 'no answer in time';

interface Outcome {
  readonly fuzz: FuzzCase;
  /** The final status, or 0 for no answer (a hang). */
  readonly status: number;
}

describe('KW core fuzz over real SIP (lab server)', () => {
  const log = memoryLogger('warn');
  const later = cleanupAfterEach();

  it(`${CASES} malformed control and isComposing messages: every one 4xx from the KW, no state change, the KW works afterwards`, async () => {
    const started = Date.now();
    const server = await labServer.start({ logger: log.logger });
    later(() => server.close());
    const tap = await startWsTap(server.url);
    later(() => tap.close());
    const trusted = `sip:billing@${server.domain}`;
    const kw = await startKw(server, 'kw1', log.logger, {
      trustedRoutingPoints: [trusted],
      servers: [tap.url],
    });
    later.peer(() => kw.stop());
    const parties: Record<FuzzSender, Party> = {
      'routing-point': await startParty(server, 'billing', log.logger, later),
      agent: await startParty(server, 'agent1', log.logger, later),
      stranger: await startParty(server, 'mallory', log.logger, later),
    };
    const acceptedId = await acceptPreview(kw, parties);

    const before = JSON.stringify(kw.core.conversations.list());
    const changes = watchState(kw);
    const refusalsBefore = refusals(log.records);
    const cases = fuzzCases(
      {
        domain: server.domain,
        routingPoint: trusted,
        agent: parties.agent.agent.aor,
        stranger: parties.stranger.agent.aor,
        acceptedId,
        now: Date.now(),
      },
      { seed: SEED, count: CASES },
    );
    const outcomes = await sendAll(cases, (c) => send(c, kw, parties, tap));

    report(outcomes, Date.now() - started);
    const hangs = outcomes.filter((o) => o.status === 0);
    const not4xx = outcomes.filter((o) => o.status < 400 || o.status > 499);
    expect(hangs.map(describeCase), 'hangs').toEqual([]);
    expect(not4xx.map(describeCase), 'answers other than 4xx').toEqual([]);
    // Every one reached the KW and was refused there (not by the SIP server), and logged.
    expect(refusals(log.records) - refusalsBefore).toBe(CASES);
    expect(
      log.records.filter((r) => r.level === 'error').map((r) => r.msg),
      'errors (crashes)',
    ).toEqual([]);
    expect(changes()).toEqual({ previews: 0, conversations: 0, typing: 0 });
    expect(kw.core.previews.list()).toEqual([]);
    expect(JSON.stringify(kw.core.conversations.list())).toBe(before);
    expect(kw.core.agent.isRegistered).toBe(true);

    // Afterwards: a well-formed preview from the trusted routing point pops, and a chat works.
    const chatId = await acceptPreview(kw, parties);
    expect(
      (await answerTo(parties.agent.agent, kw.uri, 'after the fuzz', TEXT_PLAIN_UTF8, chatId)).status,
    ).toBe(200);
    expect(kw.core.conversations.get(chatId)?.messages.at(-1)?.text).toBe('after the fuzz');
    expect((await kw.core.conversations.send(chatId, 'all good here')).delivery).toBe('delivered');
    await eventually(
      () => parties.agent.received.some((m) => m.body === 'all good here'),
      5000,
      () => 'the agent never got the reply',
    );
  }, 120_000);
});

/** The trusted routing point offers agent1's request; the KW accepts it. */
async function acceptPreview(kw: TestKw, parties: Record<FuzzSender, Party>): Promise<string> {
  const fields = previewFields(parties['routing-point'].agent.aor, parties.agent.agent.aor);
  const body = encodeControlMessage('preview', fields);
  expect((await answerTo(parties['routing-point'].agent, kw.uri, body, CONTROL_CONTENT_TYPE)).status).toBe(
    200,
  );
  const { preview } = await kw.nextPreview();
  expect(preview.interactionId).toBe(fields.interactionId);
  await kw.core.previews.accept(preview.interactionId);
  return preview.interactionId;
}

/** Counts what the KW would show or keep: previews added, conversations changed, typing shown. */
function watchState(kw: TestKw): () => { previews: number; conversations: number; typing: number } {
  const counts = { previews: 0, conversations: 0, typing: 0 };
  kw.core.previews.on('added', () => (counts.previews += 1));
  kw.core.conversations.on('changed', () => (counts.conversations += 1));
  kw.core.conversations.on('typing', () => (counts.typing += 1));
  return () => ({ ...counts });
}

function refusals(records: ReadonlyArray<{ msg: string }>): number {
  return records.filter((r) => r.msg === 'incoming MESSAGE refused').length;
}

/** Runs the cases with a few in flight at once; order does not matter (each is judged alone). */
async function sendAll(
  cases: readonly FuzzCase[],
  one: (c: FuzzCase) => Promise<number>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const fuzz = cases[next];
      next += 1;
      if (fuzz) outcomes.push({ fuzz, status: await one(fuzz) });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return outcomes;
}

/** Sends one case: through the SIP server, or (bytes that are not UTF-8) straight into the KW's connection. */
async function send(
  c: FuzzCase,
  kw: TestKw,
  parties: Record<FuzzSender, Party>,
  tap: WsTap,
): Promise<number> {
  const from = parties[c.from].agent;
  const answered =
    typeof c.body === 'string'
      ? answerTo(from, kw.uri, c.body, c.contentType, c.interactionId).then((a) => a.status)
      : inject(c, c.body, from.aor, kw.uri, tap);
  // 0: no answer in time (a hang); -1: the send itself failed (counted as not 4xx).
  return withDeadline(answered, HANG_MS, () => HANG).catch((e: unknown) =>
    e instanceof Error && e.message === HANG ? 0 : -1,
  );
}

async function inject(c: FuzzCase, body: Buffer, from: string, to: string, tap: WsTap): Promise<number> {
  const callId = `fuzz-${randomUUID()}`;
  const headers = [
    `Content-Type: ${c.contentType}`,
    ...(c.interactionId ? [`X-Interaction-Id: ${c.interactionId}`] : []),
  ];
  tap.inject(rawRequestBytes('MESSAGE', to, body, { from, callId, headers }), { binary: false });
  const response = await tap.nextFromClient((t) => t.startsWith('SIP/2.0') && t.includes(callId), HANG_MS);
  return statusOf(response);
}

function describeCase(o: Outcome): string {
  const body = typeof o.fuzz.body === 'string' ? o.fuzz.body : o.fuzz.body.toString('latin1');
  return `${o.status} ${o.fuzz.base}/${o.fuzz.kind} from ${o.fuzz.from}: ${body.slice(0, 160)}`;
}

function report(outcomes: readonly Outcome[], elapsedMs: number): void {
  const tally = (key: (o: Outcome) => string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const o of outcomes) out[key(o)] = (out[key(o)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort());
  };
  console.log(
    `KW fuzz: seed ${SEED} (KW_FUZZ_SEED), ${outcomes.length} messages in ${(elapsedMs / 1000).toFixed(1)} s; ` +
      `hangs ${outcomes.filter((o) => o.status === 0).length}, ` +
      `not 4xx ${outcomes.filter((o) => o.status < 400 || o.status > 499).length}`,
  );
  console.log(
    'by status:',
    tally((o) => String(o.status)),
  );
  console.log(
    'by base:',
    tally((o) => o.fuzz.base),
  );
  console.log(
    'by mutation:',
    tally((o) => o.fuzz.kind),
  );
}
