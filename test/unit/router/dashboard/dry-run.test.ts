import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { DryRunResultSchema, type DryRunRequest, type DryRunResult } from '../../../../wire/dashboard.js';
import { parseRouterConfig, type RawRouterConfig } from '../../../../router/config.js';
import { dryRun, parseDryRunRequest } from '../../../../router/dashboard/dry-run.js';

const KW1 = 'sip:kw1@lab.local';
const KW2 = 'sip:kw2@lab.local';
const KW3 = 'sip:kw3@lab.local';
const RP = 'sip:rp@lab.local';
const linphone = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/linphone-5.1/linphone-${name}.xml`, import.meta.url), 'utf8');

type Point = RawRouterConfig['routingPoints'][number];
function raw(overrides: Partial<Point> = {}): RawRouterConfig {
  return {
    routingPoints: [{ uri: RP, strategy: 'longest-idle', members: ['kw1', 'kw2', 'kw3'], ...overrides }],
  };
}
const config = (overrides: Partial<Point> = {}) => parseRouterConfig(raw(overrides));

const available = { kind: 'state', state: 'available' } as const;
function request(members: DryRunRequest['members'], extra: Partial<DryRunRequest> = {}): DryRunRequest {
  return { routingPoint: RP, members, ...extra };
}
function ok(result: DryRunResult): Extract<DryRunResult, { ok: true }> {
  expect(v.safeParse(DryRunResultSchema, result).success).toBe(true);
  if (!result.ok) throw new Error(`problems: ${result.problems.join('; ')}`);
  return result;
}

describe('dry run: the routing table', () => {
  it('reads the states the KW Desktop publishes as the router does', () => {
    const r = ok(
      dryRun(
        config(),
        request([
          { kw: 'kw1', presence: available },
          { kw: 'kw2', presence: { kind: 'state', state: 'dnd' } },
          { kw: KW3, presence: { kind: 'state', state: 'on-the-phone' } },
        ]),
      ),
    );
    expect(r.members.map((m) => [m.kw, m.routingState, m.reason])).toEqual([
      [KW1, 'Ready', ''],
      [KW2, 'NotReady', 'dnd'],
      [KW3, 'NotReady', 'on-the-phone'],
    ]);
    expect(r.members[0]?.presence).toBe('Available: open');
    expect(r.order).toEqual([KW1]);
    expect(r.skipped).toEqual([
      { kw: KW2, reason: 'not ready (dnd)' },
      { kw: KW3, reason: 'not ready (on-the-phone)' },
    ]);
  });

  it('reads a Linphone PIDF document (test/fixtures/linphone-5.1) and applies the config table', () => {
    const members: DryRunRequest['members'] = [
      { kw: 'kw1', presence: { kind: 'pidf', document: linphone('dnd') } },
      { kw: 'kw2', presence: { kind: 'pidf', document: linphone('online') } },
      { kw: 'kw3', presence: { kind: 'pidf', document: linphone('onthephone') } },
    ];
    const r = ok(dryRun(config(), request(members)));
    expect(r.members.map((m) => `${m.routingState} ${m.reason}`)).toEqual([
      'NotReady dnd',
      'Ready ',
      'NotReady on-the-phone',
    ]);
    expect(r.members[0]?.presence).toBe('closed, activity away, do not disturb');
    expect(r.order).toEqual([KW2]);

    const table = parseRouterConfig({ ...raw(), routingTable: { 'on-the-phone': 'Ready' } });
    expect(ok(dryRun(table, request(members))).order).toEqual([KW2, KW3]);
  });

  it('says so of nothing published and of a document that is not PIDF', () => {
    const r = ok(dryRun(config(), request([{ kw: 'kw1', presence: { kind: 'pidf', document: '<html>' } }])));
    expect(r.members[0]).toMatchObject({ routingState: 'NotReady', reason: 'presence-unreadable' });
    expect(r.members[0]?.presence).toMatch(/^unreadable PIDF: /);
    expect(r.members[1]).toEqual({
      kw: KW2,
      presence: 'nothing published',
      routingState: 'LoggedOut',
      reason: '',
    });
    expect(r.order).toEqual([]);
  });
});

describe('dry run: each strategy, with the engine’s selection', () => {
  const allReady = [
    { kw: 'kw1', presence: available },
    { kw: 'kw2', presence: available },
    { kw: 'kw3', presence: available },
  ];

  it('longest idle: the idle time decides, config order breaks ties; capacity and wrap-up skip', () => {
    expect(ok(dryRun(config(), request(allReady))).order).toEqual([KW1, KW2, KW3]);
    const idle = new Map([
      [KW1, 300],
      [KW2, 100],
      [KW3, 200],
    ]);
    expect(ok(dryRun(config(), request(allReady), { idleSince: (kw) => idle.get(kw) })).order).toEqual([
      KW2,
      KW3,
      KW1,
    ]);
    const busy = allReady.map((m) => (m.kw === 'kw2' ? { ...m, interactions: 1 } : m));
    const r = ok(dryRun(config(), request(busy), { inWrapUp: (kw) => kw === KW3 }));
    expect(r.order).toEqual([KW1]);
    expect(r.skipped).toEqual([
      { kw: KW2, reason: 'at capacity (1 of 1)' },
      { kw: KW3, reason: 'in wrap-up' },
    ]);
  });

  it('round robin: starts after the cursor, wraps around', () => {
    const r = ok(dryRun(config({ strategy: 'round-robin' }), request(allReady), { cursor: () => KW2 }));
    expect(r.strategy).toBe('round-robin');
    expect(r.order).toEqual([KW3, KW1, KW2]);
  });

  it('named: the KW the user data names; without a fallback nobody else', () => {
    const named = config({ strategy: 'named' });
    const r = ok(dryRun(named, request(allReady, { userData: { kw: 'kw3' } })));
    expect(r.order).toEqual([KW3]);
    expect(r.skipped.map((s) => s.reason)).toEqual([
      `not offered: ${KW3} was already offered`,
      `not offered: ${KW3} was already offered`,
    ]);
    const missing = ok(dryRun(named, request(allReady)));
    expect(missing.order).toEqual([]);
    expect(missing.skipped[0]?.reason).toBe('not offered: no KW in the user data');
    const fallback = ok(
      dryRun(
        config({ strategy: 'named', fallback: 'round-robin' }),
        request(allReady, { userData: { KW: 'kw2' } }),
      ),
    );
    expect(fallback.strategy).toBe('named (fallback round-robin)');
    expect(fallback.order).toEqual([KW2, KW3, KW1]); // round robin goes on after the named KW
  });

  it('broadcast: everyone eligible at once, within the attempts limit (longest idle first)', () => {
    expect(ok(dryRun(config({ strategy: 'broadcast' }), request(allReady))).order).toEqual([KW1, KW2, KW3]);
    const capped = ok(
      dryRun(config({ strategy: 'broadcast', maxAttempts: 2 }), request(allReady), {
        idleSince: (kw) => (kw === KW3 ? 1 : 5),
      }),
    );
    expect(capped.order).toEqual([KW3, KW1]);
    expect(capped.skipped).toEqual([{ kw: KW2, reason: 'not offered: the attempts limit (2) is reached' }]);
  });
});

describe('dry run: bad input', () => {
  it('checks an edited config with the router’s parser and never uses it when invalid', () => {
    const r = dryRun(
      config(),
      request([], { config: { routingPoints: [{ uri: RP, strategy: 'fastest', members: [] }] } }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.some((p) => p.startsWith('config: routingPoints.0.strategy: must be one of'))).toBe(
      true,
    );
    expect(v.safeParse(DryRunResultSchema, r).success).toBe(true);
  });

  it('uses a valid edited config instead of the current one', () => {
    const edited = { routingPoints: [{ uri: RP, strategy: 'round-robin', members: ['kw1', 'kw2'] }] };
    const r = ok(
      dryRun(
        config(),
        request(
          [
            { kw: 'kw1', presence: available },
            { kw: 'kw2', presence: available },
          ],
          { config: edited },
        ),
      ),
    );
    expect(r.strategy).toBe('round-robin');
    expect(r.members.map((m) => m.kw)).toEqual([KW1, KW2]);
  });

  it('names an unknown routing point or a KW that is not a member', () => {
    expect(dryRun(config(), { routingPoint: 'sip:other@lab.local', members: [] })).toEqual({
      ok: false,
      problems: [`no routing point sip:other@lab.local in the config (it has ${RP})`],
    });
    expect(dryRun(config(), request([{ kw: 'kw9', presence: available }]))).toEqual({
      ok: false,
      problems: [`members.0: kw9 is not a member of ${RP}`],
    });
  });

  it('parses a request from JSON, naming the bad field', () => {
    expect(parseDryRunRequest('{')).toMatchObject({ ok: false });
    const bad = parseDryRunRequest(
      JSON.stringify({
        routingPoint: RP,
        members: [{ kw: 'kw1', presence: { kind: 'state', state: 'sleepy' } }],
      }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]).toMatch(/^members\.0\.presence/);
    expect(parseDryRunRequest(JSON.stringify(request([{ kw: 'kw1', presence: available }]))).ok).toBe(true);
  });
});
