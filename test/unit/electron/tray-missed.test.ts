/** The tray's count of missed requests: in the tooltip and as a menu item that opens the Requests section. */
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { memoryLogger } from '../../../main/core/log.js';
import { missedLabel, trayModel } from '../../../main/electron/tray-model.js';
import { TrayController } from '../../../main/electron/tray.js';
import { FakeTray, type FakeImage, type FakeMenu } from './fake-electron.js';
import { status } from './fixtures.js';

describe('trayModel: missed requests', () => {
  it('none (or not known): no item, the tooltip as before', () => {
    for (const missed of [undefined, 0]) {
      const model = trayModel({ ...status('available'), ...(missed === undefined ? {} : { missed }) });
      expect(model.tooltip).toBe('KW Desktop — Available');
      expect(model.items.some((i) => i.type === 'normal' && i.action.kind === 'requests')).toBe(false);
    }
  });

  it('3: "3 missed requests" in the tooltip and as an item that opens the Requests section', () => {
    const model = trayModel({ ...status('busy'), missed: 3 });
    expect(model.tooltip).toBe('KW Desktop — Busy · 3 missed requests');
    const item = model.items.find((i) => i.type === 'normal' && i.action.kind === 'requests');
    expect(item).toEqual({ type: 'normal', label: '3 missed requests', action: { kind: 'requests' } });
    // Right under the status, before the presence choices.
    expect(model.items.indexOf(item as (typeof model.items)[number])).toBe(1);
  });

  it('one: singular; with a call and signed out, the count is still said', () => {
    expect(missedLabel(1)).toBe('1 missed request');
    const inCall = trayModel({
      ...status('available', 'on-the-phone'),
      call: { callId: 'c-1', remote: 'Casey Customer' },
      missed: 1,
    });
    expect(inCall.tooltip).toBe('KW Desktop — in a call with Casey Customer · 1 missed request');
    const out = trayModel({ ...status('available', 'available', 'retrying'), missed: 2 });
    expect(out.tooltip).toMatch(/ · 2 missed requests$/);
  });
});

describe('TrayController: the count comes and goes', () => {
  it('the item calls openRequests; once seen (0) the item and the tooltip text are gone', () => {
    const trays: FakeTray[] = [];
    const menus: FakeMenu[] = [];
    const actions: string[] = [];
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
        setPresence: () => Promise.resolve(null),
        setDndFor: () => Promise.resolve(null),
        hangup: () => Promise.resolve(null),
        openMain: () => actions.push('open'),
        openRequests: () => actions.push('requests'),
        quit: () => actions.push('quit'),
      },
      logger: memoryLogger().logger,
    });
    tray.update({ ...status('available'), missed: 2 });
    expect(trays[0]?.tooltip).toBe('KW Desktop — Available · 2 missed requests');
    const template = menus.at(-1)?.template ?? [];
    const item = template.find((i: MenuItemConstructorOptions) => i.label === '2 missed requests');
    (item?.click as (() => void) | undefined)?.();
    expect(actions).toEqual(['requests']);

    tray.update({ ...status('available'), missed: 0 });
    expect(trays[0]?.tooltip).toBe('KW Desktop — Available');
    expect(menus.at(-1)?.template.some((i) => String(i.label).includes('missed'))).toBe(false);
  });
});
