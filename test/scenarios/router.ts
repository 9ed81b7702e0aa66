/**
 * Router scenarios, written once and run against each SIP server
 * (test/integration: the lab server; test/interop: Kamailio). The agent is the
 * agent bot; the KWs are stand-ins: plain SipAgents that PUBLISH the PIDF the
 * KW Desktop publishes (or Linphone's) and answer previews with
 * `preview-answer` control messages, as scripted per test.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SipAgent, type IncomingSipMessage, type SipReply } from '../../main/core/sip/agent.js';
import { SipRequestError } from '../../main/core/sip/request.js';
import { memoryLogger, type Logger } from '../../main/core/log.js';
import { encodePidf } from '../../wire/presence/pidf.js';
import { presenceDocument, type EffectiveState } from '../../wire/presence/states.js';
import {
  encodeControlMessage,
  isControlContentType,
  parseControlMessage,
  type ControlMessage,
} from '../../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../../wire/content-types.js';
import { INTERACTION_HEADER } from '../../wire/header-names.js';
import type { Publisher } from '../../main/core/sip/publisher.js';
import { AgentBot, type BotMessage } from '../../lab/agent-bot/index.js';
import {
  startRouter,
  type RawRouterConfig,
  type RouterEvent,
  type RoutingState,
  type RunningRouter,
} from '../../router/index.js';
import type { ServerFactory, ServerUnderTest } from '../support/servers.js';
import { createTestAgent, startRegistered, withDeadline } from '../support/agents.js';
import { startKw, type TestKw } from '../support/kw-desk.js';
import { MINIMAL_SDP } from '../support/sdp.js';

type PresenceChoice = EffectiveState | 'linphone-dnd' | 'none';
type Behaviour = 'accept' | 'decline' | 'ignore' | { readonly refuse: number };

interface Received {
  readonly contentType: string;
  readonly control: ControlMessage | undefined;
  readonly text: string | undefined;
  readonly interactionId: string | undefined;
}

/** A list that tests can wait on. */
class Inbox<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    for (const w of [...this.waiters]) w();
  }

  async waitFor(pred: (item: T) => boolean, ms: number, what: string): Promise<T> {
    const found = (): T | undefined => this.items.find(pred);
    const hit = found();
    if (hit !== undefined) return hit;
    let wake: (() => void) | undefined;
    try {
      return await withDeadline(
        new Promise<T>((resolve) => {
          wake = () => {
            const item = found();
            if (item !== undefined) resolve(item);
          };
          this.waiters.add(wake);
        }),
        ms,
        () => `${what}: not seen within ${ms} ms`,
      );
    } finally {
      if (wake) this.waiters.delete(wake);
    }
  }
}

interface KwStandIn {
  readonly user: string;
  readonly uri: string;
  readonly agent: SipAgent;
  behaviour: Behaviour;
  readonly inbox: Inbox<Received>;
  /** Status of each preview-answer this KW sent. */
  readonly answers: Inbox<{ interactionId: string; decision: string; status: number }>;
  setPresence(choice: PresenceChoice): Promise<void>;
  answer(interactionId: string, decision: 'accept' | 'decline', routingPoint: string): Promise<number>;
  previews(): Received[];
}

