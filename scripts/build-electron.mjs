// Builds the Electron main process and preload (docs/design.md §2, §3):
//   main/index.ts              → dist/main/index.cjs            (Node, CJS, `electron` external)
//   preload/electron-preload.ts → dist/preload/electron-preload.cjs (sandboxed preload: it can only
//                                 `require('electron')`, so everything else is bundled in)
//   preload/media-preload.ts    → dist/preload/media-preload.cjs    (the hidden media window's preload,
//                                 `window.kwMedia`; sandboxed too)
// The core imports JsSIP as `#jssip`, which package.json `imports` maps to the scoped bundle
// build/jssip.cjs (no global `window`); it is built first when missing.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dev = process.argv.includes('--dev');

if (!existsSync(new URL('../build/jssip.cjs', import.meta.url))) await import('./build-jssip.mjs');

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  external: ['electron'],
  sourcemap: dev ? 'linked' : false,
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['main/index.ts'],
  outfile: 'dist/main/index.cjs',
  platform: 'node',
  target: 'node22',
  tsconfig: 'main/electron/tsconfig.json',
  // Half the bytes to read and parse at every start (issue 15); identifiers are kept so
  // the stack traces in the logs still name their functions. Not in --dev (readable output).
  minifyWhitespace: !dev,
  minifySyntax: !dev,
});

const preloads = ['electron-preload', 'media-preload'];
for (const name of preloads) {
  await build({
    ...common,
    entryPoints: [`preload/${name}.ts`],
    outfile: `dist/preload/${name}.cjs`,
    platform: 'browser',
    target: 'chrome140',
    tsconfig: 'preload/tsconfig.json',
  });
}

// The guarantees the design relies on, checked on the output.
const mainJs = await readFile(new URL('../dist/main/index.cjs', import.meta.url), 'utf8');
if (!mainJs.includes('kwRTCPeerConnection'))
  throw new Error('dist/main/index.cjs: the scoped JsSIP bundle (build/jssip.cjs) is not in it');
if (/(^|[^.\w$])(globalThis|global)\.window\s*=(?!=)/m.test(mainJs))
  throw new Error('dist/main/index.cjs assigns a global `window`');
for (const name of preloads) {
  const preloadJs = await readFile(new URL(`../dist/preload/${name}.cjs`, import.meta.url), 'utf8');
  const required = [...preloadJs.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  const foreign = required.filter((module) => module !== 'electron');
  if (foreign.length > 0)
    throw new Error(
      `the sandboxed ${name} requires ${foreign.join(', ')}: only 'electron' is available there`,
    );
}
console.log(
  `electron main → dist/main/index.cjs, preloads → ${preloads.map((n) => `dist/preload/${n}.cjs`).join(', ')}`,
);
