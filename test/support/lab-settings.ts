/**
 * The lab's kw1 account as stored settings, for tests that sign in: the
 * product's defaults have no account (a new install shows the sign-in
 * screen), so the tests pass the lab's in, as the harness does.
 */
import { DEFAULT_SETTINGS, type StoredSettings } from '../../main/app/ports.js';

export const LAB_KW1 = { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Knowledge Worker 1' } as const;

export function labSettings(
  servers: readonly string[],
  overrides: Partial<StoredSettings> = {},
): StoredSettings {
  return { ...DEFAULT_SETTINGS, account: LAB_KW1, servers, ...overrides };
}
