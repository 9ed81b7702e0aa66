import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRouterConfig, parseRouterConfig, RouterConfigError } from '../../../router/config.js';

const minimal = {
  routingPoints: [{ uri: 'billing', strategy: 'longest-idle', members: ['kw1', 'sip:kw2@lab.local'] }],
};

function problemsOf(data: unknown): string {
  try {
    parseRouterConfig(data, { source: 'test.json' });
  } catch (error) {
    expect(error).toBeInstanceOf(RouterConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a RouterConfigError');
}

describe('router config', () => {
  it('resolves defaults and bare names against the domain', () => {
    const config = parseRouterConfig(minimal);
    expect(config.domain).toBe('lab.local');
    expect(config.userDataPrefix).toBe('X-UserData-');
    const rp = config.routingPoints[0];
    expect(rp).toMatchObject({
      uri: 'sip:billing@lab.local',
      displayName: 'billing',
      strategy: 'longest-idle',
      namedKey: 'KW',
      previewTimeoutMs: 20_000,
      waitForAvailableMs: 30_000,
      maxAttempts: 2,
      capacity: 1,
      previewEscalation: false,
    });
    expect(rp?.members).toEqual([
      { uri: 'sip:kw1@lab.local', displayName: 'kw1', voiceUri: 'sip:kw1@lab.local', capacity: undefined },
      { uri: 'sip:kw2@lab.local', displayName: 'kw2', voiceUri: 'sip:kw2@lab.local', capacity: undefined },
    ]);
  });

  it('takes the domain override for bare names only', () => {
    const config = parseRouterConfig(
      {
        domain: 'lab.local',
        routingPoints: [{ uri: 'rp', strategy: 'broadcast', members: ['kw1', 'sip:kw9@elsewhere.example'] }],
      },
      { domain: 'example.org' },
    );
    expect(config.routingPoints[0]?.uri).toBe('sip:rp@example.org');
    expect(config.routingPoints[0]?.members.map((m) => m.uri)).toEqual([
      'sip:kw1@example.org',
      'sip:kw9@elsewhere.example',
    ]);
  });

  it('keeps member details, seconds become milliseconds', () => {
    const config = parseRouterConfig({
      routingPoints: [
        {
          uri: 'sip:claims@lab.local',
          strategy: 'named',
          fallback: 'round-robin',
          namedKey: 'Expert',
          previewTimeoutSeconds: 1.5,
          waitForAvailableSeconds: 0,
          maxAttempts: 5,
          capacity: 2,
          members: [
            { uri: 'kw1', displayName: 'Ann', voiceUri: 'sip:ann-phone@lab.local;transport=ws', capacity: 3 },
          ],
        },
      ],
      routingTable: { 'on-the-phone': 'Ready' },
    });
    const rp = config.routingPoints[0];
    expect(rp).toMatchObject({
      previewTimeoutMs: 1500,
      waitForAvailableMs: 0,
      maxAttempts: 5,
      capacity: 2,
      fallback: 'round-robin',
      namedKey: 'Expert',
    });
    expect(rp?.members[0]).toEqual({
      uri: 'sip:kw1@lab.local',
      displayName: 'Ann',
      voiceUri: 'sip:ann-phone@lab.local;transport=ws',
      capacity: 3,
    });
    expect(config.routingTable).toEqual({ closed: 'LoggedOut', 'on-the-phone': 'Ready' });
  });

  it.each([
    [{}, /routingPoints/],
    [{ routingPoints: [] }, /routingPoints: must list at least one routing point/],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'fastest', members: ['kw1'] }] },
      /routingPoints\.0\.strategy: must be one of longest-idle, round-robin, named, broadcast/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'broadcast', members: [] }] },
      /routingPoints\.0\.members: must list at least one member/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'broadcast', members: ['kw 1'] }] },
      /routingPoints\.0\.members\.0/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'broadcast', members: ['kw1'], previewTimeoutSeconds: -1 }] },
      /routingPoints\.0\.previewTimeoutSeconds: must be ≥ 0/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'broadcast', members: ['kw1'], maxAttempts: 1.5 }] },
      /routingPoints\.0\.maxAttempts: must be an integer/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'broadcast', members: ['kw1'], capacity: 0 }] },
      /routingPoints\.0\.capacity: must be ≥ 1/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'broadcast', members: ['kw1'], colour: 'red' }] },
      /routingPoints\.0\.colour/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'broadcast', members: ['kw1', 'sip:kw1@lab.local'] }] },
      /routingPoints\.0\.members\.1: member sip:kw1@lab\.local is listed twice/,
    ],
    [
      {
        routingPoints: [
          { uri: 'rp', strategy: 'broadcast', members: ['kw1'] },
          { uri: 'sip:rp@lab.local', strategy: 'broadcast', members: ['kw1'] },
        ],
      },
      /routingPoints\.1\.uri: routing point sip:rp@lab\.local is listed twice/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'broadcast', fallback: 'round-robin', members: ['kw1'] }] },
      /routingPoints\.0\.fallback: only the named strategy has a fallback/,
    ],
    [
      { routingPoints: [{ uri: 'rp', strategy: 'named', fallback: 'named', members: ['kw1'] }] },
      /routingPoints\.0\.fallback/,
    ],
    [
      { routingPoints: [{ uri: 'sip:lab.local', strategy: 'broadcast', members: ['kw1'] }] },
      /routingPoints\.0\.uri: not a SIP URI with a user part/,
    ],
    [
      { ...minimal, routingTable: { busy: 'Maybe' } },
      /routingTable\.busy: must be Ready, NotReady or LoggedOut/,
    ],
  ])('%j is refused, naming the field', (data, message) => {
    expect(problemsOf(data)).toMatch(message);
  });

  describe('loadRouterConfig', () => {
    let dir: string | undefined;
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('reads the example config', async () => {
      const config = await loadRouterConfig(path.resolve('lab/router.example.json'));
      expect(config.routingPoints.map((rp) => [rp.uri, rp.strategy, rp.members.map((m) => m.uri)])).toEqual([
        ['sip:billing-experts@lab.local', 'longest-idle', ['sip:kw1@lab.local', 'sip:kw2@lab.local']],
        ['sip:claims-experts@lab.local', 'broadcast', ['sip:kw2@lab.local', 'sip:kw3@lab.local']],
      ]);
      expect(config.routingPoints.map((rp) => [rp.previewEscalation, rp.escalationTimeoutMs])).toEqual([
        [true, 15_000],
        [false, 15_000],
      ]);
    });

    it('escalationTimeoutSeconds: at most 50 (JsSIP answers 408 after 60 s of ringing)', () => {
      const rp = { uri: 'rp', strategy: 'longest-idle', members: ['kw1'] } as const;
      expect(
        parseRouterConfig({ routingPoints: [{ ...rp, escalationTimeoutSeconds: 2.5 }] }).routingPoints[0]
          ?.escalationTimeoutMs,
      ).toBe(2500);
      expect(() => parseRouterConfig({ routingPoints: [{ ...rp, escalationTimeoutSeconds: 51 }] })).toThrow(
        /routingPoints\.0\.escalationTimeoutSeconds: must be ≤ 50/,
      );
    });

    it('reads YAML and names the file in errors', async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'router-config-'));
      const yamlFile = path.join(dir, 'router.yaml');
      await writeFile(
        yamlFile,
        'routingPoints:\n  - uri: rp\n    strategy: round-robin\n    members: [kw1, kw2]\n',
      );
      expect((await loadRouterConfig(yamlFile)).routingPoints[0]?.strategy).toBe('round-robin');
      const bad = path.join(dir, 'bad.json');
      await writeFile(bad, '{ "routingPoints": [ }');
      await expect(loadRouterConfig(bad)).rejects.toThrow(/router config .*bad\.json: not valid JSON/);
      await expect(loadRouterConfig(path.join(dir, 'missing.json'))).rejects.toThrow(/cannot read the file/);
    });
  });
});
