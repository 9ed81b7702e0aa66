/** A provisioning body as JSON: strict UTF-8 first (no U+FFFD guessing), then JSON.parse. */
import { decodeUtf8 } from '../../../wire/utf8.js';

export type JsonBody =
  { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly detail: string };

export function parseJsonBody(body: Uint8Array): JsonBody {
  const { text, valid } = decodeUtf8(body);
  if (!valid) return { ok: false, detail: 'the body is not valid UTF-8' };
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, detail: `the body is not JSON: ${(error as Error).message}` };
  }
}
