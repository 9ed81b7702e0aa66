/**
 * The agent bot from the command line: asks a routing point for an expert and
 * prints the outcome; optionally keeps the chat open.
 *
 *   tsx lab/agent-bot/cli.ts --server ws://127.0.0.1:5080 --to sip:billing-experts@lab.local "text"
 *
 * Exit code: 0 routed, 2 not routed, 1 error, 64 usage.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleSink, createLogger } from '../../main/core/log.js';
import { SipAgent } from '../../main/core/sip/agent.js';
import { toAor } from '../../wire/sip/uri.js';
import { AgentBot, type AskOutcome } from './agent-bot.js';

export const USAGE = `Usage: tsx lab/agent-bot/cli.ts --server <ws-url> --to <routing point> [options] "first message"
  --server <url>        SIP server WebSocket URL (repeat for failover)
  --to <uri>            routing point, e.g. sip:billing-experts@lab.local
  --from <uri>          the agent's address (default sip:agent-bot@<routing point's domain>)
  --password <pw>       digest password, when the server asks (also env AGENT_BOT_PASSWORD)
  --auth-user <name>    digest user when it differs from the --from user
  --display-name <n>    the agent's display name (default "Agent Bot")
  --subject <text>      Subject of the request
  --data <Key=Value>    user data (repeat), sent as X-UserData-Key
  --timeout <s>         wait this long for the outcome (default 60)
  --chat <s>            once routed, print the KW's messages for this long, then end (default 0)
  --interactive         once routed, send each line of stdin to the KW; "/end" or end of input ends
  --ca <file>           PEM certificate to trust for wss://
  --verbose             log SIP activity to stderr
  -h, --help            this text`;

export interface AgentCliOptions {
  readonly servers: string[];
  readonly to: string;
  readonly from: string;
  readonly password: string | undefined;
  readonly authUser: string | undefined;
  readonly displayName: string;
  readonly subject: string | undefined;
  readonly userData: Record<string, string>;
  readonly timeoutMs: number;
  readonly chatMs: number;
  readonly interactive: boolean;
  readonly ca: string | undefined;
  readonly verbose: boolean;
  readonly text: string;
}

export class UsageError extends Error {}

export function parseAgentArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
): AgentCliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        server: { type: 'string', multiple: true },
        to: { type: 'string' },
        from: { type: 'string' },
        password: { type: 'string' },
        'auth-user': { type: 'string' },
        'display-name': { type: 'string', default: 'Agent Bot' },
        subject: { type: 'string' },
        data: { type: 'string', multiple: true },
        timeout: { type: 'string', default: '60' },
        chat: { type: 'string', default: '0' },
        interactive: { type: 'boolean', default: false },
        ca: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const servers = values.server ?? [];
  if (servers.length === 0) throw new UsageError('--server is required');
  for (const s of servers)
    if (!/^wss?:\/\//.test(s)) throw new UsageError(`--server must be a ws:// or wss:// URL, got ${s}`);
  if (values.to === undefined) throw new UsageError('--to is required');
  const to = toAor(values.to);
  if (!to)
    throw new UsageError(`--to must be a SIP URI like sip:billing-experts@lab.local, got ${values.to}`);
  const domain = to.slice(to.indexOf('@') + 1);
  const from = toAor(values.from ?? `sip:agent-bot@${domain}`);
  if (!from) throw new UsageError(`--from must be a SIP URI, got ${values.from ?? ''}`);
  const userData: Record<string, string> = {};
  for (const item of values.data ?? []) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    if (!/^[A-Za-z0-9_.-]+$/.test(key))
      throw new UsageError(`--data must be Key=Value with a token key, got ${item}`);
    userData[key] = item.slice(eq + 1);
  }
  const seconds = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0)
      throw new UsageError(`--${name} must be a number of seconds, got ${text}`);
    return Math.round(n * 1000);
  };
  const text = positionals.join(' ');
  if (text.trim() === '') throw new UsageError('the first message (text) is required');
  return {
    servers,
    to,
    from,
    password: values.password ?? env.AGENT_BOT_PASSWORD,
    authUser: values['auth-user'],
    displayName: values['display-name'],
    subject: values.subject,
    userData,
    timeoutMs: seconds('timeout', values.timeout),
    chatMs: seconds('chat', values.chat),
    interactive: values.interactive,
    ca: values.ca,
    verbose: values.verbose,
    text,
  };
}

export function describeOutcome(outcome: AskOutcome): string {
  return outcome.kind === 'routed'
    ? `routed to ${outcome.kw.displayName} <${outcome.kw.uri}> (voice ${outcome.kw.voiceUri}), interaction ${outcome.interactionId}`
    : `not routed (${outcome.reason}), interaction ${outcome.interactionId}`;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const out = process.stdout;
  let opts: AgentCliOptions | 'help';
  try {
    opts = parseAgentArgs(argv, process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 64;
  }
  if (opts === 'help') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  const logger = createLogger(consoleSink(process.stderr), opts.verbose ? 'debug' : 'warn', 'agent-bot');
  const agent = new SipAgent({
    account: {
      uri: opts.from,
      displayName: opts.displayName,
      ...(opts.authUser !== undefined ? { authUser: opts.authUser } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      servers: opts.servers,
      ...(opts.ca !== undefined ? { tls: { ca: readFileSync(opts.ca, 'utf8') } } : {}),
    },
    logger,
    userAgent: 'KW-Lab-AgentBot',
  });
  const bot = new AgentBot({ agent, logger });
  bot.on('message', (m) => out.write(`${m.from}: ${m.text}\n`));
  try {
    agent.start();
    await registered(agent, 10_000);
    const outcome = await bot.askExpert(opts.to, {
      text: opts.text,
      ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
      userData: opts.userData,
      timeoutMs: opts.timeoutMs,
    });
    out.write(`${describeOutcome(outcome)}\n`);
    if (outcome.kind !== 'routed') return 2;
    const endedByKw = new Promise<void>((resolve) =>
      bot.once('ended', (e) => e.interactionId === outcome.interactionId).then(() => resolve()),
    );
    void endedByKw.then(() => out.write('the KW ended the chat\n'));
    if (opts.interactive) await chat(bot, outcome.interactionId, endedByKw);
    else if (opts.chatMs > 0) await Promise.race([endedByKw, sleep(opts.chatMs)]);
    if (bot.interaction(outcome.interactionId)?.phase === 'routed') await bot.end(outcome.interactionId);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    bot.dispose();
    await agent.stop(2000);
  }
}

async function chat(bot: AgentBot, interactionId: string, ended: Promise<void>): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  const done = new Promise<void>((resolve) => {
    lines.on('close', resolve);
    void ended.then(() => resolve());
  });
  lines.on('line', (line) => {
    if (line.trim() === '/end') {
      lines.close();
      return;
    }
    bot
      .say(interactionId, line)
      .catch((err: unknown) => process.stderr.write(`not delivered: ${String(err)}\n`));
  });
  await done;
  lines.close();
}

function registered(agent: SipAgent, ms: number): Promise<void> {
  if (agent.isRegistered) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      const state = agent.state;
      // Before its first connection the agent's state stays `stopped`: say what that means.
      const why =
        'reason' in state
          ? state.reason
          : state.phase === 'stopped'
            ? 'no connection to the server'
            : state.phase;
      reject(new Error(`not registered within ${ms} ms (${why})`));
    }, ms);
    const off = agent.on('state', (s) => {
      if (s.phase !== 'registered') return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
