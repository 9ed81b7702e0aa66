// Types for the Buffer that buffer-shim.ts provides to the shared main/core code in the browser bundles.
declare const Buffer: {
  byteLength(text: string, encoding?: string): number;
  from(text: string, encoding?: string): Uint8Array;
};
