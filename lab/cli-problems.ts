/**
 * What `npm run lab` says when it cannot start: a sentence naming the port and
 * the option that sets it, rather than Node's bare `listen EADDRINUSE …`.
 */
import type { LabOptions } from './cli.js';

interface ListenError {
  readonly code?: unknown;
  readonly port?: unknown;
  readonly address?: unknown;
  readonly message?: unknown;
}

/** The option that chose `port` (the first part that uses it), or undefined for an unknown one. */
function optionOf(port: number, opts: LabOptions): string | undefined {
  const options: [string, number | undefined][] = [
    ['--port', opts.port],
    ['--web-port', opts.webPort],
    ['--provision-port', opts.provisionPort],
    ['--dashboard-port', opts.dashboardPort],
  ];
  return options.find(([, value]) => value === port)?.[0];
}

export function startupProblem(error: unknown, opts: LabOptions): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ListenError;
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (typeof e.port !== 'number') return message;
  const where = `port ${e.port}${typeof e.address === 'string' ? ` on ${e.address}` : ''}`;
  const option = optionOf(e.port, opts);
  const another = option ? `choose another with ${option} (0 = any free port)` : 'choose another port';
  if (e.code === 'EADDRINUSE')
    return `The lab could not start: ${where} is already in use (is a lab already running?). Stop what uses it, or ${another}.`;
  if (e.code === 'EACCES')
    return `The lab could not start: ${where} needs privileges this user does not have. Use a port above 1023: ${another}.`;
  if (e.code === 'EADDRNOTAVAIL')
    return `The lab could not start: ${where} is not an address of this machine. Check --host.`;
  return message;
}
