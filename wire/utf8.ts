/** UTF-8 helpers on TextEncoder, so wire/ runs in Node, Chromium and Electron alike. */
const encoder = new TextEncoder();

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
