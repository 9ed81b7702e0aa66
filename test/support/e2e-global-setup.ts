/**
 * e2e global setup: the lab's web pages (dist/lab-web) are built once, before
 * any worker starts. Workers run files in parallel, and a rebuild empties the
 * directory under a page another worker is loading.
 */
import { spawnSync } from 'node:child_process';

/** Set once the pages are built; `buildLabWeb()` in call-lab.ts then does nothing. */
export const LAB_WEB_BUILT_ENV = 'KW_E2E_LAB_WEB_BUILT';

export default function globalSetup(): void {
  const built = spawnSync(process.execPath, ['scripts/build-lab-web.mjs'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build-lab-web failed: ${built.stderr}`);
  // Workers inherit the runner's environment as it is after global setup.
  process.env[LAB_WEB_BUILT_ENV] = '1';
}
