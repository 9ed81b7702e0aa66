/**
 * The contact center around the router under test: K Ready KWs (raw user
 * agents) that accept every preview at once, and agents that send a request
 * to the routing point, wait for `routed`, and end the interaction. Previews,
 * outcomes and probes are matched by interaction id (they may arrive before
 * the request's 200). Whichever router instance answers is the same to it.
 */
import { randomUUID } from 'node:crypto';
import type { SipRequest } from '../../lab/sip-server/message.js';
import { encodeControlMessage, isControlContentType, parseControlMessage } from '../../wire/control.js';
import { CONTROL_CONTENT_TYPE, TEXT_PLAIN_UTF8 } from '../../wire/content-types.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import type { RawUa } from './raw-ua.js';

const PROBE_HEADER = 'X-Bench-Probe';
const AGENT_TIMEOUT_MS = 15_000;

/** Waiting for things by interaction id (they may arrive before the request's 200). */
class Waiters<T> {
  private readonly map = new Map<
    string,
    { resolve(v: T): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();

  wait(id: string, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.map.delete(id);
        reject(new Error(`${what}: nothing within ${ms} ms`));
      }, ms);
      this.map.set(id, { resolve, reject, timer });
    });
  }

  resolve(id: string, value: T): void {
    const w = this.map.get(id);
    if (!w) return;
    this.map.delete(id);
    clearTimeout(w.timer);
    w.resolve(value);
  }

  reject(id: string, error: Error): void {
    const w = this.map.get(id);
    if (!w) return;
    this.map.delete(id);
    clearTimeout(w.timer);
    w.reject(error);
  }
}

type Outcome = { kind: 'routed'; kw: string } | { kind: 'not-routed'; reason: string };

function controlOf(req: SipRequest): ReturnType<typeof parseControlMessage> | undefined {
  if (req.method !== 'MESSAGE') return undefined;
  const type = req.headers.get('Content-Type') ?? '';
  if (!isControlContentType(type)) return undefined;
  return parseControlMessage(type, req.body, req.headers.get(INTERACTION_HEADER));
}

/**
 * The contact center around the router: K Ready KWs that accept every preview
 * at once, and agents that ask, wait for `routed`, and end.
 */
export class Floor {
  readonly previews = new Waiters<number>();
  readonly outcomes = new Waiters<Outcome>();
  readonly probes = new Waiters<number>();
  /**
   * What went wrong besides the agents' own failures, counted: `KW side: …` (a
   * preview-answer not answered 200, a preview-cancel, a second preview for one
   * interaction) and `agent side: …` (a second `routed` for one interaction).
   */
  readonly problems: Record<string, number> = {};
  /** The KW that got each interaction's first preview, and the interactions already routed (to spot doubles). */
  private readonly previewedTo = new Map<string, string>();
  private readonly routedTo = new Map<string, string>();

  constructor(
    private readonly kws: readonly RawUa[],
    private readonly agents: readonly RawUa[],
    private readonly routingPoint: string,
  ) {
    for (const kw of kws) kw.onRequest((req, at) => this.atKw(kw, req, at));
    for (const agent of agents) agent.onRequest((req) => this.atAgent(req));
  }

  private atKw(kw: RawUa, req: SipRequest, at: number): { status: number } {
    const probe = req.headers.get(PROBE_HEADER);
    if (probe !== undefined) {
      this.probes.resolve(probe, at);
      return { status: 200 };
    }
    const parsed = controlOf(req);
    if (!parsed?.ok) return { status: 200 };
    const message = parsed.message;
    if (message.type === 'preview') {
      const id = message.interactionId.toLowerCase();
      const first = this.previewedTo.get(id);
      if (first === undefined) this.previewedTo.set(id, kw.aor);
      else
        this.problem(
          `KW side: second preview for one interaction (${first === kw.aor ? 'same' : 'another'} KW)`,
        );
      this.previews.resolve(message.interactionId, at);
      // After our 200 has left (the handler's reply is sent synchronously after it returns).
      queueMicrotask(() => {
        kw.request('MESSAGE', message.routingPoint, {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [`${INTERACTION_HEADER}: ${message.interactionId}`],
          body: encodeControlMessage('preview-answer', {
            interactionId: message.interactionId,
            decision: 'accept',
          }),
        }).then(
          (r) => {
            if (r.status !== 200) this.problem(`KW side: preview-answer ${r.status} ${r.reason}`);
          },
          (error: unknown) => this.problem(`KW side: preview-answer: ${String(error)}`.slice(0, 90)),
        );
      });
    } else if (message.type === 'preview-cancel') {
      this.problem(`KW side: preview-cancel ${message.reason}`);
    }
    return { status: 200 };
  }

