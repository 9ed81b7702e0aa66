// The web-platform globals wire/ may use. Node ≥ 20, Chromium and Electron all have
// them; only this project's tsconfig sees these declarations, the others bring
// their own (Node's or the DOM's).
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare class URL {
  constructor(url: string, base?: string);
  readonly protocol: string;
  readonly hostname: string;
  readonly pathname: string;
  readonly href: string;
  toString(): string;
}
