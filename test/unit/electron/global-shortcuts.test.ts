/** The global accept / decline shortcuts against a typed fake of Electron's globalShortcut. */
import type { GlobalShortcut } from 'electron';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { ElectronGlobalShortcuts } from '../../../main/electron/global-shortcuts.js';

/** The subset ElectronGlobalShortcuts uses; `taken` are held by another app (register returns false). */
class FakeGlobalShortcut implements Pick<GlobalShortcut, 'register' | 'unregister'> {
  readonly live = new Map<string, () => void>();
  constructor(private readonly taken: readonly string[] = []) {}
  register(accelerator: string, callback: () => void): boolean {
    if (this.taken.includes(accelerator) || this.live.has(accelerator)) return false;
    this.live.set(accelerator, callback);
    return true;
  }
  unregister(accelerator: string): void {
    this.live.delete(accelerator);
  }
  press(accelerator: string): void {
    this.live.get(accelerator)?.();
  }
}

const KEYS = { accept: 'CommandOrControl+Alt+A', decline: 'CommandOrControl+Alt+D' };

function setup(taken: readonly string[] = []) {
  const fake = new FakeGlobalShortcut(taken);
  const done: string[] = [];
  const shortcuts = new ElectronGlobalShortcuts(
    fake,
    { accept: () => done.push('accept'), decline: () => done.push('decline') },
    memoryLogger('warn').logger,
  );
  return { fake, done, shortcuts };
}

describe('global accept / decline shortcuts', () => {
  it('off (null): nothing registered', () => {
    const { fake, shortcuts } = setup();
    expect(shortcuts.apply(null)).toBeUndefined();
    expect(fake.live.size).toBe(0);
  });

  it('on: each key runs its action; changing them replaces the old ones; off unregisters', () => {
    const { fake, done, shortcuts } = setup();
    expect(shortcuts.apply(KEYS)).toBeUndefined();
    fake.press(KEYS.accept);
    fake.press(KEYS.decline);
    expect(done).toEqual(['accept', 'decline']);
    shortcuts.apply({ accept: 'Alt+Shift+Y', decline: 'Alt+Shift+N' });
    expect([...fake.live.keys()]).toEqual(['Alt+Shift+Y', 'Alt+Shift+N']);
    shortcuts.apply(null);
    expect(fake.live.size).toBe(0);
  });

  it('a shortcut another app holds: a sentence naming it; the other still works', () => {
    const { fake, done, shortcuts } = setup([KEYS.decline]);
    expect(shortcuts.apply(KEYS)).toBe(
      'Another app already uses CommandOrControl+Alt+D (decline): choose another shortcut.',
    );
    fake.press(KEYS.accept);
    expect(done).toEqual(['accept']);
    shortcuts.dispose();
    expect(fake.live.size).toBe(0);
  });
});
