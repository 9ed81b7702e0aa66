/**
 * The part of Node's Buffer that the shared protocol code (main/core/protocol,
 * main/core/sip/headers.ts) uses, for the browser bundles (esbuild `inject`).
 */
const encoder = new TextEncoder();

export const Buffer = {
  byteLength: (text: string): number => encoder.encode(text).length,
  from: (text: string): Uint8Array => encoder.encode(text),
};
