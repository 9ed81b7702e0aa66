import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../../preload/contract.js';
import {
  normalizeSipAddress,
  SIGN_IN_MESSAGES,
  signInErrors,
  signInFormFrom,
  signInInput,
  type SignInForm,
} from '../../../renderer/main/sign-in/sign-in-form.js';

const NEW_INSTALL: SettingsView = {
  account: { uri: '', authUser: '', displayName: '', hasPassword: false },
  servers: [],
  idleMinutes: 10,
  startAtLogin: false,
  sounds: true,
  trustedRoutingPoints: ['sip:billing@example.com'],
  locked: [],
  globalShortcuts: null,
};

const GOOD: SignInForm = {
  servers: ['wss://sip.example.com'],
  uri: 'jane.doe@example.com',
  authUser: '',
  password: 's3cret',
  displayName: ' Jane ',
};

describe('the sign-in form', () => {
  it('a new install: one empty server row, empty fields', () => {
    expect(signInFormFrom(NEW_INSTALL)).toEqual({
      servers: [''],
      uri: '',
      authUser: '',
      password: '',
      displayName: '',
    });
  });

  it('everything empty: a sentence under each required field, none under the optional ones', () => {
    expect(signInErrors(signInFormFrom(NEW_INSTALL))).toEqual({
      'servers.0': SIGN_IN_MESSAGES.noServer,
      uri: SIGN_IN_MESSAGES.noUri,
      password: SIGN_IN_MESSAGES.noPassword,
    });
  });

  it("checks each server row and the SIP address with main's rules", () => {
    const errors = signInErrors({
      ...GOOD,
      servers: ['sip.example.com', 'wss://b.example.com', 'wss://b.example.com', 'https://x'],
      uri: 'jane',
    });
    expect(errors).toEqual({
      'servers.0': SIGN_IN_MESSAGES.badServer,
      'servers.2': SIGN_IN_MESSAGES.duplicateServer,
      'servers.3': SIGN_IN_MESSAGES.badServer,
      uri: SIGN_IN_MESSAGES.badUri,
    });
  });

  it('a SIP address typed without sip: gets it; sips: and sip: stay', () => {
    expect(normalizeSipAddress(' jane@example.com ')).toBe('sip:jane@example.com');
    expect(normalizeSipAddress('sips:jane@example.com')).toBe('sips:jane@example.com');
    expect(normalizeSipAddress('SIP:jane@example.com')).toBe('SIP:jane@example.com');
    expect(normalizeSipAddress('jane')).toBe('jane');
  });

  it('the input keeps the other settings as they are (routing points untouched: absent)', () => {
    const checked = signInInput(GOOD, NEW_INSTALL);
    expect(checked).toEqual({
      ok: true,
      input: {
        account: { uri: 'sip:jane.doe@example.com', authUser: '', displayName: 'Jane', password: 's3cret' },
        servers: ['wss://sip.example.com'],
        idleMinutes: 10,
        startAtLogin: false,
        sounds: true,
      },
    });
  });
});
