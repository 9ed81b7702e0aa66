/**
 * Bundles the harness's browser scripts in memory when the harness starts:
 * the contract client (preload/harness-client.ts) and the in-page media host
 * (renderer/media, over the WebSocket /media) that the main page loads.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

async function bundle(relative: string, tsconfig?: string): Promise<string> {
  const entry = fileURLToPath(new URL(relative, import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
    ...(tsconfig ? { tsconfig: fileURLToPath(new URL(tsconfig, import.meta.url)) } : {}),
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`harness bundle of ${relative} is empty`);
  return file.text;
}

export function bundleHarnessClient(): Promise<string> {
  return bundle('../../preload/harness-client.ts');
}

export function bundleHarnessMedia(): Promise<string> {
  return bundle('../../renderer/media/index.ts', '../../renderer/tsconfig.json');
}
