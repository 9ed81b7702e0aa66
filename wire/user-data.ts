/**
 * The user-data header codec: key/value pairs the agent attaches to a request
 * travel as `X-UserData-<Key>: <percent-encoded UTF-8 value>` headers, keys in
 * the case the sender wrote them.
 */
import { headerLine, rawHeaders } from './sip/headers.js';
import { utf8Bytes } from './utf8.js';

export const DEFAULT_USER_DATA_PREFIX = 'X-UserData-';

/** Percent-encodes what a header value cannot carry as is (non-ASCII, controls, '%'). */
export function encodeHeaderValue(value: string): string {
  let out = '';
  for (const byte of utf8Bytes(value)) {
    const ch = String.fromCharCode(byte);
    out +=
      byte < 0x20 || byte > 0x7e || ch === '%' ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

export function decodeHeaderValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // A stray '%' from a client that did not encode: keep the text as sent.
    return value;
  }
}

export type UserData = Readonly<Record<string, string>>;

export function userDataHeaders(data: UserData, prefix = DEFAULT_USER_DATA_PREFIX): string[] {
  return Object.entries(data).map(([key, value]) => headerLine(`${prefix}${key}`, encodeHeaderValue(value)));
}

/** User data from a raw message, keys in the case the sender wrote them. */
export function readUserData(raw: string, prefix = DEFAULT_USER_DATA_PREFIX): Record<string, string> {
  const lower = prefix.toLowerCase();
  const data: Record<string, string> = {};
  for (const { name, value } of rawHeaders(raw)) {
    if (name.length > prefix.length && name.toLowerCase().startsWith(lower)) {
      data[name.slice(prefix.length)] = decodeHeaderValue(value);
    }
  }
  return data;
}
