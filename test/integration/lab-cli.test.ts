/**
 * `npm run lab` as a person uses it: the SIP server plus the router with the
 * example config (two routing points), with digest auth from the example users
 * file; a KW core and an agent bot get an interaction routed through it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { startLab, parseLabArgs, type Lab } from '../../lab/cli.js';
import { startupProblem } from '../../lab/cli-problems.js';
import { DEFAULT_WEB_PORT } from '../../lab/web/server.js';
import { memoryLogger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { KwCore } from '../../main/core/kw-core.js';
import { MemoryHistoryStore } from '../../main/core/history/history-store.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { withDeadline } from '../support/agents.js';

const log = memoryLogger('warn');
const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
});

function agent(lab: Lab, user: string, password: string): SipAgent {
  const a = new SipAgent({
    account: { uri: `sip:${user}@${lab.sip.domain}`, password, servers: [lab.sip.url] },
    logger: log.logger,
    retry: { initialMs: 100, maxMs: 1000 },
  });
  stops.push(() => a.stop(1000));
  return a;
}

describe('npm run lab', () => {
  it('starts the SIP server and the router of the example config; an interaction gets routed', async () => {
    // Ephemeral ports only: the suite must not collide with a lab already running.
    const opts = parseLabArgs([
      '--port',
      '0',
      '--web-port',
      '0',
      '--provision-port',
      '0',
      '--dashboard-port',
      '0',
      '--users',
      'lab/users.example.json',
    ]);
    if (opts === 'help') throw new Error('unexpected help');
    const lab = await startLab({ ...opts, routerEvents: undefined }, log.logger);
    stops.push(() => lab.close());
    expect(lab.web?.port).not.toBe(DEFAULT_WEB_PORT);
    expect(lab.web?.url).toBe(`http://127.0.0.1:${lab.web?.port}`);
    expect(lab.provisioning?.url).toMatch(/^https:\/\/127\.0\.0\.1:(?!5443$)\d+$/);
    expect(lab.router?.routingPoints).toEqual([
      'sip:billing-experts@lab.local',
      'sip:claims-experts@lab.local',
    ]);
    expect(lab.router?.unregistered).toEqual([]);
    // The router's dashboard, behind the token printed at start.
    expect(lab.dashboard?.url).toMatch(/^http:\/\/127\.0\.0\.1:(?!5091\/)\d+\/dashboard\/$/);
    const login = (token: string) =>
      fetch(`${lab.dashboard?.url}login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
    expect((await login('not-the-token-at-all')).status).toBe(401);
    expect((await login(lab.dashboard?.token ?? '')).status).toBe(200);

    const kw = new KwCore({
      agent: agent(lab, 'kw1', 'kw1-secret'),
      history: new MemoryHistoryStore(),
      logger: log.logger,
      trustedRoutingPoints: lab.router?.routingPoints ?? [],
    });
    stops.push(() => kw.stop());
    await kw.start();
    await withDeadline(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (lab.router?.routingState('sip:kw1@lab.local').kind === 'Ready') resolve();
        };
        check();
        lab.router?.onRoutingState(check);
      }),
      10_000,
      () => 'router never saw kw1 Ready',
    );
    expect(kw.routable()).toMatchObject({ registered: true, routable: true });

    const agentUa = agent(lab, 'agent1', 'agent1-secret');
    agentUa.start();
    await withDeadline(
      agentUa.once('state', (s) => s.phase === 'registered'),
      10_000,
      () => 'agent not registered',
    );
    const bot = new AgentBot({ agent: agentUa, logger: log.logger });
    const asked = bot.askExpert('sip:billing-experts@lab.local', {
      text: 'Invoice question',
      subject: 'Invoice 7',
    });
    const added = await withDeadline(kw.previews.once('added'), 10_000, () => 'no preview');
    await kw.previews.accept(added.preview.interactionId);
    expect(await asked).toMatchObject({ kind: 'routed', kw: { uri: 'sip:kw1@lab.local' } });
  });

  it('a port in use: the lab says which and how to choose another', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => busy.close(resolve)));
    const address = busy.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // The SIP server starts on a free port; the web pages find theirs taken.
    const opts = parseLabArgs(['--port', '0', '--web-port', String(port), '--no-router', '--no-provision']);
    if (opts === 'help') throw new Error('unexpected help');
    const failure = await startLab(opts, log.logger).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeDefined();
    expect(startupProblem(failure, opts)).toBe(
      `The lab could not start: port ${port} on 127.0.0.1 is already in use (is a lab already running?). Stop what uses it, or choose another with --web-port (0 = any free port).`,
    );
    // Parsing still refuses what is not a port, and --verbose is an option.
    expect(() => parseLabArgs(['--port', 'x'])).toThrow('--port must be 0..65535, got x');
    expect(parseLabArgs(['-v'])).toMatchObject({ verbose: true });
    expect(startupProblem(new Error('boom'), opts)).toBe('boom');
  });
});
