import { describe, expect, it } from 'vitest';
import {
  isLoopback,
  parseHttpListen,
  parseRouterArgs,
  parseStore,
  UsageError,
  USAGE,
  type RouterCliOptions,
} from '../../../router/cli-args.js';

const DEFAULTS = { instance: 'host-42' };
const BASE = ['--config', 'router.json', '--server', 'ws://127.0.0.1:5080'];

function parse(argv: readonly string[]): RouterCliOptions {
  const result = parseRouterArgs(argv, DEFAULTS);
  if (result === 'help') throw new Error('unexpected help');
  return result;
}

function usageError(argv: readonly string[]): string {
  try {
    parseRouterArgs(argv, DEFAULTS);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('router CLI arguments', () => {
  it('needs only --config and --server; the rest has defaults', () => {
    expect(parse(BASE)).toEqual({
      config: 'router.json',
      servers: ['ws://127.0.0.1:5080'],
      store: { kind: 'memory' },
      instance: 'host-42',
      events: undefined,
      http: undefined,
      logLevel: 'info',
    });
  });

  it('takes every option, --server repeated in failover order, and --opt=value', () => {
    expect(
      parse([
        '--config=rp.yaml',
        '--server',
        'wss://sip1.example.com:443/ws',
        '--server=ws://sip2.example.com:8080',
        '--store',
        'memory',
        '--instance',
        'router-a',
        '--events',
        '/var/log/router/events.jsonl',
        '--http',
        '127.0.0.1:9464',
        '--log-level',
        'debug',
      ]),
    ).toEqual({
      config: 'rp.yaml',
      servers: ['wss://sip1.example.com:443/ws', 'ws://sip2.example.com:8080'],
      store: { kind: 'memory' },
      instance: 'router-a',
      events: '/var/log/router/events.jsonl',
      http: { host: '127.0.0.1', port: 9464, loopback: true },
      logLevel: 'debug',
    });
  });

  it('--help and -h win wherever they are, even next to a bad option', () => {
    expect(parseRouterArgs(['--help'], DEFAULTS)).toBe('help');
    expect(parseRouterArgs(['--bogus', '-h'], DEFAULTS)).toBe('help');
    expect(USAGE).toContain('--config <file>');
    expect(USAGE).toContain('--http <host:port>');
  });

  it('refuses unknown, missing and malformed options with one line each', () => {
    expect(usageError([...BASE, '--bogus', 'x'])).toBe('unknown option --bogus');
    expect(usageError([...BASE, 'stray'])).toBe('unexpected argument "stray"');
    expect(usageError(['--server', 'ws://h:1'])).toBe('--config is required');
    expect(usageError(['--config', 'c.json'])).toMatch(/^--server is required/);
    expect(usageError(['--config', '--server', 'ws://h:1'])).toBe('--config needs a value');
    expect(usageError([...BASE, '--events'])).toBe('--events needs a value');
    expect(usageError([...BASE, '--config', 'other.json'])).toBe('--config is given more than once');
    expect(usageError(['--config', 'c.json', '--server', 'http://h:1'])).toBe(
      '--server must be a ws:// or wss:// URL, got "http://h:1"',
    );
    expect(usageError(['--config', 'c.json', '--server', 'not a url'])).toMatch(/^--server must be/);
    expect(usageError([...BASE, '--log-level', 'loud'])).toBe(
      '--log-level must be one of debug, info, warn, error, got "loud"',
    );
    expect(usageError([...BASE, '--instance', 'two words'])).toMatch(/^--instance must be/);
    expect(usageError([...BASE, '--store', 'sqlite'])).toBe(
      '--store must be memory or redis://HOST:PORT/DB, got "sqlite"',
    );
    for (const message of [usageError([...BASE, '--bogus']), usageError([...BASE, '--http', 'x'])]) {
      expect(message).not.toContain('\n');
    }
  });

  it('takes a Redis store URL, and names what is wrong with a bad one (without its password)', () => {
    expect(parseStore('redis://127.0.0.1:6379/0')).toEqual({
      kind: 'redis',
      spec: 'redis://127.0.0.1:6379/0',
    });
    expect(parseStore('rediss://u:pw@cache.example.com:6380/2')).toEqual({
      kind: 'redis',
      spec: 'rediss://u:pw@cache.example.com:6380/2',
    });
    expect(usageError([...BASE, '--store', 'redis://localhost:6379'])).toMatch(
      /^--store: .*no database number/,
    );
    const bad = usageError([...BASE, '--store', 'redis://u:secret@localhost/0']);
    expect(bad).toMatch(/no port/);
    expect(bad).not.toContain('secret');
  });

  it('--http is HOST:PORT or [IPv6]:PORT, port 0 meaning any free port', () => {
    expect(parseHttpListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0, loopback: true });
    expect(parseHttpListen('localhost:9464')).toEqual({ host: 'localhost', port: 9464, loopback: true });
    expect(parseHttpListen('[::1]:9464')).toEqual({ host: '::1', port: 9464, loopback: true });
    expect(parseHttpListen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464, loopback: false });
    for (const bad of ['9464', ':9464', '127.0.0.1', '127.0.0.1:65536', '127.0.0.1:http', '::1:9464']) {
      expect(() => parseHttpListen(bad), bad).toThrow(/--http must be HOST:PORT/);
    }
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });
});
