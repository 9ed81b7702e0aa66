/**
 * The data key that encrypts history at rest (32 bytes, AES-256-GCM), behind a
 * port: the Electron shell keeps it wrapped by the OS keystore (safeStorage,
 * main/electron/history-key.ts), the harness and tests give it directly.
 */

export const HISTORY_KEY_BYTES = 32;

export type HistoryKeyLoad =
  /** The key in use: the stored one, or a new one made and stored on first use. */
  | { readonly state: 'ready'; readonly key: Uint8Array }
  /** The stored key could not be read (`reason`, a clause for the user); a new one is in use from now on. */
  | { readonly state: 'replaced'; readonly key: Uint8Array; readonly reason: string }
  /** No key can be kept on this computer (`reason`): history is not written. */
  | { readonly state: 'unavailable'; readonly reason: string };

export interface HistoryKey {
  /** Reads (or makes) the key once at start; never throws. */
  load(): HistoryKeyLoad;
}

/** A key given directly (the harness, tests). */
export function fixedHistoryKey(key: Uint8Array): HistoryKey {
  if (key.length !== HISTORY_KEY_BYTES) throw new Error(`a history key is ${HISTORY_KEY_BYTES} bytes`);
  return { load: () => ({ state: 'ready', key }) };
}
