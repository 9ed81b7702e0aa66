import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../preload/contract.js';
import { isGlobalAccelerator } from '../../../wire/settings-fields.js';

const SAVE = {
  account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim' },
  servers: ['ws://127.0.0.1:5080'],
  idleMinutes: 10,
  startAtLogin: false,
  sounds: true,
};

describe('global shortcuts in the settings', () => {
  it('an accelerator is modifiers and one key; a bare key or an unknown modifier is not', () => {
    for (const ok of ['CommandOrControl+Alt+A', 'Ctrl+Shift+F5', 'Alt+Shift+Space', 'Super+1'])
      expect(isGlobalAccelerator(ok), ok).toBe(true);
    for (const bad of ['A', 'Enter', 'Hyper+A', 'Ctrl+Ctrl+A', 'Ctrl+', 'Ctrl+AB', ''])
      expect(isGlobalAccelerator(bad), bad).toBe(false);
  });

  it('settings.save: null turns them off; absent keeps them; the two must differ, named by field', () => {
    expect(checkCommand('settings.save', { ...SAVE, globalShortcuts: null })).toMatchObject({ ok: true });
    expect(checkCommand('settings.save', SAVE)).toMatchObject({ ok: true });
    expect(
      checkCommand('settings.save', {
        ...SAVE,
        globalShortcuts: { accept: 'Alt+Shift+Y', decline: 'alt+shift+y' },
      }),
    ).toEqual({
      ok: false,
      error:
        'invalid input for settings.save at globalShortcuts.decline: accept and decline need different shortcuts',
    });
    expect(
      checkCommand('settings.save', { ...SAVE, globalShortcuts: { accept: 'Y', decline: 'Alt+N' } }),
    ).toEqual({
      ok: false,
      error:
        'invalid input for settings.save at globalShortcuts.accept: a shortcut is modifiers and a key, like CommandOrControl+Alt+A',
    });
  });
});
