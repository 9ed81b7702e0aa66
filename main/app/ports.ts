/**
 * What the app layer needs from its host (Electron or the browser harness):
 * small interfaces, implemented by adapters in main/electron and main/harness.
 */
import type { ManualState } from '../../wire/presence/manual-states.js';

export interface StoredSettings {
  readonly account: { readonly uri: string; readonly authUser: string; readonly displayName: string };
  readonly servers: readonly string[];
  readonly idleMinutes: number;
  readonly startAtLogin: boolean;
  readonly sounds: boolean;
  readonly lastPresence: ManualState;
  /** The chosen microphone and speaker (device ids; '' = the system default). */
  readonly audioInput: string;
  readonly audioOutput: string;
}

/** Settings persistence (electron-store in the app). Never holds the password. */
export interface SettingsStore {
  load(): StoredSettings;
  save(settings: StoredSettings): void;
}

/** Secret persistence (safeStorage in the app). */
export interface SecretStore {
  getPassword(): string | undefined;
  setPassword(password: string | undefined): void;
}

/** Opens a validated external link (shell.openExternal in the app). */
export interface LinkOpener {
  open(url: string): Promise<void>;
}

/** Window control the renderer may ask for. */
export interface WindowControl {
  showMain(interactionId?: string): void;
  /** Shows the call popup while a call rings, hides it when none does. */
  setCallPopup(visible: boolean): void;
}

/** Applies OS-level settings (start at login). */
export interface LoginItems {
  setStartAtLogin(enabled: boolean): void;
}

export const DEFAULT_SETTINGS: StoredSettings = {
  account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Knowledge Worker 1' },
  servers: ['ws://127.0.0.1:5080'],
  idleMinutes: 10,
  startAtLogin: false,
  sounds: true,
  lastPresence: 'available',
  audioInput: '',
  audioOutput: '',
};

export class MemorySettingsStore implements SettingsStore {
  constructor(private settings: StoredSettings = DEFAULT_SETTINGS) {}
  load(): StoredSettings {
    return this.settings;
  }
  save(settings: StoredSettings): void {
    this.settings = settings;
  }
}

export class MemorySecretStore implements SecretStore {
  constructor(private password: string | undefined = undefined) {}
  getPassword(): string | undefined {
    return this.password;
  }
  setPassword(password: string | undefined): void {
    this.password = password;
  }
}
