/**
 * `npm start`'s command line (main/harness/start-args.ts), its help and its
 * errors, the builds it runs, and the settings file it gives the Electron app
 * (main/harness/electron-launch.ts), read through the app's own migrations.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  parseStartArgs,
  START_USAGE,
  StartUsageError,
  startPorts,
} from '../../../main/harness/start-args.js';
import { buildsFor, main } from '../../../main/harness/start.js';
import { listenErrorLine, portProblemLine } from '../../../main/harness/port-check.js';
import { labSettingsFile } from '../../../main/harness/electron-launch.js';
import { migrateSettings } from '../../../main/electron/settings-migrations.js';
import { DEFAULT_SETTINGS } from '../../../main/app/ports.js';

function usageError(argv: readonly string[]): string {
  try {
    parseStartArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(StartUsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('npm start arguments', () => {
  it('defaults: lab on 5080, its pages on 5090, harness on 5173, kw1, Electron where installed', () => {
    expect(parseStartArgs([])).toEqual({
      port: 5080,
      webPort: 5090,
      uiPort: 5173,
      user: 'kw1',
      browser: false,
    });
  });

  it('takes --port, --web-port, --ui-port, --user and --browser', () => {
    expect(
      parseStartArgs(['--port', '0', '--web-port', '6090', '--ui-port=8080', '--user', 'kw2', '--browser']),
    ).toEqual({ port: 0, webPort: 6090, uiPort: 8080, user: 'kw2', browser: true });
  });

  it('--help and -h ask for the usage', () => {
    expect(parseStartArgs(['--help'])).toBe('help');
    expect(parseStartArgs(['-h'])).toBe('help');
    expect(parseStartArgs(['--user', 'kw3', '-h'])).toBe('help');
  });

  it('the usage names every option', () => {
    for (const option of ['--port', '--user', '--web-port', '--ui-port', '--browser', '--help'])
      expect(START_USAGE).toContain(option);
    expect(START_USAGE.split('\n')[0]).toBe('Usage: npm start -- [options]');
  });

  it('an unknown option is one clear line', () => {
    expect(usageError(['--bogus'])).toBe('unknown option --bogus');
    expect(usageError(['--bogus=1'])).toBe('unknown option --bogus');
    expect(usageError(['-x'])).toBe('unknown option -x');
    expect(usageError(['--help', '--bogus'])).toBe('unknown option --bogus');
  });

  it('positionals, missing values and values on flags are refused in one line', () => {
    expect(usageError(['kw2'])).toBe('unexpected argument "kw2": options start with --');
    expect(usageError(['--port'])).toBe('--port needs a value');
    expect(usageError(['--user', '--browser'])).toBe('--user needs a value');
    expect(usageError(['--browser=yes'])).toBe('--browser takes no value');
  });

  it('ports are 0..65535 and the user is a SIP user name', () => {
    expect(usageError(['--port', '65536'])).toBe('--port must be a port number 0..65535, got "65536"');
    expect(usageError(['--ui-port', 'http'])).toBe('--ui-port must be a port number 0..65535, got "http"');
    expect(usageError(['--web-port', '1e3'])).toBe('--web-port must be a port number 0..65535, got "1e3"');
    expect(usageError(['--port', '-1'])).toBe('--port needs a value');
    expect(usageError(['--user', 'kw 1'])).toMatch(/^--user must be a SIP user name/);
    expect(usageError(['--user', 'kw1@lab.local'])).toMatch(/^--user must be a SIP user name/);
    for (const message of [usageError(['--bogus']), usageError(['--port', 'x'])])
      expect(message).not.toContain('\n');
  });
});

describe('the ports npm start checks before building', () => {
  const options = { port: 5080, webPort: 5090, uiPort: 5173, user: 'kw1', browser: false };

  it("the lab's two, and the browser harness's only when it runs, each with the option that moves it", () => {
    const lab = [
      { port: 5080, option: '--port', what: 'the lab SIP server' },
      { port: 5090, option: '--web-port', what: 'the agent desk and customer pages' },
    ];
    expect(startPorts(options, false)).toEqual(lab);
    expect(startPorts(options, true)).toEqual([
      ...lab,
      { port: 5173, option: '--ui-port', what: 'the KW Desktop in the browser harness' },
    ]);
  });
});

describe('a port npm start cannot use, in one line', () => {
  const sip = { port: 5080, option: '--port', what: 'the lab SIP server' };
  const web = { port: 5090, option: '--web-port', what: 'the agent desk and customer pages' };
  const listenError = (code: string, port: number): Error =>
    Object.assign(new Error(`listen ${code}: address already in use 127.0.0.1:${port}`), {
      code,
      syscall: 'listen',
      port,
    });

  it('names the port, what needed it and the option that moves it', () => {
    expect(portProblemLine(sip, 'in-use')).toBe(
      'port 5080 (the lab SIP server) is already in use, perhaps by another npm start or npm run lab: stop it, or choose another with --port <n> (0 = any free port)',
    );
    expect(portProblemLine(web, 'denied')).toBe(
      'not allowed to listen on port 5090 (the agent desk and customer pages): choose another with --web-port <n> (0 = any free port)',
    );
    expect(portProblemLine(sip, { code: 'EADDRNOTAVAIL' })).toBe(
      'cannot listen on port 5080 (the lab SIP server): EADDRNOTAVAIL; choose another with --port <n> (0 = any free port)',
    );
  });

  it('a listen error of a needed port (taken after the check) gives the same line; anything else is not its business', () => {
    expect(listenErrorLine(listenError('EADDRINUSE', 5090), [sip, web])).toBe(portProblemLine(web, 'in-use'));
    expect(listenErrorLine(listenError('EACCES', 5080), [sip, web])).toBe(portProblemLine(sip, 'denied'));
    expect(listenErrorLine(listenError('EADDRINUSE', 6000), [sip, web])).toBeUndefined();
    expect(listenErrorLine(new Error('boom'), [sip, web])).toBeUndefined();
    expect(listenErrorLine('EADDRINUSE', [sip, web])).toBeUndefined();
  });
});

describe('npm start main()', () => {
  const capture = async (
    argv: readonly string[],
  ): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    try {
      const code = await main(argv);
      return { code, stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  };

  it('--help prints the usage on stdout and exits 0, building and starting nothing', async () => {
    const result = await capture(['--help']);
    expect(result).toEqual({ code: 0, stdout: `${START_USAGE}\n`, stderr: '' });
  });

  it('an unknown option prints one line and the usage on stderr, exit 2', async () => {
    const result = await capture(['--verbose']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`npm start: unknown option --verbose\n${START_USAGE}\n`);
  });
});

describe('what npm start builds and gives the Electron app', () => {
  it('builds dist/main and the preloads only when the Electron app runs', () => {
    expect(buildsFor(false)).toEqual([
      'scripts/build-jssip.mjs',
      'scripts/build-renderer.mjs',
      'scripts/build-lab-web.mjs',
    ]);
    expect(buildsFor(true)).toEqual([...buildsFor(false), 'scripts/build-electron.mjs']);
  });

  it("the settings file signs the app in as --user on the lab's server, trusting the lab's routing points, as the app reads it", () => {
    const routingPoints = ['sip:billing-experts@lab.local', 'sip:claims-experts@lab.local'];
    const file = labSettingsFile(
      { uri: 'sip:kw2@lab.local', displayName: 'Expert kw2' },
      'ws://127.0.0.1:6080',
      routingPoints,
    );
    const outcome = migrateSettings(JSON.parse(JSON.stringify(file)) as typeof file);
    expect(outcome.problems).toEqual([]);
    expect(outcome.applied).toEqual([]);
    expect(outcome.settings).toEqual({
      ...DEFAULT_SETTINGS,
      account: { uri: 'sip:kw2@lab.local', authUser: '', displayName: 'Expert kw2' },
      servers: ['ws://127.0.0.1:6080'],
      trustedRoutingPoints: routingPoints,
    });
  });
});
