/**
 * The sign-in screen's form: what the KW types, checked field by field with
 * the same rules main applies (wire/settings-fields.ts), in sentences; and the
 * settings input it becomes. A SIP address typed without `sip:` gets it.
 */
import * as v from 'valibot';
import type { SettingsInput, SettingsView } from '../../../preload/contract.js';
import { SipAddressSchema, ServerUrlSchema } from '../../../wire/settings-fields.js';
import type { FieldErrors } from '../../shared/model.js';

export interface SignInForm {
  readonly servers: readonly string[];
  readonly uri: string;
  readonly authUser: string;
  readonly password: string;
  readonly displayName: string;
}

export const SIGN_IN_MESSAGES = {
  noServer: 'Enter the address of your SIP server, like wss://sip.example.com',
  badServer:
    'A server address starts with wss:// (or ws:// on a trusted network), like wss://sip.example.com',
  duplicateServer: 'This server is already in the list',
  noUri: 'Enter your SIP address, like jane.doe@example.com',
  badUri: 'A SIP address looks like jane.doe@example.com',
  noPassword: 'Enter your password',
} as const;

/** The form for these settings (a policy or provisioning may have filled some in). */
export function signInFormFrom(s: SettingsView): SignInForm {
  return {
    servers: s.servers.length ? [...s.servers] : [''],
    uri: s.account.uri,
    authUser: s.account.authUser,
    password: '',
    displayName: s.account.displayName,
  };
}

/** `jane@example.com` → `sip:jane@example.com`; anything else as typed (trimmed). */
export function normalizeSipAddress(text: string): string {
  const t = text.trim();
  return /^sips?:/i.test(t) || !t.includes('@') ? t : `sip:${t}`;
}

/** Every error the form can see by itself, keyed by field (`servers.N` for a server row). */
export function signInErrors(form: SignInForm): FieldErrors {
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  form.servers.forEach((raw, i) => {
    const url = raw.trim();
    const key = `servers.${i}`;
    if (url === '') errors[key] = SIGN_IN_MESSAGES.noServer;
    else if (!v.is(ServerUrlSchema, url)) errors[key] = SIGN_IN_MESSAGES.badServer;
    else if (seen.has(url)) errors[key] = SIGN_IN_MESSAGES.duplicateServer;
    seen.add(url);
  });
  const uri = normalizeSipAddress(form.uri);
  if (uri === '') errors.uri = SIGN_IN_MESSAGES.noUri;
  else if (!v.is(SipAddressSchema, uri)) errors.uri = SIGN_IN_MESSAGES.badUri;
  if (form.password === '') errors.password = SIGN_IN_MESSAGES.noPassword;
  return errors;
}

/** The settings to save (the other settings as they are), or the errors to show. */
export function signInInput(
  form: SignInForm,
  current: SettingsView,
): { ok: true; input: SettingsInput } | { ok: false; errors: FieldErrors } {
  const errors = signInErrors(form);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: {
      account: {
        uri: normalizeSipAddress(form.uri),
        authUser: form.authUser.trim(),
        displayName: form.displayName.trim(),
        password: form.password,
      },
      servers: form.servers.map((s) => s.trim()),
      idleMinutes: current.idleMinutes,
      startAtLogin: current.startAtLogin,
      sounds: current.sounds,
    },
  };
}
