import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { memoryLogger } from '../../../main/core/log.js';
import { MANUAL_STATES, STATE_LABELS, type ManualState } from '../../../wire/presence/manual-states.js';
import { trayCall, trayModel, type TrayItem } from '../../../main/electron/tray-model.js';
import { TrayController } from '../../../main/electron/tray.js';
import { encodePng, trayIconPng } from '../../../main/electron/tray-icons.js';
import { FakeTray, type FakeImage, type FakeMenu } from './fake-electron.js';
import { callView, status } from './fixtures.js';

const radios = (items: readonly TrayItem[]) => items.filter((i) => i.type === 'radio');

describe('trayModel', () => {
  for (const state of MANUAL_STATES) {
    it(`${state}: that radio item checked, the effective state shown, its icon`, () => {
      const model = trayModel(status(state));
      const checked = radios(model.items).filter((i) => i.checked);
      expect(checked.map((i) => i.label)).toEqual([STATE_LABELS[state]]);
      expect(checked[0]?.action).toEqual({ kind: 'presence', state });
      expect(radios(model.items).map((i) => i.label)).toEqual(MANUAL_STATES.map((s) => STATE_LABELS[s]));
      expect(model.items[0]).toEqual({ type: 'label', label: `Status: ${STATE_LABELS[state]}` });
      expect(model.icon).toBe(state);
      expect(model.tooltip).toBe(`KW Desktop — ${STATE_LABELS[state]}`);
    });
  }

  it('a timed Do not disturb: the end time in the status line and the tooltip', () => {
    const now = new Date(2026, 11, 5, 14, 0);
    const until = new Date(2026, 11, 5, 15, 30).toISOString();
    const base = status('dnd');
    const model = trayModel({ ...base, presence: { ...base.presence, until }, now });
    expect(model.items[0]).toEqual({ type: 'label', label: 'Status: Do not disturb until 15:30' });
    expect(model.tooltip).toBe('KW Desktop — Do not disturb until 15:30');
    expect(model.items.filter((i) => i.type === 'normal').map((i) => i.label)).toEqual([
      'Do not disturb for 30 minutes',
      'Do not disturb for 1 hour',
      'Do not disturb for 2 hours',
      'Open KW Desktop',
      'Quit',
    ]);
  });

  it('before sign-in: no presence to set, "Sign in…" opens the main window', () => {
    const model = trayModel({ ...status('available', 'offline', 'stopped'), signIn: true });
    expect(radios(model.items)).toEqual([]);
    expect(model.items).toContainEqual({ type: 'normal', label: 'Sign in…', action: { kind: 'open' } });
    expect(model.icon).toBe('disconnected');
    expect(model.tooltip).toBe('KW Desktop — not signed in');
  });

  it('in a call: the manual choice stays checked, the effective state and icon say "in a call"', () => {
    const model = trayModel(status('available', 'on-the-phone'));
    expect(radios(model.items).find((i) => i.checked)?.label).toBe('Available');
    expect(model.items[0]).toEqual({ type: 'label', label: 'Status: In a call' });
    expect(model.icon).toBe('on-the-phone');
  });

  it('with an answered call: who it is with and "Hang up" for that call', () => {
    const call = { callId: 'c-1', remote: 'Casey Customer' };
    const model = trayModel({ ...status('available', 'on-the-phone'), call });
    expect(model.items.slice(1, 3)).toEqual([
      { type: 'label', label: 'In a call with Casey Customer' },
      { type: 'normal', label: 'Hang up', action: { kind: 'hangup', callId: 'c-1' } },
    ]);
    expect(model.tooltip).toBe('KW Desktop — in a call with Casey Customer');
    expect(trayModel(status()).items.some((i) => 'label' in i && i.label === 'Hang up')).toBe(false);
  });

  it('the call to hang up: the answered one being talked on, not a ringing, held or ended one', () => {
    expect(trayCall([callView('r', 'ringing'), callView('e', 'ended')])).toBeUndefined();
    expect(trayCall([callView('h', 'active', { held: true }), callView('a', 'active')])?.callId).toBe('a');
    expect(trayCall([callView('h', 'active', { held: true })])?.callId).toBe('h');
    expect(
      trayCall([callView('c', 'connecting', { remote: { uri: 'sip:x@lab.local', displayName: '' } })]),
    ).toEqual({ callId: 'c', remote: 'sip:x@lab.local' });
  });

  it('not signed in: the connection is shown and the icon says so', () => {
    const model = trayModel(status('available', 'available', 'retrying'));
    expect(model.items[1]).toEqual({ type: 'label', label: 'Connecting…' });
    expect(model.icon).toBe('disconnected');
    expect(model.tooltip).toBe('KW Desktop — Connecting…');
  });

  it('not reachable: the chosen state says so, the sentence instead of a status line, the struck icon', () => {
    const base = status('available', 'available', 'retrying');
    const model = trayModel({
      ...base,
      call: { callId: 'c-1', remote: 'Casey Customer' },
      connection: {
        phase: 'retrying',
        text: 'Not connected',
        retryAt: 1,
        problem: {
          kind: 'credentials',
          sentence: 'The server refused your password. Check it in Settings.',
          detail: 'the server refused the credentials (403): check user and password',
        },
      },
    });
    expect(model.items.slice(0, 2)).toEqual([
      { type: 'label', label: 'Status: Available — not reachable' },
      { type: 'label', label: 'The server refused your password. Check it in Settings.' },
    ]);
    expect(model.icon).toBe('disconnected');
    // Not connected comes first, even in a call.
    expect(model.tooltip).toBe(
      'KW Desktop — not connected: The server refused your password. Check it in Settings.',
    );
    expect(JSON.stringify(model)).not.toMatch(/\b[1-6]\d\d [A-Z]/);
  });

  it('ends with "Open KW Desktop" and "Quit"', () => {
    const items = trayModel(status()).items;
    expect(items.slice(-2)).toEqual([
      { type: 'normal', label: 'Open KW Desktop', action: { kind: 'open' } },
      { type: 'normal', label: 'Quit', action: { kind: 'quit' } },
    ]);
  });
});

