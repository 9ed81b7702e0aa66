/** Bundles preload/harness-client.ts for the browser, in memory, when the harness starts. */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export async function bundleHarnessClient(): Promise<string> {
  const entry = fileURLToPath(new URL('../../preload/harness-client.ts', import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('harness client bundle is empty');
  return file.text;
}
