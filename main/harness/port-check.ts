/**
 * The ports `npm start` listens on, checked before anything is built: a port
 * another program holds is one line naming the option that moves it, not a
 * stack trace after a minute of building.
 */
import { createServer } from 'node:net';

/** A port `npm start` is about to listen on. */
export interface NeededPort {
  readonly port: number;
  /** The option that moves it, e.g. `--port`. */
  readonly option: string;
  /** What listens there, in words ("the lab SIP server"). */
  readonly what: string;
}

/** Why a port cannot be listened on: held by another program, not allowed, or another error code. */
export type PortProblem = 'in-use' | 'denied' | { readonly code: string };

/** Listens on host:port and closes at once: undefined when that works. */
export function probePort(host: string, port: number): Promise<PortProblem | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(problemOf(error.code)));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** The first of `ports` that cannot be listened on (port 0, any free port, is never a problem). */
export async function firstUnavailablePort(
  host: string,
  ports: readonly NeededPort[],
): Promise<{ readonly needed: NeededPort; readonly problem: PortProblem } | undefined> {
  for (const needed of ports) {
    if (needed.port === 0) continue;
    const problem = await probePort(host, needed.port);
    if (problem !== undefined) return { needed, problem };
  }
  return undefined;
}

/** One line for a person: which port, what needed it, and the option that moves it. */
export function portProblemLine({ port, option, what }: NeededPort, problem: PortProblem): string {
  const hint = `choose another with ${option} <n> (0 = any free port)`;
  if (problem === 'in-use')
    return `port ${port} (${what}) is already in use, perhaps by another npm start or npm run lab: stop it, or ${hint}`;
  if (problem === 'denied') return `not allowed to listen on port ${port} (${what}): ${hint}`;
  return `cannot listen on port ${port} (${what}): ${problem.code}; ${hint}`;
}

/**
 * A listen error of one of `ports` (another program took it between the check
 * and the start) as the same line; undefined for any other error.
 */
export function listenErrorLine(error: unknown, ports: readonly NeededPort[]): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, port, syscall } = error as NodeJS.ErrnoException & { port?: number };
  if (syscall !== 'listen' || code === undefined) return undefined;
  const needed = ports.find((p) => p.port === port);
  return needed ? portProblemLine(needed, problemOf(code)) : undefined;
}

function problemOf(code: string | undefined): PortProblem {
  if (code === 'EADDRINUSE') return 'in-use';
  if (code === 'EACCES') return 'denied';
  return { code: code ?? 'unknown error' };
}