describe('tray icons', () => {
  it('are valid PNGs of the asked size, one colour per state', () => {
    const png = trayIconPng('available', 16);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(16);
    expect(png.readUInt32BE(20)).toBe(16);
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString()).toBe('IDAT');
    const rows = inflateSync(png.subarray(41, 41 + idatLength));
    expect(rows.length).toBe(16 * (1 + 16 * 4));
    // centre pixel is opaque and green; a corner is transparent
    const px = (x: number, y: number) => rows.subarray(y * 65 + 1 + x * 4, y * 65 + 1 + x * 4 + 4);
    expect([...px(8, 8)]).toEqual([0x2e, 0x9d, 0x48, 255]);
    expect(px(0, 0)[3]).toBe(0);
    expect(trayIconPng('busy', 32).equals(trayIconPng('available', 32))).toBe(false);
  });

  it('"not connected" is a struck ring, unlike "Appear offline" (a plain ring)', () => {
    const pixels = (key: 'offline' | 'disconnected') => {
      const png = trayIconPng(key, 16);
      const idatLength = png.readUInt32BE(33);
      return inflateSync(png.subarray(41, 41 + idatLength));
    };
    const alphaAtCentre = (rows: Buffer) => rows[8 * 65 + 1 + 8 * 4 + 3] ?? 0;
    expect(alphaAtCentre(pixels('offline'))).toBe(0); // hollow
    expect(alphaAtCentre(pixels('disconnected'))).toBeGreaterThan(200); // the stroke crosses the centre
  });

  it('encodePng refuses a buffer of the wrong size', () => {
    expect(() => encodePng(2, 2, Buffer.alloc(3))).toThrow();
  });
});

/** Interval timers fired by hand. */
function fakeIntervals() {
  const live = new Map<number, () => void>();
  let next = 1;
  return {
    timers: {
      setInterval: (fn: () => void) => {
        live.set(next, fn);
        return next++;
      },
      clearInterval: (h: unknown) => void live.delete(h as number),
    },
    tick: () => [...live.values()].forEach((fn) => fn()),
    count: () => live.size,
  };
}

