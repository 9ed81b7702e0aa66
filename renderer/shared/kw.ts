/** `window.kw`: the only way to talk to main (Electron preload or the browser harness). */
import type { KwApi } from '../../preload/contract.js';

declare global {
  interface Window {
    readonly kw?: KwApi;
  }
}

/** The contract's API as the preload (or the harness) installed it; undefined when the page has none. */
export function kwApi(): KwApi | undefined {
  return window.kw;
}

/** The message of a rejected command, for showing next to what caused it. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text || 'something went wrong';
}
