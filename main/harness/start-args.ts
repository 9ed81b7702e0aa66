/**
 * The command line of `npm start` (main/harness/start.ts): parsed and checked
 * here, before anything is built or started, so `--help` and a mistake answer
 * at once. Pure: no file system, no process.
 */
import { parseArgs } from 'node:util';

export const START_USAGE = `Usage: npm start -- [options]
Starts the lab contact center (SIP server, router with lab/router.example.json, the agent
desk and customer pages) and the KW Desktop signed in as a lab user: the Electron app where
an Electron binary is installed (dist/main is built first), otherwise the same UI in the
browser harness. It prints the links to open; Ctrl-C stops everything.
  --port <n>      port of the lab SIP server (default 5080, 0 = any free port)
  --user <name>   the lab user the KW Desktop signs in as (default kw1)
  --web-port <n>  HTTP port of the agent desk and customer pages (default 5090, 0 = any free port)
  --ui-port <n>   HTTP port of the browser harness (default 5173, 0 = any free port)
  --browser       the browser harness even where an Electron binary is installed
  -h, --help      this text`;

export interface StartOptions {
  /** The lab SIP server's port (0 = any free port). */
  readonly port: number;
  /** The HTTP port of the lab's agent desk and customer pages (0 = any free port). */
  readonly webPort: number;
  /** The browser harness's HTTP port (0 = any free port). */
  readonly uiPort: number;
  /** The SIP user part: the KW Desktop signs in as `sip:<user>@<lab domain>`. */
  readonly user: string;
  /** The browser harness even where an Electron binary is installed. */
  readonly browser: boolean;
}

/** A mistake on the command line: its message is one line, printed before the usage. */
export class StartUsageError extends Error {}

const USER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The options, or 'help'; throws StartUsageError for anything it does not understand. */
export function parseStartArgs(argv: readonly string[]): StartOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string', default: '5080' },
        'web-port': { type: 'string', default: '5090' },
        'ui-port': { type: 'string', default: '5173' },
        user: { type: 'string', default: 'kw1' },
        browser: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new StartUsageError(parseErrorLine(error));
  }
  if (values.help) return 'help';
  if (!USER.test(values.user))
    throw new StartUsageError(
      `--user must be a SIP user name (letters, digits, . _ -), got ${JSON.stringify(values.user)}`,
    );
  return {
    port: portOf('--port', values.port),
    webPort: portOf('--web-port', values['web-port']),
    uiPort: portOf('--ui-port', values['ui-port']),
    user: values.user,
    browser: values.browser,
  };
}

function portOf(option: string, value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535)
    throw new StartUsageError(`${option} must be a port number 0..65535, got ${JSON.stringify(value)}`);
  return port;
}

/** node:util parseArgs' errors, as one short line. */
function parseErrorLine(error: unknown): string {
  const { code, message = String(error) } = error as { code?: string; message?: string };
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const option = quoted.replace(/ <value>$/, '');
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)}: options start with --`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('does not take an argument')
        ? `${option} takes no value`
        : `${option} needs a value`;
    default:
      return message.split('\n')[0] ?? message;
  }
}

/** The ports `npm start` listens on, with the option that moves each (the browser harness's only when it runs). */
export function startPorts(
  options: StartOptions,
  browserHarness: boolean,
): Array<{ port: number; option: string; what: string }> {
  return [
    { port: options.port, option: '--port', what: 'the lab SIP server' },
    { port: options.webPort, option: '--web-port', what: 'the agent desk and customer pages' },
    ...(browserHarness
      ? [{ port: options.uiPort, option: '--ui-port', what: 'the KW Desktop in the browser harness' }]
      : []),
  ];
}