  private atAgent(req: SipRequest): { status: number } {
    const parsed = controlOf(req);
    if (!parsed?.ok) return { status: 200 };
    const m = parsed.message;
    if (m.type === 'routed') {
      const id = m.interactionId.toLowerCase();
      const first = this.routedTo.get(id);
      if (first === undefined) this.routedTo.set(id, m.kw.uri);
      else
        this.problem(
          `agent side: second routed for one interaction (${first === m.kw.uri ? 'same' : 'another'} KW)`,
        );
      this.outcomes.resolve(m.interactionId, { kind: 'routed', kw: m.kw.uri });
    } else if (m.type === 'not-routed') {
      this.outcomes.resolve(m.interactionId, { kind: 'not-routed', reason: m.reason });
      this.previews.reject(m.interactionId, new Error(`not routed (${m.reason})`));
    }
    return { status: 200 };
  }

  private problem(what: string): void {
    this.problems[what] = (this.problems[what] ?? 0) + 1;
  }

  /**
   * The transport alone: a MESSAGE from an agent straight to a KW, sent → received
   * (one hop through the SIP server; the decision path has two, with the router between).
   */
  async oneHop(agent: RawUa, kw: string): Promise<number> {
    const id = randomUUID();
    const received = this.probes.wait(id, AGENT_TIMEOUT_MS, 'probe');
    received.catch(() => undefined);
    const sentAt = performance.now();
    const r = await agent.request('MESSAGE', kw, {
      contentType: TEXT_PLAIN_UTF8,
      headers: [`${PROBE_HEADER}: ${id}`],
      body: 'probe',
      timeoutMs: AGENT_TIMEOUT_MS,
    });
    if (r.status !== 200) throw new Error(`probe answered ${r.status} ${r.reason}`);
    return (await received) - sentAt;
  }

  /** One whole interaction; resolves with its times, rejects with what went wrong. */
  async interaction(
    agent: RawUa,
    text: string,
  ): Promise<{ sentAt: number; previewAt: number; endedAt: number }> {
    const id = randomUUID();
    const preview = this.previews.wait(id, AGENT_TIMEOUT_MS, 'preview');
    const outcome = this.outcomes.wait(id, AGENT_TIMEOUT_MS, 'routed');
    // Whichever fails first is the reason; the other must not be an unhandled rejection.
    preview.catch(() => undefined);
    outcome.catch(() => undefined);
    const sentAt = performance.now();
    const asked = await agent.request('MESSAGE', this.routingPoint, {
      fromDisplayName: 'Bench Agent',
      contentType: TEXT_PLAIN_UTF8,
      headers: [`${INTERACTION_HEADER}: ${id}`, 'Subject: bench'],
      body: text,
      timeoutMs: AGENT_TIMEOUT_MS,
    });
    if (asked.status !== 200) {
      const error = new Error(`request answered ${asked.status} ${asked.reason}`);
      this.previews.reject(id, error);
      this.outcomes.reject(id, error);
      throw error;
    }
    const previewAt = await preview;
    const result = await outcome;
    if (result.kind !== 'routed') throw new Error(`not routed (${result.reason})`);
    const end = (to: string): Promise<number> =>
      agent
        .request('MESSAGE', to, {
          contentType: CONTROL_CONTENT_TYPE,
          headers: [`${INTERACTION_HEADER}: ${id}`],
          body: encodeControlMessage('end', { interactionId: id }),
          timeoutMs: AGENT_TIMEOUT_MS,
        })
        .then((r) => r.status);
    const [toKw, toRp] = await Promise.all([end(result.kw), end(this.routingPoint)]);
    if (toKw !== 200 || toRp !== 200) throw new Error(`end answered ${toKw} (KW), ${toRp} (routing point)`);
    return { sentAt, previewAt, endedAt: performance.now() };
  }
}
