/**
 * The provisioning document (issue 13): what an administrator's setup link
 * points at, served by the lab and read by the KW, so both agree on one
 * schema. Also the one-time sign-in token exchange it may carry. The account
 * and server fields reuse wire/settings-fields.ts, so a document never carries
 * a value the settings would refuse.
 */
import * as v from 'valibot';
import {
  AuthUserSchema,
  CaCertificatesSchema,
  DisplayNameSchema,
  IdleMinutesSchema,
  ServersSchema,
  SipAddressSchema,
  TrustedRoutingPointsSchema,
} from './settings-fields.js';
import { parseSipUri } from './sip/uri.js';

/** The largest document a KW reads (bytes of UTF-8). */
export const MAX_PROVISIONING_BYTES = 64 * 1024;
/** The largest token-exchange request or answer (bytes). */
export const MAX_TOKEN_EXCHANGE_BYTES = 4 * 1024;
export const PROVISIONING_FORMAT = 1;

/** An https:// URL (a setup document's links never downgrade to http). */
const HttpsUrlSchema = v.pipe(
  v.string(),
  v.maxLength(2048, 'a URL has at most 2048 characters'),
  v.check(isHttpsUrl, 'must be an https:// URL'),
);

/** Host name syntax (RFC 1123 labels), at most 253 characters; stored lower-cased. */
const DomainSchema = v.pipe(
  v.string(),
  v.maxLength(253, 'a domain has at most 253 characters'),
  v.regex(
    /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    'the domain is a host name like example.com',
  ),
  v.toLowerCase(),
);

export const SignInTokenSchema = v.pipe(
  v.string(),
  v.minLength(16, 'a sign-in token has at least 16 characters'),
  v.maxLength(512, 'a sign-in token has at most 512 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'a sign-in token has only letters, digits, _ and -'),
);

const AccountSchema = v.strictObject({
  uri: v.optional(SipAddressSchema),
  authUser: v.optional(AuthUserSchema),
  displayName: v.optional(DisplayNameSchema),
});

const SignInSchema = v.strictObject({ token: SignInTokenSchema, exchangeUrl: HttpsUrlSchema });

export const ProvisioningDocumentSchema = v.pipe(
  v.strictObject({
    kwDeskProvisioning: v.literal(PROVISIONING_FORMAT, 'the format version must be 1'),
    servers: ServersSchema,
    domain: DomainSchema,
    account: v.optional(AccountSchema),
    trustedRoutingPoints: v.optional(TrustedRoutingPointsSchema),
    presence: v.optional(v.strictObject({ idleMinutes: v.optional(IdleMinutesSchema) })),
    ring: v.optional(v.strictObject({ sounds: v.optional(v.boolean()) })),
    updates: v.optional(
      v.strictObject({ enabled: v.optional(v.boolean()), feedUrl: v.optional(HttpsUrlSchema) }),
    ),
    caCertificates: v.optional(CaCertificatesSchema),
    signIn: v.optional(SignInSchema),
  }),
  v.forward(
    v.partialCheck(
      [['account', 'uri'], ['domain']],
      (doc) => doc.account?.uri === undefined || parseSipUri(doc.account.uri)?.host === doc.domain,
      (issue) => `the account must be in the domain ${domainOf(issue.input)}`,
    ),
    ['account', 'uri'],
  ),
);

export type ProvisioningDocument = v.InferOutput<typeof ProvisioningDocumentSchema>;
export type SignIn = NonNullable<ProvisioningDocument['signIn']>;

export type ProvisioningParse =
  | { readonly ok: true; readonly document: ProvisioningDocument }
  | { readonly ok: false; readonly problem: string };

/** Validates parsed JSON; `problem` names the first broken path and its rule. */
export function parseProvisioningDocument(data: unknown): ProvisioningParse {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, problem: 'the document is not a JSON object' };
  }
  const result = v.safeParse(ProvisioningDocumentSchema, data);
  if (result.success) return { ok: true, document: result.output };
  return { ok: false, problem: describeIssue(result.issues[0]) };
}

/** The body a KW POSTs to `signIn.exchangeUrl`. */
export const TokenExchangeRequestSchema = v.strictObject({ token: SignInTokenSchema });
/** The exchange's answer: the account's password, and its auth user when it has one. */
export const TokenExchangeAnswerSchema = v.object({
  password: v.pipe(v.string(), v.minLength(1, 'the password is empty'), v.maxLength(1024)),
  authUser: v.optional(AuthUserSchema),
});
export type TokenExchangeAnswer = v.InferOutput<typeof TokenExchangeAnswerSchema>;

export function parseTokenExchangeRequest(data: unknown): { token: string } | { problem: string } {
  const result = v.safeParse(TokenExchangeRequestSchema, data);
  return result.success ? result.output : { problem: describeIssue(result.issues[0]) };
}

export function parseTokenExchangeAnswer(data: unknown): TokenExchangeAnswer | { problem: string } {
  const result = v.safeParse(TokenExchangeAnswerSchema, data);
  return result.success ? result.output : { problem: describeIssue(result.issues[0]) };
}

/** "servers.1: a server is a ws:// or wss:// URL"; "account.colour: unknown key". */
function describeIssue(issue: v.BaseIssue<unknown> | undefined): string {
  if (!issue) return 'not valid';
  const path = v.getDotPath(issue) ?? '';
  const rule = ruleOf(issue);
  return path === '' ? rule : `${path}: ${rule}`;
}

function ruleOf(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema' && issue.type === 'strict_object' && issue.expected === 'never') {
    return 'unknown key';
  }
  if (issue.kind === 'schema' && issue.received === 'undefined') return 'required';
  if (issue.kind === 'schema' && issue.type !== 'literal') return `must be ${typeName(issue.expected)}`;
  return issue.message;
}

function typeName(expected: string | null): string {
  switch (expected) {
    case 'Object':
      return 'an object';
    case 'Array':
      return 'a list';
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    default:
      return expected ?? 'another type';
  }
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

function domainOf(input: unknown): string {
  return typeof input === 'object' && input !== null && 'domain' in input ? String(input.domain) : '';
}
