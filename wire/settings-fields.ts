/**
 * The schemas of the account and server settings, shared by everything that
 * carries them: the renderer contract (preload/contract.ts), the admin policy
 * (main/app/policy) and the provisioning document (wire/provisioning.ts), so a
 * value one of them accepts is never refused by another.
 */
import * as v from 'valibot';
import { toAor } from './sip/uri.js';

export const MAX_TRUSTED_ROUTING_POINTS = 50;
export const MAX_SERVERS = 5;

export const SipAddressSchema = v.pipe(
  v.string(),
  v.maxLength(256, 'a SIP address has at most 256 characters'),
  v.regex(/^sips?:[^@\s]+@[^\s]+$/, 'the SIP address looks like sip:user@domain'),
);

export const AuthUserSchema = v.pipe(v.string(), v.maxLength(128));
export const DisplayNameSchema = v.pipe(v.string(), v.maxLength(128));

export const ServerUrlSchema = v.pipe(
  v.string(),
  v.maxLength(2048, 'a server URL has at most 2048 characters'),
  v.regex(/^wss?:\/\/[^\s]+$/, 'a server is a ws:// or wss:// URL'),
);

export const ServersSchema = v.pipe(
  v.array(ServerUrlSchema),
  v.minLength(1, 'at least one server'),
  v.maxLength(MAX_SERVERS, 'at most five servers'),
);

/**
 * A routing point is named by its address of record: `sip:` or `sips:`,
 * user@host, no port or parameters (the core compares senders by AOR). The
 * host is case-insensitive, so it is stored lower-cased.
 */
const RoutingPoint = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(256, 'a routing point address has at most 256 characters'),
  v.check(
    (s) => toAor(s)?.toLowerCase() === s.toLowerCase(),
    'a routing point is a SIP address like sip:billing-experts@example.com, without port or parameters',
  ),
  v.transform((s) => toAor(s) ?? s),
);

/** The trusted routing points: at most 50, each once. */
export const TrustedRoutingPointsSchema = v.pipe(
  v.array(RoutingPoint),
  v.maxLength(MAX_TRUSTED_ROUTING_POINTS, `at most ${MAX_TRUSTED_ROUTING_POINTS} routing points`),
  v.checkItems((rp, i, list) => list.indexOf(rp) === i, 'this routing point is already in the list'),
);

export const IdleMinutesSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(240));

export const FeedUrlSchema = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.regex(/^https:\/\/[^\s]+$/, 'the update feed is an https:// URL'),
);

export const MAX_CA_CERTIFICATES = 10;
export const MAX_CA_CERTIFICATE_CHARS = 16 * 1024;

/** One PEM certificate; the line structure is checked here, the DER by TLS when used. */
const CaCertificateSchema = v.pipe(
  v.string(),
  v.maxLength(MAX_CA_CERTIFICATE_CHARS, 'a CA certificate has at most 16 KiB'),
  v.regex(
    /^-----BEGIN CERTIFICATE-----\r?\n(?:[A-Za-z0-9+/=]+\r?\n)+-----END CERTIFICATE-----(?:\r?\n)?$/,
    'a CA certificate is one PEM block (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)',
  ),
);

/** Extra CA certificates (PEM): an account's private CAs, from a policy, a setup document or the settings file. */
export const CaCertificatesSchema = v.pipe(
  v.array(CaCertificateSchema),
  v.maxLength(MAX_CA_CERTIFICATES, `at most ${MAX_CA_CERTIFICATES} CA certificates`),
);

const MODIFIERS = [
  'Command',
  'Cmd',
  'Control',
  'Ctrl',
  'CommandOrControl',
  'CmdOrCtrl',
  'Alt',
  'Option',
  'AltGr',
  'Shift',
  'Super',
  'Meta',
] as const;
const KEY =
  /^(?:[A-Z0-9]|F(?:[1-9]|1\d|2[0-4])|Space|Tab|Backspace|Delete|Insert|Return|Enter|Up|Down|Left|Right|Home|End|PageUp|PageDown|Escape|Esc|Plus|[)!@#$%^&*(:;<=>?_~{}|'",./`[\]\\-])$/i;

/**
 * An Electron accelerator for a global shortcut: at least one modifier and one key
 * ("CommandOrControl+Alt+A"). A bare key would take that key from every other app.
 */
export function isGlobalAccelerator(text: string): boolean {
  const parts = text.split('+');
  const key = parts.pop() ?? '';
  if (parts.length === 0 || !KEY.test(key)) return false;
  const lower = MODIFIERS.map((m) => m.toLowerCase());
  return (
    parts.every((p) => lower.includes(p.toLowerCase())) &&
    new Set(parts.map((p) => p.toLowerCase())).size === parts.length
  );
}

export const AcceleratorSchema = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(64),
  v.check(isGlobalAccelerator, 'a shortcut is modifiers and a key, like CommandOrControl+Alt+A'),
);

/** Accept and decline the oldest request from any app; null = off (the default). */
export const GlobalShortcutsSchema = v.nullable(
  v.pipe(
    v.object({ accept: AcceleratorSchema, decline: AcceleratorSchema }),
    v.forward(
      v.check(
        (s) => s.accept.toLowerCase() !== s.decline.toLowerCase(),
        'accept and decline need different shortcuts',
      ),
      ['decline'],
    ),
  ),
);

export const DEFAULT_SHORTCUTS = {
  accept: 'CommandOrControl+Alt+A',
  decline: 'CommandOrControl+Alt+D',
} as const;
