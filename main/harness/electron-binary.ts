/**
 * Whether an Electron binary is installed, without `require('electron')`:
 * Electron 45's entry tries to download a missing binary when required, which
 * must never happen here (its download host is unreachable; no network calls).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function installedElectronBinary(root = process.cwd()): string | undefined {
  const dir = resolve(root, 'node_modules/electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}
