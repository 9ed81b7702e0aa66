/**
 * `tsx lab/kamailio/cli.ts [--port N] [--domain D] [--users FILE] [--verbose]`
 * Starts the lab Kamailio, prints its WebSocket URL, stops it on Ctrl-C/SIGTERM.
 * FILE: JSON ({"users": [{"user","password"}]} as lab/users.example.json, or a
 * bare array) or lines "user:password" (# comments).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { consoleSink, createLogger } from '../../main/core/log.js';
import { startKamailio, type KamailioUser } from './launcher.js';

const UserList = v.array(v.object({ user: v.pipe(v.string(), v.minLength(1)), password: v.string() }));
// The lab's users file ({"users": [...]}, extra fields ignored) or a bare array.
const UsersJson = v.union([
  UserList,
  v.pipe(
    v.object({ users: UserList }),
    v.transform((o) => o.users),
  ),
]);

function readUsers(file: string): KamailioUser[] {
  const text = readFileSync(file, 'utf8');
  const start = text.trimStart()[0];
  if (start === '[' || start === '{') return v.parse(UsersJson, JSON.parse(text));
  const users: KamailioUser[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`${file}:${i + 1}: expected user:password`);
    users.push({ user: line.slice(0, colon), password: line.slice(colon + 1) });
  }
  return users;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      domain: { type: 'string' },
      users: { type: 'string' },
      binary: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    },
    strict: true,
  });
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`invalid --port ${values.port ?? ''}`);
  }
  const logger = createLogger(consoleSink(process.stderr), values.verbose === true ? 'debug' : 'info', 'lab');
  const k = await startKamailio({
    logger,
    ...(port !== undefined ? { port } : {}),
    ...(values.domain !== undefined ? { domain: values.domain } : {}),
    ...(values.users !== undefined ? { users: readUsers(values.users) } : {}),
    ...(values.binary !== undefined ? { binary: values.binary } : {}),
  });
  process.stdout.write(`${k.url}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    k.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('stop failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // Kamailio dying on its own ends the CLI too (its log says why).
  setInterval(() => {
    try {
      process.kill(k.pid, 0);
    } catch {
      if (stopping) return;
      stopping = true;
      void k.stop().finally(() => process.exit(1));
    }
  }, 1_000);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