function setupTray(timers?: ReturnType<typeof fakeIntervals>['timers']) {
  const trays: FakeTray[] = [];
  const menus: FakeMenu[] = [];
  const actions: string[] = [];
  const { logger } = memoryLogger();
  const tray = new TrayController<FakeImage, FakeMenu>({
    createTray: (image) => {
      const t = new FakeTray(image);
      trays.push(t);
      return t;
    },
    buildMenu: (template) => {
      const menu = { template };
      menus.push(menu);
      return menu;
    },
    createImage: (png1x, png2x) => ({ png1x, png2x }),
    actions: {
      setPresence: (state: ManualState) => {
        actions.push(`presence:${state}`);
        return Promise.resolve(null);
      },
      setDndFor: (minutes: number) => {
        actions.push(`dnd-for:${minutes}`);
        return Promise.resolve(null);
      },
      hangup: (callId: string) => {
        actions.push(`hangup:${callId}`);
        return Promise.resolve(null);
      },
      openMain: () => actions.push('open'),
      openRequests: () => actions.push('requests'),
      quit: () => actions.push('quit'),
    },
    logger,
    ...(timers ? { timers } : {}),
  });
  return { tray, trays, menus, actions };
}

const click = (item: MenuItemConstructorOptions | undefined): void => {
  (item?.click as (() => void) | undefined)?.();
};

describe('TrayController', () => {
  it('builds the tray once and rebuilds the menu when the status changes, not otherwise', () => {
    const { tray, trays, menus } = setupTray();
    tray.update(status('available'));
    expect(trays).toHaveLength(1);
    expect(menus).toHaveLength(1);
    tray.update(status('available'));
    expect(menus).toHaveLength(1);
    tray.update(status('busy'));
    expect(trays).toHaveLength(1);
    expect(menus).toHaveLength(2);
    expect(tray.rebuilds).toBe(2);
    const t = trays[0];
    expect(t?.menu).toBe(menus[1]);
    expect(t?.tooltip).toBe('KW Desktop — Busy');
    expect(t?.image.png1x.equals(trayIconPng('busy', 16))).toBe(true);
    expect(t?.image.png2x.equals(trayIconPng('busy', 32))).toBe(true);
    const checked = menus[1]?.template.filter((i) => i.type === 'radio' && i.checked).map((i) => i.label);
    expect(checked).toEqual(['Busy']);
  });

  it('binds the menu actions: presence, open, quit; a click on the tray opens', () => {
    const { tray, trays, menus, actions } = setupTray();
    tray.update(status('available'));
    const template = menus[0]?.template ?? [];
    click(template.find((i) => i.label === 'Do not disturb'));
    click(template.find((i) => i.label === 'Do not disturb for 1 hour'));
    click(template.find((i) => i.label === 'Open KW Desktop'));
    click(template.find((i) => i.label === 'Quit'));
    trays[0]?.emit('click');
    expect(actions).toEqual(['presence:dnd', 'dnd-for:60', 'open', 'quit', 'open']);
    expect(template.find((i) => i.label?.startsWith('Status:'))?.enabled).toBe(false);
  });

  it('a request waiting unseen: the icon alternates with the attention icon, and stops when it is seen', () => {
    const flash = fakeIntervals();
    const { tray, trays } = setupTray(flash.timers);
    tray.update({ ...status('available'), alerting: true });
    const t = trays[0];
    expect(t?.tooltip).toBe('A request is waiting for you — KW Desktop — Available');
    const isIcon = (key: 'available' | 'attention') => t?.image.png1x.equals(trayIconPng(key, 16)) === true;
    expect(isIcon('available')).toBe(true);
    flash.tick();
    expect(isIcon('attention')).toBe(true);
    flash.tick();
    expect(isIcon('available')).toBe(true);
    flash.tick();
    tray.update(status('available'));
    expect(flash.count()).toBe(0);
    expect(isIcon('available')).toBe(true);
    expect(t?.tooltip).toBe('KW Desktop — Available');
  });

  it('"Hang up" hangs up that call', () => {
    const { tray, menus, actions } = setupTray();
    tray.update({ ...status('available', 'on-the-phone'), call: { callId: 'c-9', remote: 'Casey' } });
    click(menus[0]?.template.find((i) => i.label === 'Hang up'));
    expect(actions).toEqual(['hangup:c-9']);
    tray.update(status('available'));
    expect(menus[1]?.template.some((i) => i.label === 'Hang up')).toBe(false);
  });

  it('dispose destroys the tray', () => {
    const { tray, trays } = setupTray();
    tray.update(status());
    tray.dispose();
    expect(trays[0]?.destroyed).toBe(true);
  });
});
