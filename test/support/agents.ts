/** Core SIP agents for tests: fast retries and keep-alives so failures show in seconds. */
import { SipAgent, type SipAccount } from '../../main/core/sip/agent.js';
import type { ConnectionState } from '../../main/core/sip/connection-state.js';
import type { Logger } from '../../main/core/log.js';
import type { ServerUnderTest } from './servers.js';

export interface TestAgentOptions {
  readonly password?: string;
  readonly servers?: readonly string[];
  readonly logger: Logger;
  readonly displayName?: string;
}

export function createTestAgent(server: ServerUnderTest, user: string, options: TestAgentOptions): SipAgent {
  const account: SipAccount = {
    uri: `sip:${user}@${server.domain}`,
    ...(options.displayName ? { displayName: options.displayName } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    servers: options.servers ?? [server.url],
    registerExpires: 300,
    ...(server.caPem ? { tls: { ca: server.caPem } } : {}),
  };
  return new SipAgent({
    account,
    logger: options.logger.child(user),
    keepAlive: { intervalMs: 1000, timeoutMs: 1000 },
    retry: { initialMs: 100, maxMs: 1000 },
    connectTimeoutMs: 2000,
  });
}

/** The router's `createAgent` in tests: the same fast retries and keep-alives. */
export function createRouterTestAgent(account: SipAccount, logger: Logger): SipAgent {
  return new SipAgent({
    account,
    logger,
    retry: { initialMs: 100, maxMs: 1000 },
    keepAlive: { intervalMs: 1000, timeoutMs: 1000 },
  });
}

export function waitForState(
  agent: SipAgent,
  match: (s: ConnectionState) => boolean,
  timeoutMs = 10_000,
): Promise<ConnectionState> {
  if (match(agent.state)) return Promise.resolve(agent.state);
  return withDeadline(
    agent.once('state', match),
    timeoutMs,
    () => `agent never reached the expected state; last: ${JSON.stringify(agent.state)}`,
  );
}

export async function startRegistered(agent: SipAgent, timeoutMs = 10_000): Promise<SipAgent> {
  agent.start();
  await waitForState(agent, (s) => s.phase === 'registered', timeoutMs);
  return agent;
}

export function withDeadline<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Resolves once `check()` holds (polled; it may be async), or rejects after `ms` with `what()`. */
export function eventually(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: () => string,
): Promise<void> {
  let stop = false;
  return withDeadline(
    (async () => {
      while (!stop && !(await check())) await new Promise((r) => setTimeout(r, 40));
    })(),
    ms,
    what,
  ).finally(() => {
    stop = true;
  });
}
