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
  /** A timed Do not disturb (lastPresence is dnd): its end (ISO time) and the state after it; null when none. */
  readonly timedDnd: { readonly until: string; readonly returnTo: ManualState } | null;
  /** The chosen microphone and speaker (device ids; '' = the system default). */
  readonly audioInput: string;
  readonly audioOutput: string;
  /** The routing points whose previews this KW accepts (SIP AORs). */
  readonly trustedRoutingPoints: readonly string[];
  /** Certificates (PEM) trusted for the SIP servers besides the system's: the account's private CAs. */
  readonly extraCaCertificates: readonly string[];
  /** The update settings a provisioning document gave (the admin policy wins over them). */
  readonly updates: { readonly enabled?: boolean; readonly feedUrl?: string };
  /** Accept / decline the oldest request from any app (Electron accelerators); null = off, the default. */
  readonly globalShortcuts: { readonly accept: string; readonly decline: string } | null;
}

/** Whether the settings name an account and a server: until then nothing connects and the KW sees the sign-in screen. */
export function accountComplete(settings: StoredSettings): boolean {
  return settings.account.uri !== '' && settings.servers.length > 0;
}

/** Settings persistence (electron-store in the app). Never holds the password. */
export interface SettingsStore {
  load(): StoredSettings;
  /** Throws an Error whose message is a sentence for the user when it cannot save; nothing changed then. */
  save(settings: StoredSettings): void;
}

/**
 * Secret persistence (safeStorage in the app), in two steps so that a
 * settings save is all or nothing (KwApp.saveSettings): `prepare` does
 * everything that can be refused (encrypting) and changes nothing; `apply`
 * stores it and returns what puts the previous secret back exactly.
 */
export interface SecretStore {
  getPassword(): string | undefined;
  /** Throws an Error whose message is a sentence for the user when it cannot be stored; nothing changed then. */
  prepare(password: string | undefined): PreparedSecret;
}

export interface PreparedSecret {
  /** Stores the new secret (undefined: forgets it); throws (nothing changed) or returns the undo. */
  apply(): () => void;
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

/** Registers the global accept/decline shortcuts (Electron's globalShortcut in the app). */
export interface GlobalShortcutsPort {
  /** Replaces the registered shortcuts (null: none); returns a sentence when one could not be registered. */
  apply(shortcuts: StoredSettings['globalShortcuts']): string | undefined;
}

/** Applies OS-level settings (start at login). */
export interface LoginItems {
  setStartAtLogin(enabled: boolean): void;
}

/**
 * A new install: no account, no server (the sign-in screen asks, or a
 * provisioning link or the admin policy fills them in). The lab's account is
 * given only by the harness and the tests (docs/decisions.md, "First run").
 */
export const DEFAULT_SETTINGS: StoredSettings = {
  account: { uri: '', authUser: '', displayName: '' },
  servers: [],
  idleMinutes: 10,
  startAtLogin: false,
  sounds: true,
  lastPresence: 'available',
  timedDnd: null,
  audioInput: '',
  audioOutput: '',
  // An installed app trusts no routing point until the KW (or their admin) lists one:
  // the lab's names mean nothing elsewhere (docs/decisions.md, "Trusted routing points").
  trustedRoutingPoints: [],
  extraCaCertificates: [],
  updates: {},
  globalShortcuts: null,
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
  prepare(password: string | undefined): PreparedSecret {
    return {
      apply: () => {
        const previous = this.password;
        this.password = password === '' ? undefined : password;
        return () => {
          this.password = previous;
        };
      },
    };
  }
}
