// Builds the supervisor dashboard (issue 14): esbuild bundles dashboard/index.tsx
// (Preact, uPlot, the wire schemas) into dist/dashboard/app.js and the styles
// (ours and uPlot's) into app.css, next to index.html. The router serves that
// directory under /dashboard/.
//   node scripts/build-dashboard.mjs          production: minified, no sourcemaps
//   node scripts/build-dashboard.mjs --dev    sourcemaps, not minified
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const dashboardOut = join(root, 'dist/dashboard');
const dev = process.argv.includes('--dev');

export async function buildDashboard({ development = dev, quiet = false } = {}) {
  await rm(dashboardOut, { recursive: true, force: true });
  await mkdir(dashboardOut, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'dashboard/index.tsx', out: 'app' },
      { in: 'dashboard/styles/app.css', out: 'app' },
    ],
    outdir: dashboardOut,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: !development,
    sourcemap: development ? 'linked' : false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(root, 'dashboard/tsconfig.json'),
    define: { 'process.env.NODE_ENV': JSON.stringify(development ? 'development' : 'production') },
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(join(root, 'dashboard/index.html'), join(dashboardOut, 'index.html'));

  const parts = await Promise.all(['app.js', 'app.css'].map((f) => readFile(join(dashboardOut, f))));
  const raw = parts.reduce((n, b) => n + b.length, 0);
  const gzip = gzipSync(Buffer.concat(parts), { level: 9 }).length;
  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `dashboard built (${development ? 'development' : 'production'}) → ${dashboardOut}: ${kb(gzip)} gzip (${kb(raw)} raw) app.js + app.css`,
    );
  }
  return { raw, gzip };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDashboard();
}
