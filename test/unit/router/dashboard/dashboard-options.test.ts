/** The dashboard's switches: command-line options and the config's `dashboard` key. */
import { describe, expect, it } from 'vitest';
import { parseDryRunArgs, parseRouterArgs, UsageError } from '../../../../router/cli-args.js';
import { parseRouterConfig } from '../../../../router/config.js';

const BASE = ['--config', 'r.json', '--server', 'ws://127.0.0.1:5080'];
const parse = (extra: string[]) => parseRouterArgs([...BASE, ...extra], { instance: 'test' });

describe('dashboard options', () => {
  it('takes a token file, and a certificate with its key for https', () => {
    const opts = parse([
      '--http',
      '127.0.0.1:0',
      '--http-cert',
      'c.pem',
      '--http-key',
      'k.pem',
      '--dashboard-token-file',
      't',
    ]);
    expect(opts).toMatchObject({ httpTls: { cert: 'c.pem', key: 'k.pem' }, dashboardTokenFile: 't' });
    expect(parse([])).toMatchObject({ httpTls: undefined, dashboardTokenFile: undefined });
  });

  it('refuses a certificate without its key, or without --http', () => {
    expect(() => parse(['--http', '127.0.0.1:0', '--http-cert', 'c.pem'])).toThrow(
      new UsageError('--http-cert and --http-key go together (the certificate and its key)'),
    );
    expect(() => parse(['--http-cert', 'c.pem', '--http-key', 'k.pem'])).toThrow('--http-cert needs --http');
  });

  it('parses --dry-run CONFIG SCENARIO alone', () => {
    expect(parseDryRunArgs(['--dry-run', 'c.json', 's.json'])).toEqual({
      config: 'c.json',
      scenario: 's.json',
    });
    expect(parseDryRunArgs(BASE)).toBeUndefined();
    expect(() => parseDryRunArgs(['--dry-run', 'c.json', 's.json', '--http', 'x'])).toThrow(UsageError);
    expect(() => parseDryRunArgs([...BASE, '--dry-run', 'c.json', 's.json'])).toThrow(UsageError);
  });

  it('reads the config’s dashboard key; a short token is refused', () => {
    const points = [{ uri: 'sip:rp@lab.local', strategy: 'longest-idle', members: ['kw1'] }];
    expect(
      parseRouterConfig({ routingPoints: points, dashboard: { tokenFile: '/etc/kw-router/token' } })
        .dashboard,
    ).toEqual({
      tokenFile: '/etc/kw-router/token',
    });
    expect(parseRouterConfig({ routingPoints: points }).dashboard).toBeUndefined();
    expect(() => parseRouterConfig({ routingPoints: points, dashboard: { token: 'short' } })).toThrow(
      'dashboard.token: must be at least 16 characters',
    );
    expect(() => parseRouterConfig({ routingPoints: points, dashboard: { file: 'x' } })).toThrow(/dashboard/);
  });
});
