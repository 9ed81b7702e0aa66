/** The media port when no media bridge is composed in (tests of IM only, tools): never available. */
import type { CallMedia } from './call-media.js';

export function noMedia(): CallMedia {
  const unavailable = (): Promise<never> => Promise.reject(new Error('no media host'));
  return {
    available: false,
    onAvailability: () => () => undefined,
    capture: unavailable,
    release: () => undefined,
    switchInput: unavailable,
    devices: unavailable,
    setOutput: unavailable,
    pcConfig: () => ({}),
  };
}
