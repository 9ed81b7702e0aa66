// Builds the lab's web pages (agent desk, customer simulator) into dist/lab-web/:
// one esbuild bundle per page (JsSIP's browser build included), the HTML next to
// it and the shared stylesheet. lab/web/server.ts serves that directory.
//   node scripts/build-lab-web.mjs          minified
//   node scripts/build-lab-web.mjs --dev    sourcemaps, not minified
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LAB_WEB_DIR = join(root, 'dist/lab-web');

const pages = {
  agent: 'lab/agent-desk',
  customer: 'lab/customer',
};

export async function buildLabWeb({ development = process.argv.includes('--dev'), quiet = false } = {}) {
  await rm(LAB_WEB_DIR, { recursive: true, force: true });
  for (const [name, dir] of Object.entries(pages)) {
    const out = join(LAB_WEB_DIR, name);
    await mkdir(out, { recursive: true });
    await build({
      absWorkingDir: root,
      entryPoints: { page: `${dir}/main.ts` },
      outdir: out,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: !development,
      sourcemap: development ? 'linked' : false,
      tsconfig: join(root, 'lab/agent-desk/tsconfig.json'),
      define: { 'process.env.NODE_ENV': JSON.stringify(development ? 'development' : 'production') },
      legalComments: 'none',
      logLevel: 'warning',
    });
    await copyFile(join(root, dir, 'index.html'), join(out, 'index.html'));
    await copyFile(join(root, 'lab/web/client/lab.css'), join(out, 'lab.css'));
  }
  await copyFile(join(root, 'lab/web/index.html'), join(LAB_WEB_DIR, 'index.html'));
  if (!quiet) console.log(`lab web pages built → ${LAB_WEB_DIR}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildLabWeb();
}
