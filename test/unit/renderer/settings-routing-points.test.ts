/**
 * The settings form's trusted routing points (renderer/main/settings/routing-points.ts):
 * what the form checks by itself, what it sends, and where main's refusal shows.
 * The form's rules must agree with main's (the contract's schema): checked here
 * against checkCommand for the same lists.
 */
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../preload/contract.js';
import { formFromSettings } from '../../../renderer/shared/model.js';
import {
  MAX_ROUTING_POINTS,
  ROUTING_POINT_MESSAGES,
  routingPointErrors,
  routingPointRefusal,
  settingsInput,
  withoutRoutingPointErrors,
} from '../../../renderer/main/settings/routing-points.js';

const form = formFromSettings({
  account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim', hasPassword: true },
  servers: ['ws://127.0.0.1:5080'],
  idleMinutes: 10,
  startAtLogin: false,
  sounds: true,
  trustedRoutingPoints: [],
  locked: [],
  globalShortcuts: null,
});

describe('routing points in the settings form', () => {
  it('accepts SIP addresses of record and sends them trimmed', () => {
    const result = settingsInput(form, [' sip:billing-experts@lab.local ', 'sips:claims@Example.com']);
    expect(result).toMatchObject({
      ok: true,
      input: { trustedRoutingPoints: ['sip:billing-experts@lab.local', 'sips:claims@Example.com'] },
    });
    expect(settingsInput(form, [])).toMatchObject({ ok: true, input: { trustedRoutingPoints: [] } });
  });

  it('says what is wrong with each row: empty, not an address, a duplicate (host case ignored)', () => {
    expect(
      routingPointErrors([
        '',
        'billing-experts',
        'sip:a@lab.local:5060',
        'sip:a@lab.local',
        'sip:a@LAB.local',
      ]),
    ).toEqual({
      'trustedRoutingPoints.0': ROUTING_POINT_MESSAGES.empty,
      'trustedRoutingPoints.1': ROUTING_POINT_MESSAGES.invalid,
      'trustedRoutingPoints.2': ROUTING_POINT_MESSAGES.invalid,
      'trustedRoutingPoints.4': ROUTING_POINT_MESSAGES.duplicate,
    });
    const tooMany = Array.from({ length: MAX_ROUTING_POINTS + 1 }, (_, i) => `sip:rp${i}@lab.local`);
    expect(routingPointErrors(tooMany)).toEqual({ trustedRoutingPoints: ROUTING_POINT_MESSAGES.tooMany });
  });

  it('keeps the other fields’ errors and adds its own; nothing is sent while any remains', () => {
    const result = settingsInput({ ...form, idleMinutes: 'soon' }, ['nope']);
    expect(result).toEqual({
      ok: false,
      errors: {
        idleMinutes: 'a whole number of minutes',
        'trustedRoutingPoints.0': ROUTING_POINT_MESSAGES.invalid,
      },
    });
    expect(withoutRoutingPointErrors(result.ok ? {} : result.errors)).toEqual({
      idleMinutes: 'a whole number of minutes',
    });
  });

  it('agrees with main: a list the form sends is one main accepts, and the other way round', () => {
    const lists = [
      ['sip:a@lab.local'],
      ['sip:a@LAB.local', 'sip:a@lab.local'],
      ['sip:a@lab.local;transport=ws'],
      ['sip:lab.local'],
      ['tel:+123'],
      ['sips:x@example.com', 'sip:x@example.com'],
      Array.from({ length: MAX_ROUTING_POINTS }, (_, i) => `sip:rp${i}@lab.local`),
      Array.from({ length: MAX_ROUTING_POINTS + 1 }, (_, i) => `sip:rp${i}@lab.local`),
    ];
    for (const list of lists) {
      const local = settingsInput(form, list);
      const main = checkCommand(
        'settings.save',
        local.ok ? local.input : { ...settingsBase(), trustedRoutingPoints: list },
      );
      expect(main.ok, JSON.stringify(list).slice(0, 80)).toBe(local.ok);
    }
  });

  it("finds the row main's refusal names", () => {
    expect(
      routingPointRefusal(
        'invalid input for settings.save at trustedRoutingPoints.2: this routing point is already in the list',
      ),
    ).toEqual({ field: 'trustedRoutingPoints.2', message: 'this routing point is already in the list' });
    expect(
      routingPointRefusal(
        'invalid input for settings.save at trustedRoutingPoints: at most 50 routing points',
      ),
    ).toEqual({
      field: 'trustedRoutingPoints',
      message: 'at most 50 routing points',
    });
    expect(
      routingPointRefusal('invalid input for settings.save at servers.0: a server is a ws:// or wss:// URL'),
    ).toBeNull();
    expect(routingPointRefusal('the settings file could not be written; nothing was changed')).toBeNull();
  });
});

function settingsBase() {
  const result = settingsInput(form, []);
  if (!result.ok) throw new Error('base form invalid');
  return result.input;
}
