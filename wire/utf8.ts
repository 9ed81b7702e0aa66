/** UTF-8 helpers on TextEncoder, so wire/ runs in Node, Chromium and Electron alike. */
const encoder = new TextEncoder();

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8');

/**
 * Decodes bytes that should be UTF-8. `valid: false` says some were not: the
 * text then has U+FFFD in their place, which a caller must not mistake for a
 * U+FFFD the sender wrote.
 */
export function decodeUtf8(bytes: Uint8Array): { readonly text: string; readonly valid: boolean } {
  try {
    return { text: strictDecoder.decode(bytes), valid: true };
  } catch {
    return { text: lenientDecoder.decode(bytes), valid: false };
  }
}