export function defineRouterScenarios(factory: ServerFactory): void {
  const log = memoryLogger('info');
  const logger: Logger = log.logger;
  const cleanups: Array<() => Promise<unknown>> = [];
  let server: ServerUnderTest;
  let run = 0;
  let prefix = '';

  beforeAll(async () => {
    server = await factory.start({ logger: logger.child(factory.kind) });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    // Everything of a test stops at once: stopping one by one costs seconds per agent.
    await Promise.allSettled(cleanups.splice(0).map((fn) => fn()));
  });

  /** Unique users per test: registrations and publications of earlier tests cannot interfere. */
  function fresh(): void {
    run += 1;
    prefix = `t${run}${Date.now().toString(36).slice(-4)}`;
  }

  const uriOf = (user: string): string => `sip:${prefix}-${user}@${server.domain}`;

  async function kw(
    user: string,
    behaviour: Behaviour,
    presence: PresenceChoice = 'available',
  ): Promise<KwStandIn> {
    const agent = createTestAgent(server, `${prefix}-${user}`, { logger, displayName: user.toUpperCase() });
    cleanups.push(() => agent.stop(1500));
    let publisher: Publisher | undefined;
    const stand: KwStandIn = {
      user,
      uri: uriOf(user),
      agent,
      behaviour,
      inbox: new Inbox(),
      answers: new Inbox(),
      async setPresence(choice) {
        publisher ??= agent.createPublisher({ expires: 120 });
        if (choice === 'none') {
          await publisher.unpublish();
          return;
        }
        const body =
          choice === 'linphone-dnd'
            ? linphoneDnd(stand.uri)
            : encodePidf(presenceDocument(stand.uri, choice));
        const state = await publisher.publish(body);
        if (state.kind !== 'published') throw new Error(`${user}: PUBLISH failed: ${JSON.stringify(state)}`);
      },
      async answer(interactionId, decision, routingPoint) {
        let status: number;
        try {
          status = (
            await agent.sendMessage(
              routingPoint,
              encodeControlMessage('preview-answer', { interactionId, decision }),
              {
                contentType: CONTROL_CONTENT_TYPE,
                headers: [`${INTERACTION_HEADER}: ${interactionId}`],
              },
            )
          ).status;
        } catch (error) {
          status = error instanceof SipRequestError ? error.status : 0;
        }
        stand.answers.push({ interactionId, decision, status });
        return status;
      },
      previews: () => stand.inbox.items.filter((r) => r.control?.type === 'preview'),
    };
    agent.onMessage((m) => receiveAtKw(stand, m));
    await startRegistered(agent);
    if (presence !== 'none') await stand.setPresence(presence);
    return stand;
  }

  function receiveAtKw(stand: KwStandIn, m: IncomingSipMessage): SipReply {
    const behaviour = stand.behaviour;
    if (typeof behaviour === 'object' && isControlContentType(m.contentType)) {
      // An ordinary SIP client: it does not understand our control messages at all.
      return { status: behaviour.refuse, reason: 'Unsupported Media Type' };
    }
    const interactionId = m.header(INTERACTION_HEADER);
    if (!isControlContentType(m.contentType)) {
      stand.inbox.push({ contentType: m.contentType, control: undefined, text: m.body, interactionId });
      return { status: 200 };
    }
    const parsed = parseControlMessage(m.contentType, m.body, interactionId);
    if (!parsed.ok) return { status: parsed.status, reason: parsed.reason };
    const control = parsed.message;
    stand.inbox.push({
      contentType: m.contentType,
      control,
      text: undefined,
      interactionId: control.interactionId,
    });
    if (control.type === 'preview' && (behaviour === 'accept' || behaviour === 'decline')) {
      // The decision is its own MESSAGE, after this one is answered.
      setTimeout(() => void stand.answer(control.interactionId, behaviour, control.routingPoint), 20);
    }
    return { status: 200 };
  }

  async function agentBot(): Promise<{ bot: AgentBot; messages: Inbox<BotMessage>; agent: SipAgent }> {
    const agent = createTestAgent(server, `${prefix}-agent`, { logger, displayName: 'Agent One' });
    cleanups.push(() => agent.stop(1500));
    await startRegistered(agent);
    const bot = new AgentBot({ agent, logger: logger.child('bot') });
    const messages = new Inbox<BotMessage>();
    bot.on('message', (m) => messages.push(m));
    return { bot, messages, agent };
  }

  type RoutingPointRaw = RawRouterConfig['routingPoints'][number];

  async function router(
    points: ReadonlyArray<Omit<RoutingPointRaw, 'uri' | 'members'> & { name: string; members: string[] }>,
    extra: { file?: string } = {},
  ): Promise<{ router: RunningRouter; events: Inbox<RouterEvent>; rp: (name: string) => string }> {
    const events = new Inbox<RouterEvent>();
    const rp = (name: string): string => uriOf(name);
    const config: RawRouterConfig = {
      domain: server.domain,
      routingPoints: points.map(({ name, members, ...rest }) => ({
        previewTimeoutSeconds: 1.5,
        waitForAvailableSeconds: 2,
        ...rest,
        uri: rp(name),
        members: members.map((m) => ({ uri: uriOf(m), displayName: m.toUpperCase() })),
      })),
    };
    const started = await startRouter({
      config,
      servers: [server.url],
      logger: logger.child('router'),
      eventLog: { sink: (e) => events.push(e), ...(extra.file ? { file: extra.file } : {}) },
      createAgent: (account, agentLogger) =>
        new SipAgent({
          account: { ...account, registerExpires: 300 },
          logger: agentLogger,
          keepAlive: { intervalMs: 1000, timeoutMs: 1000 },
          retry: { initialMs: 100, maxMs: 1000 },
          connectTimeoutMs: 2000,
        }),
    });
    cleanups.push(() => started.close());
    expect(started.unregistered).toEqual([]);
    return { router: started, events, rp };
  }

  function routingState(r: RunningRouter, user: string, want: RoutingState, ms = 5000): Promise<void> {
    const uri = uriOf(user);
    const same = (s: RoutingState): boolean => JSON.stringify(s) === JSON.stringify(want);
    if (same(r.routingState(uri))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(
          new Error(
            `${user}: routing state ${JSON.stringify(r.routingState(uri))}, expected ${JSON.stringify(want)}`,
          ),
        );
      }, ms);
      const off = r.onRoutingState((c) => {
        if (c.kw !== uri || !same(c.current)) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  const READY: RoutingState = { kind: 'Ready' };

  function story(events: readonly RouterEvent[], interactionId: string): string[] {
    return events
      .filter((e) => e.interactionId === interactionId)
      .map((e) =>
        [e.event, e.kw ? e.kw.replace(/^sip:[^-]+-([^@]+)@.*$/, '$1') : '', e.reason ?? '']
          .filter(Boolean)
          .join(' '),
      );
  }

  describe(`${factory.kind}: router`, () => {
    it('one KW accepts → routed; the chat goes both ways; end releases the KW; the event log tells the story', async () => {
      fresh();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'router-log-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'events.jsonl');
      const kw1 = await kw('kw1', 'accept');
      const { bot, messages } = await agentBot();
      const {
        router: r,
        events,
        rp,
      } = await router([{ name: 'billing', strategy: 'longest-idle', members: ['kw1'] }], { file });
      await routingState(r, 'kw1', READY);

      const outcome = await bot.askExpert(rp('billing'), {
        text: 'Customer disputes invoice 7',
        subject: 'Invoice dispute',
        userData: { CaseNumber: '42', CustomerName: 'Renée Ø' },
      });
      expect(outcome).toEqual({
        kind: 'routed',
        interactionId: outcome.interactionId,
        kw: { uri: kw1.uri, displayName: 'KW1', voiceUri: kw1.uri },
      });
      const preview = kw1.previews()[0]?.control;
      expect(preview).toMatchObject({
        type: 'preview',
        interactionId: outcome.interactionId,
        agent: { uri: bot.uri, displayName: 'Agent One' },
        routingPoint: rp('billing'),
        subject: 'Invoice dispute',
        text: 'Customer disputes invoice 7',
        userData: { CaseNumber: '42', CustomerName: 'Renée Ø' },
      });
      expect(r.load(kw1.uri)).toBe(1);

      await bot.say(outcome.interactionId, 'Are you there?');
      const atKw = await kw1.inbox.waitFor((m) => m.text === 'Are you there?', 5000, 'chat at the KW');
      expect(atKw.interactionId).toBe(outcome.interactionId);
      await kw1.agent.sendMessage(bot.uri, 'Yes, looking at it.', {
        headers: [`${INTERACTION_HEADER}: ${outcome.interactionId}`],
      });
      await messages.waitFor(
        (m) => m.text === 'Yes, looking at it.' && m.from === kw1.uri,
        5000,
        'chat at the agent',
      );

      const ended = await bot.end(outcome.interactionId);
      expect(ended.sent.map((s) => s.status)).toEqual([200, 200]);
      await kw1.inbox.waitFor((m) => m.control?.type === 'end', 5000, 'end at the KW');
      await events.waitFor((e) => e.event === 'ended', 5000, 'ended event');
      expect(r.load(kw1.uri)).toBe(0);
      expect(story(events.items, outcome.interactionId)).toEqual([
        'requested',
        'offered kw1',
        'accepted kw1',
        'routed kw1',
        'ended kw1 agent',
      ]);

      await r.close();
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RouterEvent);
      expect(lines.map((e) => e.event)).toEqual(['requested', 'offered', 'accepted', 'routed', 'ended']);
      expect(lines[0]).toMatchObject({
        interactionId: outcome.interactionId,
        routingPoint: rp('billing'),
        agent: bot.uri,
      });
      expect(Number.isNaN(Date.parse(lines[0]?.ts ?? ''))).toBe(false);
    });

    it('decline → the next KW; a preview an ordinary client refuses (415) goes as text, unanswered it times out', async () => {
      fresh();
      const plain = await kw('plain', { refuse: 415 });
      const kw1 = await kw('kw1', 'decline');
      const kw2 = await kw('kw2', 'accept');
      const { bot } = await agentBot();
      const {
        router: r,
        events,
        rp,
      } = await router([{ name: 'billing', strategy: 'round-robin', members: ['plain', 'kw1', 'kw2'] }]);
      await Promise.all(['plain', 'kw1', 'kw2'].map((u) => routingState(r, u, READY)));

      const outcome = await bot.askExpert(rp('billing'), { text: 'help' });
      expect(outcome).toMatchObject({ kind: 'routed', kw: { uri: kw2.uri } });
      expect(story(events.items, outcome.interactionId)).toEqual([
        'requested',
        'offered plain',
        'timed-out plain',
        'offered kw1',
        'declined kw1',
        'offered kw2',
        'accepted kw2',
        'routed kw2',
      ]);
      expect(kw1.answers.items).toEqual([
        { interactionId: outcome.interactionId, decision: 'decline', status: 200 },
      ]);
      expect(plain.previews()).toEqual([]);
      // Issue 16: a plain SIP phone gets the offer as text (router/text-offers.ts).
      expect(plain.inbox.items.map((m) => m.text)).toContainEqual(
        expect.stringMatching(/asks: help — Reply 1 to accept, 2 to decline within \d+ s\.$/),
      );
    });

    it('no answer → preview-cancel timeout, then the next KW', async () => {
      fresh();
      const kw1 = await kw('kw1', 'ignore');
      const kw2 = await kw('kw2', 'accept');
      const { bot } = await agentBot();
      const {
        router: r,
        events,
        rp,
      } = await router([
        { name: 'billing', strategy: 'round-robin', members: ['kw1', 'kw2'], previewTimeoutSeconds: 1 },
      ]);
      await Promise.all(['kw1', 'kw2'].map((u) => routingState(r, u, READY)));

      const started = Date.now();
      const outcome = await bot.askExpert(rp('billing'), { text: 'help' });
      expect(outcome).toMatchObject({ kind: 'routed', kw: { uri: kw2.uri } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      const cancel = await kw1.inbox.waitFor(
        (m) => m.control?.type === 'preview-cancel',
        3000,
        'cancel at kw1',
      );
      expect(cancel.control).toMatchObject({ interactionId: outcome.interactionId, reason: 'timeout' });
      // Too late now.
      expect(await kw1.answer(outcome.interactionId, 'accept', rp('billing'))).toBe(409);
      expect(story(events.items, outcome.interactionId)).toEqual([
        'requested',
        'offered kw1',
        'timed-out kw1',
        'offered kw2',
        'accepted kw2',
        'routed kw2',
      ]);
    });

    it('broadcast: every Ready KW gets the preview, the first accept wins, the others get taken', async () => {
      fresh();
      const kw1 = await kw('kw1', 'ignore');
      const kw2 = await kw('kw2', 'accept');
      const kw3 = await kw('kw3', 'ignore');
      const { bot } = await agentBot();
      const {
        router: r,
        events,
        rp,
      } = await router([{ name: 'claims', strategy: 'broadcast', members: ['kw1', 'kw2', 'kw3'] }]);
      await Promise.all(['kw1', 'kw2', 'kw3'].map((u) => routingState(r, u, READY)));

      const outcome = await bot.askExpert(rp('claims'), { text: 'anyone?' });
      expect(outcome).toMatchObject({ kind: 'routed', kw: { uri: kw2.uri } });
      for (const other of [kw1, kw3]) {
        expect(other.previews()).toHaveLength(1);
        const cancel = await other.inbox.waitFor(
          (m) => m.control?.type === 'preview-cancel',
          3000,
          `taken at ${other.user}`,
        );
        expect(cancel.control).toMatchObject({ reason: 'taken' });
      }
      expect(await kw3.answer(outcome.interactionId, 'accept', rp('claims'))).toBe(409);
      const told = story(events.items, outcome.interactionId);
      expect(told.slice(0, 4)).toEqual(['requested', 'offered kw1', 'offered kw2', 'offered kw3']);
      expect(told.slice(4).sort()).toEqual(
        ['accepted kw2', 'cancelled kw1 taken', 'cancelled kw3 taken', 'routed kw2'].sort(),
      );
      expect([r.load(kw1.uri), r.load(kw2.uri), r.load(kw3.uri)]).toEqual([0, 1, 0]);
    });

    it('Busy, DND (ours and Linphone-style), Away, offline and silent KWs are not offered; nobody within the wait → not-routed', async () => {
      fresh();
      const kws = await Promise.all([
        kw('busy', 'accept', 'busy'),
        kw('dnd', 'accept', 'dnd'),
        kw('lin', 'accept', 'linphone-dnd'),
        kw('away', 'accept', 'away'),
        kw('off', 'accept', 'offline'),
        kw('silent', 'accept', 'none'),
      ]);
      const { bot } = await agentBot();
      const {
        router: r,
        events,
        rp,
      } = await router([
        {
          name: 'billing',
          strategy: 'longest-idle',
          members: kws.map((k) => k.user),
          waitForAvailableSeconds: 1.5,
        },
      ]);
      await routingState(r, 'busy', { kind: 'NotReady', reason: 'busy' });
      await routingState(r, 'dnd', { kind: 'NotReady', reason: 'dnd' });
      await routingState(r, 'lin', { kind: 'NotReady', reason: 'dnd' });
      await routingState(r, 'away', { kind: 'NotReady', reason: 'away' });
      await routingState(r, 'off', { kind: 'LoggedOut' });
      await routingState(r, 'silent', { kind: 'LoggedOut' });

      const started = Date.now();
      const outcome = await bot.askExpert(rp('billing'), { text: 'help' });
      expect(outcome).toEqual({
        kind: 'not-routed',
        interactionId: outcome.interactionId,
        reason: 'no-kw-available',
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      for (const k of kws) expect(k.previews()).toEqual([]);
      expect(story(events.items, outcome.interactionId)).toEqual(['requested', 'not-routed no-kw-available']);
    });

    it('a KW becoming Available while the agent waits is offered', async () => {
      fresh();
      const kw1 = await kw('kw1', 'accept', 'busy');
      const { bot } = await agentBot();
      const { router: r, rp } = await router([
        { name: 'billing', strategy: 'longest-idle', members: ['kw1'], waitForAvailableSeconds: 5 },
      ]);
      await routingState(r, 'kw1', { kind: 'NotReady', reason: 'busy' });

      const asked = bot.askExpert(rp('billing'), { text: 'help' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(kw1.previews()).toEqual([]);
      await kw1.setPresence('available');
      const outcome = await asked;
      expect(outcome).toMatchObject({ kind: 'routed', kw: { uri: kw1.uri } });
    });

    it('capacity 1: a second request waits until the first interaction ends, then the KW is offered again', async () => {
      fresh();
      const kw1 = await kw('kw1', 'accept');
      const { bot } = await agentBot();
      const {
        router: r,
        events,
        rp,
      } = await router([
        { name: 'billing', strategy: 'longest-idle', members: ['kw1'], waitForAvailableSeconds: 5 },
      ]);
      await routingState(r, 'kw1', READY);

      const first = await bot.askExpert(rp('billing'), { text: 'first' });
      expect(first.kind).toBe('routed');
      const second = bot.askExpert(rp('billing'), { text: 'second' });
      await events.waitFor(
        (e) => e.event === 'requested' && e.interactionId !== first.interactionId,
        3000,
        'second request',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(kw1.previews()).toHaveLength(1);
      expect(r.load(kw1.uri)).toBe(1);

      await bot.end(first.interactionId);
      const outcome = await second;
      expect(outcome).toMatchObject({ kind: 'routed', kw: { uri: kw1.uri } });
      expect(kw1.previews()).toHaveLength(2);
    });

    it('refusals change nothing: a spoofed preview-answer gets 403, a duplicate request 409, junk 400/415', async () => {
      fresh();
      const kw1 = await kw('kw1', 'ignore');
      const mallory = await kw('mallory', 'ignore', 'busy');
      const { bot, agent } = await agentBot();
      const {
        router: r,
        events,
        rp,
      } = await router([
        { name: 'billing', strategy: 'longest-idle', members: ['kw1', 'mallory'], previewTimeoutSeconds: 5 },
      ]);
      await routingState(r, 'kw1', READY);

      const asked = bot.askExpert(rp('billing'), { text: 'help' });
      const preview = await kw1.inbox.waitFor((m) => m.control?.type === 'preview', 3000, 'preview at kw1');
      const id = preview.interactionId ?? '';
      const before = r.interaction(id);

      expect(await mallory.answer(id, 'accept', rp('billing'))).toBe(403);
      expect(await mallory.answer('5d0c3a52-7a1e-4c2b-9b8e-1f2a3b4c5d6e', 'accept', rp('billing'))).toBe(481);
      const send = (body: string, contentType: string, headers: string[] = []) =>
        agent.sendMessage(rp('billing'), body, { contentType, headers }).then(
          (ok) => ok.status,
          (error: unknown) => (error instanceof SipRequestError ? error.status : 0),
        );
      expect(await send('again', 'text/plain', [`${INTERACTION_HEADER}: ${id}`])).toBe(409);
      expect(await send('no id', 'text/plain')).toBe(400);
      expect(await send('{"v":1', CONTROL_CONTENT_TYPE)).toBe(400);
      expect(
        await send('<isComposing/>', 'application/im-iscomposing+xml', [`${INTERACTION_HEADER}: ${id}`]),
      ).toBe(415);
      expect(
        await send(
          encodeControlMessage('not-routed', { interactionId: id, reason: 'timeout' }),
          CONTROL_CONTENT_TYPE,
          [`${INTERACTION_HEADER}: ${id}`],
        ),
      ).toBe(400);
      expect(r.interaction(id)).toEqual(before);
      expect(story(events.items, id)).toEqual(['requested', 'offered kw1']);

      expect(await kw1.answer(id, 'accept', rp('billing'))).toBe(200);
      expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: kw1.uri } });
      expect(await kw1.answer(id, 'accept', rp('billing'))).toBe(409);
      expect(mallory.previews()).toEqual([]);
    });

    it('a KW who logs out is released; two routing points share one KW and its capacity', async () => {
      fresh();
      const kw2 = await kw('kw2', 'accept');
      const { bot } = await agentBot();
      const {
        router: r,
        events,
        rp,
      } = await router([
        { name: 'billing', strategy: 'longest-idle', members: ['kw2'], waitForAvailableSeconds: 1 },
        { name: 'claims', strategy: 'broadcast', members: ['kw2'], waitForAvailableSeconds: 1 },
      ]);
      expect(r.routingPoints).toEqual([rp('billing'), rp('claims')]);
      await routingState(r, 'kw2', READY);

      const billing = await bot.askExpert(rp('billing'), { text: 'billing question' });
      expect(billing.kind).toBe('routed');
      const claims = await bot.askExpert(rp('claims'), { text: 'claims question' });
      expect(claims).toMatchObject({ kind: 'not-routed', reason: 'no-kw-available' });

      await kw2.setPresence('offline');
      await routingState(r, 'kw2', { kind: 'LoggedOut' });
      await events.waitFor(
        (e) => e.event === 'ended' && e.reason === 'kw-logged-out',
        3000,
        'release on logout',
      );
      expect(r.load(kw2.uri)).toBe(0);
      const ended = await bot.end(billing.interactionId);
      expect(ended.sent.find((s) => s.to === rp('billing'))?.status).toBe(200);
    });
  });

  describe(`${factory.kind}: router, escalated calls`, () => {
    /** A real KW Desktop core; INVITEs that reach it are recorded and answered `486 Reached <user>`. */
    async function desk(
      user: string,
    ): Promise<{ kw: TestKw; invites: Array<Record<string, string | undefined>> }> {
      const k = await startKw(server, `${prefix}-${user}`, logger, {
        trustedRoutingPoints: [uriOf('billing'), uriOf('claims')],
      });
      cleanups.push(() => k.stop());
      const invites: Array<Record<string, string | undefined>> = [];
      k.core.agent.onInvite((invite) => {
        invites.push({
          interactionId: invite.header(INTERACTION_HEADER),
          escalation: invite.header('X-Escalation'),
        });
        return { kind: 'reject', status: 486, reason: `Reached ${user}` };
      });
      return { kw: k, invites };
    }

    /** A chat routed to `k` through the routing point; returns its id and the agent's SIP agent. */
    async function routedChat(k: TestKw, routingPoint: string): Promise<{ id: string; agent: SipAgent }> {
      const { bot, agent } = await agentBot();
      const asked = bot.askExpert(routingPoint, {
        text: 'Customer disputes invoice 7',
        subject: 'Invoice',
        userData: { CaseNumber: '42' },
      });
      await k.core.previews.accept((await k.nextPreview()).preview.interactionId);
      const outcome = await asked;
      if (outcome.kind !== 'routed') throw new Error(`chat not routed: ${JSON.stringify(outcome)}`);
      return { id: outcome.interactionId, agent };
    }

    function call(agent: SipAgent, routingPoint: string, id: string, escalation = 'transfer') {
      return agent.request('INVITE', routingPoint, {
        headers: [`${INTERACTION_HEADER}: ${id}`, `X-Escalation: ${escalation}`, 'X-UserData-CaseNumber: 42'],
        contentType: 'application/sdp',
        body: MINIMAL_SDP,
      });
    }

    const calls = (events: readonly RouterEvent[], id: string): string[] =>
      story(events, id).filter((line) => line.startsWith('call-') && !line.startsWith('call-requested'));

    it('previewEscalation: the KW gets a call preview while the caller rings; accept → 302, the call reaches that KW', async () => {
      fresh();
      const one = await desk('kw1');
      const {
        router: r,
        events,
        rp,
      } = await router([
        {
          name: 'billing',
          strategy: 'longest-idle',
          members: ['kw1'],
          previewEscalation: true,
          escalationTimeoutSeconds: 3,
        },
      ]);
      await routingState(r, 'kw1', READY);
      const { id, agent } = await routedChat(one.kw, rp('billing'));

      const answered = call(agent, rp('billing'), id);
      const preview = (await one.kw.nextPreview()).preview;
      expect(preview).toMatchObject({
        interactionId: id,
        subject: 'Invoice',
        text: 'Incoming transfer',
        userData: { CaseNumber: '42' },
      });
      expect(one.invites).toEqual([]);
      await one.kw.core.previews.accept(id);
      expect(await answered).toMatchObject({ status: 486, reason: 'Reached kw1' });
      expect(one.invites).toEqual([{ interactionId: id, escalation: 'transfer' }]);
      expect(calls(events.items, id)).toEqual([
        'call-offered kw1',
        'call-accepted kw1',
        `call-redirected kw1 ${one.kw.uri}`,
      ]);
      // Still one conversation: the call preview belongs to the chat the KW has.
      expect(one.kw.core.conversations.list().map((c) => c.interactionId)).toEqual([id]);
    });

    it('previewEscalation: decline → another member gets a preview, accepts, gets the call and the interaction; nobody left → 480', async () => {
      fresh();
      const one = await desk('kw1');
      const two = await desk('kw2');
      const {
        router: r,
        events,
        rp,
      } = await router([
        {
          name: 'billing',
          strategy: 'round-robin',
          members: ['kw1', 'kw2'],
          previewEscalation: true,
          escalationTimeoutSeconds: 3,
        },
      ]);
      await Promise.all(['kw1', 'kw2'].map((u) => routingState(r, u, READY)));
      const { id, agent } = await routedChat(one.kw, rp('billing'));

      const first = call(agent, rp('billing'), id, 'conference');
      await one.kw.core.previews.decline((await one.kw.nextPreview()).preview.interactionId);
      const offered = (await two.kw.nextPreview()).preview;
      expect(offered).toMatchObject({
        interactionId: id,
        text: "Incoming conference. The agent's question was: Customer disputes invoice 7",
      });
      await two.kw.core.previews.accept(id);
      expect(await first).toMatchObject({ status: 486, reason: 'Reached kw2' });
      expect([one.invites.length, two.invites.length]).toEqual([0, 1]);
      expect(r.interaction(id)?.kw).toBe(two.kw.uri);
      expect(calls(events.items, id)).toEqual([
        'call-offered kw1',
        'call-declined kw1',
        'call-offered kw2',
        'call-accepted kw2',
        'call-kw-changed kw2',
        `call-redirected kw2 ${two.kw.uri}`,
      ]);

      // Now both decline: the caller hears why.
      const second = call(agent, rp('billing'), id);
      await two.kw.core.previews.decline((await two.kw.nextPreview()).preview.interactionId);
      await one.kw.core.previews.decline((await one.kw.nextPreview()).preview.interactionId);
      expect(await second).toMatchObject({ status: 480, reason: 'No Expert Available' });
      expect(story(events.items, id).at(-1)).toBe('call-refused kw2 480 No Expert Available');
    });

    it('the KW is in another call → another Ready member is previewed and gets the call; nobody else → 486 at once', async () => {
      fresh();
      const one = await desk('kw1');
      const two = await desk('kw2');
      const {
        router: r,
        events,
        rp,
      } = await router([
        { name: 'billing', strategy: 'longest-idle', members: ['kw1', 'kw2'], escalationTimeoutSeconds: 3 },
      ]);
      await Promise.all(['kw1', 'kw2'].map((u) => routingState(r, u, READY)));
      const { id, agent } = await routedChat(one.kw, rp('billing'));
      await one.kw.core.presence.setInCall(true);
      await routingState(r, 'kw1', { kind: 'NotReady', reason: 'on-the-phone' });

      const answered = call(agent, rp('billing'), id);
      await two.kw.core.previews.accept((await two.kw.nextPreview()).preview.interactionId);
      expect(await answered).toMatchObject({ status: 486, reason: 'Reached kw2' });
      expect(calls(events.items, id)).toEqual([
        'call-offered kw2',
        'call-accepted kw2',
        'call-kw-changed kw2',
        `call-redirected kw2 ${two.kw.uri}`,
      ]);

      await two.kw.core.presence.setInCall(true);
      await routingState(r, 'kw2', { kind: 'NotReady', reason: 'on-the-phone' });
      expect(await call(agent, rp('billing'), id)).toMatchObject({
        status: 486,
        reason: 'Expert In Another Call',
      });
      expect(one.invites.length + two.invites.length).toBe(1);
    });
  });

  describe(`${factory.kind}: router with digest auth`, () => {
    const users = [
      { user: 'auth-rp', password: 'rp-secret' },
      { user: 'auth-kw', password: 'kw-secret' },
      { user: 'auth-agent', password: 'agent-secret' },
    ];
    let secured: ServerUnderTest;
    beforeAll(async () => {
      secured = await factory.start({ logger: logger.child(`${factory.kind}-auth`), users });
    });
    afterAll(async () => {
      await secured.close();
    });

    it('the routing point registers, subscribes and sends with its configured credentials', async () => {
      const member = createTestAgent(secured, 'auth-kw', { logger, password: 'kw-secret' });
      const agent = createTestAgent(secured, 'auth-agent', { logger, password: 'agent-secret' });
      cleanups.push(
        () => member.stop(1500),
        () => agent.stop(1500),
      );
      await Promise.all([startRegistered(member), startRegistered(agent)]);
      const kwUri = `sip:auth-kw@${secured.domain}`;
      const rpUri = `sip:auth-rp@${secured.domain}`;
      member.onMessage((m) => {
        const parsed = parseControlMessage(m.contentType, m.body);
        if (parsed.ok && parsed.message.type === 'preview') {
          const { interactionId } = parsed.message;
          setTimeout(() => {
            void member.sendMessage(
              rpUri,
              encodeControlMessage('preview-answer', { interactionId, decision: 'accept' }),
              {
                contentType: CONTROL_CONTENT_TYPE,
              },
            );
          }, 20);
        }
        return { status: 200 };
      });
      const publisher = member.createPublisher({ expires: 120 });
      expect((await publisher.publish(encodePidf(presenceDocument(kwUri, 'available')))).kind).toBe(
        'published',
      );

      const r = await startRouter({
        config: {
          routingPoints: [
            {
              uri: rpUri,
              strategy: 'longest-idle',
              members: [kwUri],
              password: 'rp-secret',
              previewTimeoutSeconds: 2,
              waitForAvailableSeconds: 2,
            },
          ],
        },
        domain: secured.domain,
        servers: [secured.url],
        logger: logger.child('router-auth'),
      });
      cleanups.push(() => r.close());
      expect(r.unregistered).toEqual([]);
      await withDeadline(
        (async () => {
          while (r.routingState(kwUri).kind !== 'Ready')
            await new Promise((resolve) => setTimeout(resolve, 50));
        })(),
        5000,
        () => `routing state ${JSON.stringify(r.routingState(kwUri))}`,
      );
      const bot = new AgentBot({ agent, logger });
      expect(await bot.askExpert(rpUri, { text: 'secured' })).toMatchObject({
        kind: 'routed',
        kw: { uri: kwUri },
      });
    });
  });
}

/** What Linphone publishes for "Do not disturb": closed + busy. */
function linphoneDnd(entity: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}">
  <tuple id="linphone1"><status><basic>closed</basic></status><contact>${entity}</contact><timestamp>${new Date().toISOString()}</timestamp></tuple>
  <dm:person id="plinphone"><rpid:activities><rpid:busy/></rpid:activities><dm:timestamp>${new Date().toISOString()}</dm:timestamp></dm:person>
</presence>
`;
}
