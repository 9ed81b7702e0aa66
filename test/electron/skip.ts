/** Whether the electron suite can run here, and the one line it prints when it cannot. */
import { installedElectronBinary } from '../../main/harness/electron-binary.js';

export const SKIP_LINE =
  'electron suite skipped: no Electron binary installed (ELECTRON_SKIP_BINARY_DOWNLOAD); run on a machine that can download it';

/**
 * The Electron binary, found without `require('electron')` (Electron 45's
 * entry would try to download a missing binary). KW_ELECTRON_BINARY overrides.
 */
export function electronBinary(): string | undefined {
  return process.env.KW_ELECTRON_BINARY ?? installedElectronBinary();
}
