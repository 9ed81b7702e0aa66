// npm run dist [-- electron-builder options]: builds the app (npm run build), then packs it with electron-builder for the
// platform it runs on (electron-builder.yml; installers in out/). It packs the Electron
// binary npm installed in node_modules/electron/dist (`electronDist`), so it downloads
// nothing; where that binary is missing (ELECTRON_SKIP_BINARY_DOWNLOAD, or a download that
// failed) it says so in one line and stops before building.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronDir = join(root, 'node_modules', 'electron');
const electronDist = join(electronDir, 'dist');
const builderCli = join(root, 'node_modules', 'electron-builder', 'cli.js');
const platformFlag = { win32: '--win', darwin: '--mac', linux: '--linux' }[process.platform];

function fail(message) {
  console.error(`npm run dist: ${message}`);
  process.exit(1);
}

/** The executable electron's own path.txt names, if it is there. */
function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(electronDist, readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

function run(command, args) {
  // npm is npm.cmd on Windows, which only a shell can start.
  const shell = process.platform === 'win32' && command === 'npm';
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell });
  if (result.error) fail(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!platformFlag) fail(`electron-builder cannot pack for ${process.platform}`);
if (!electronBinary()) {
  const why = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD
    ? 'ELECTRON_SKIP_BINARY_DOWNLOAD is set'
    : 'its download did not happen or failed';
  fail(
    `no Electron binary in node_modules/electron/dist (${why}); reinstall electron where its download host is reachable, then run again`,
  );
}
if (!existsSync(builderCli)) fail('electron-builder is not installed (npm install)');

run('npm', ['run', 'build']);
run(process.execPath, [
  builderCli,
  platformFlag,
  '--publish',
  'never',
  `--config.electronDist=${electronDist}`,
  // e.g. -c.publish.url=https://… for a fleet's own update feed (docs/deploy.md)
  ...process.argv.slice(2),
]);
