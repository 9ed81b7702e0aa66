/**
 * The presence documents a real third-party client publishes (Linphone 5.1, as a
 * watcher received them through Kamailio; test/fixtures/linphone-5.1/README.md)
 * → what the router makes of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePidf } from '../../../wire/presence/pidf.js';
import { routingStateOf, type RoutingState } from '../../../wire/presence/routing-state.js';

function routerSees(file: string): RoutingState {
  const xml = readFileSync(join(import.meta.dirname, '../../fixtures/linphone-5.1', file), 'utf8');
  const parsed = parsePidf(xml);
  if (!parsed.ok) throw new Error(`${file}: ${parsed.error}`);
  return routingStateOf(parsed.value);
}

describe('Linphone 5.1 presence → routing state', () => {
  it.each([
    ['linphone-online.xml', { kind: 'Ready' }],
    ['linphone-busy.xml', { kind: 'NotReady', reason: 'away' }],
    ['linphone-away.xml', { kind: 'NotReady', reason: 'away' }],
    // closed + <rpid:away/>: do not disturb, not logged out.
    ['linphone-dnd.xml', { kind: 'NotReady', reason: 'dnd' }],
    ['linphone-onthephone.xml', { kind: 'NotReady', reason: 'on-the-phone' }],
    ['linphone-offline.xml', { kind: 'LoggedOut' }],
    ['linphone-after-quit.xml', { kind: 'LoggedOut' }],
  ] as const)('%s → %o', (file, expected) => {
    expect(routerSees(file)).toEqual(expected);
  });
});
