// Which files electron-builder would put in the app, decided by its own matchers (the ones
// its packer builds from `files`), fed electron-builder.yml: the built windows go in, the
// router's and the lab's code, the lab's pages and every node_modules package stay out (the
// bundles need none: esbuild bundles all but `electron`).
import { readFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Filter = (file: string, stat: Stats & { moduleFullFilePath?: string }) => boolean;
interface Matcher {
  isEmpty(): boolean;
  createFilter(): Filter;
}
interface PackagerInfo {
  readonly isPrepackedAppAsar: boolean;
  readonly config: unknown;
  readonly projectDir: string;
  readonly buildResourcesDir: string;
  readonly debugLogger: DebugLogger;
}
/** The internal (untyped in its .d.ts) part of app-builder-lib/out/fileMatcher.js we call. */
interface FileMatcherModule {
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformOptions: object,
    platformPackager: { info: PackagerInfo; config: unknown },
    outDir: string,
    isElectronCompile: boolean,
  ): Matcher[];
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformOptions: object,
    packager: PackagerInfo,
  ): Matcher;
}

const require = createRequire(import.meta.url);
const fileMatcher = require('app-builder-lib/out/fileMatcher.js') as FileMatcherModule;
const root = process.cwd();
const config: unknown = parse(readFileSync('electron-builder.yml', 'utf8'));
const info: PackagerInfo = {
  isPrepackedAppAsar: false,
  config,
  projectDir: root,
  buildResourcesDir: 'build-resources',
  debugLogger: new DebugLogger(false),
};
const same = (pattern: string): string => pattern;

function fileStat(moduleFullFilePath?: string): Stats & { moduleFullFilePath?: string } {
  return { isDirectory: () => false, moduleFullFilePath } as Stats & { moduleFullFilePath?: string };
}

function appFileFilter(): Filter {
  const matchers = fileMatcher.getMainFileMatchers(
    root,
    '/app',
    same,
    {},
    { info, config },
    join(root, 'out'),
    false,
  );
  const [matcher, ...others] = matchers;
  if (!matcher || others.length > 0) throw new Error('expected one file matcher for `files`');
  return matcher.createFilter();
}

describe('the files electron-builder packs', () => {
  const packs = appFileFilter();
  const packed = (path: string): boolean => packs(join(root, path), fileStat());

  it('packs the built main process, preloads, windows and package.json', () => {
    for (const path of [
      'dist/main/index.cjs',
      'dist/preload/electron-preload.cjs',
      'dist/preload/media-preload.cjs',
      'dist/renderer/main.html',
      'dist/renderer/main.js',
      'package.json',
    ])
      expect(packed(path), path).toBe(true);
  });

  it("leaves out the sources, the router, the lab and the lab's pages", () => {
    for (const path of [
      'router/cli.ts',
      'lab/cli.ts',
      'dist/lab-web/index.html',
      'main/index.ts',
      'build/jssip.cjs',
      'electron-builder.yml',
      'test/unit/packaging/packed-files.test.ts',
    ])
      expect(packed(path), path).toBe(false);
  });

  it('copies no production dependency from node_modules', () => {
    const matcher = fileMatcher.getNodeModuleFileMatcher(root, '/app', same, {}, info);
    // As its NodeModuleCopyHelper does: no exclusion at all means every file is copied.
    const modules: Filter = matcher.isEmpty() ? () => true : matcher.createFilter();
    for (const path of [
      'node_modules/redis/dist/index.js',
      'node_modules/prom-client/index.js',
      'node_modules/ws/index.js',
      'node_modules/electron-store/index.js',
    ])
      expect(modules(join(root, path), fileStat(path)), path).toBe(false);
  });
});
