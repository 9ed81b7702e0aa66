// Builds the renderer (docs/design.md §2): esbuild bundles one script per window
// (main, preview, call popup, hidden media host) into dist/renderer/, copies the HTML and CSS next to them,
// and prints the gzip size of each window's JS + CSS.
//   node scripts/build-renderer.mjs          production: minified, no sourcemaps
//   node scripts/build-renderer.mjs --dev    sourcemaps, not minified
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/renderer');
const dev = process.argv.includes('--dev');

/** Each window: its entry, and the stylesheets its HTML links. */
const windows = {
  main: { entry: 'renderer/main/index.tsx', css: ['theme.css', 'main.css', 'call.css'] },
  preview: { entry: 'renderer/preview/index.tsx', css: ['theme.css', 'preview.css'] },
  call: { entry: 'renderer/call/index.tsx', css: ['theme.css', 'call.css'] },
  media: { entry: 'renderer/media/index.ts', css: [] },
};

export async function buildRenderer({ development = dev, quiet = false } = {}) {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(windows).map(([name, w]) => [name, w.entry])),
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: !development,
    sourcemap: development ? 'linked' : false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(root, 'renderer/tsconfig.json'),
    define: { 'process.env.NODE_ENV': JSON.stringify(development ? 'development' : 'production') },
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of await readdir(join(root, 'renderer'))) {
    if (file.endsWith('.html')) await copyFile(join(root, 'renderer', file), join(out, file));
  }
  for (const file of await readdir(join(root, 'renderer/styles'))) {
    if (file.endsWith('.css')) await copyFile(join(root, 'renderer/styles', file), join(out, file));
  }

  const sizes = [];
  for (const [name, w] of Object.entries(windows)) {
    const files = [`${name}.js`, ...w.css];
    const parts = await Promise.all(files.map((f) => readFile(join(out, f))));
    const raw = parts.reduce((n, b) => n + b.length, 0);
    const gzip = gzipSync(Buffer.concat(parts), { level: 9 }).length;
    const jsGzip = gzipSync(parts[0], { level: 9 }).length;
    sizes.push({ window: name, files: files.join(' + '), raw, gzip, jsGzip });
  }
  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`renderer built (${development ? 'development' : 'production'}) → ${out}`);
    for (const s of sizes) {
      console.log(
        `  ${s.window.padEnd(8)} ${kb(s.gzip).padStart(9)} gzip (JS ${kb(s.jsGzip)} gzip; ${kb(s.raw)} raw)  ${s.files}`,
      );
    }
  }
  return sizes;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildRenderer();
}
