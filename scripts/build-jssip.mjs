// Bundles JsSIP for Node (tests, lab, Electron main) with its browser globals
// rewritten into a scoped object: no global `window` is ever created in main.
// Runs on `npm install` (postinstall) and at the start of every build/test.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { jssipDefine, jssipInject } from './jssip-globals.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['main/core/sip/vendor/jssip-entry.mjs'],
  outfile: 'build/jssip.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: jssipDefine,
  inject: jssipInject,
  logLevel: 'warning',
});
