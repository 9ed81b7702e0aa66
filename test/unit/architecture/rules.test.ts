/**
 * The import rules of docs/architecture.md, as `npm run lint` enforces them
 * (.dependency-cruiser.cjs): every rule fails on a forbidden import of a
 * fixture tree laid out like the project, allows what the table allows, and
 * the document lists exactly the rules the config has.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const config = createRequire(import.meta.url)('../../../.dependency-cruiser.cjs') as Required<
  Pick<IConfiguration, 'forbidden' | 'options'>
>;
const ruleNames = config.forbidden.map((rule) => rule.name);

/** One fixture file per case: `from` imports `to`; a case expects the named rule, or none. */
interface Case {
  readonly from: string;
  readonly to: string;
  readonly rule?: string;
  readonly typeOnly?: boolean;
}

const forbidden: Case[] = [
  { from: 'wire/a.ts', to: 'main/core/x.ts', rule: 'wire-is-pure' },
  { from: 'wire/b.ts', to: 'node:crypto', rule: 'wire-is-pure' },
  { from: 'main/core/a.ts', to: 'preload/contract.ts', rule: 'core-only-wire' },
  { from: 'main/core/b.ts', to: 'main/app/kw-app.ts', rule: 'core-only-wire' },
  { from: 'main/core/c.ts', to: 'electron', rule: 'core-not-electron' },
  { from: 'main/app/a.ts', to: 'main/electron/windows.ts', rule: 'app-below-roots' },
  { from: 'preload/a.ts', to: 'main/core/y.ts', rule: 'contract-only-wire' },
  { from: 'renderer/a.ts', to: 'main/core/z.ts', rule: 'ui-only-contract-and-wire' },
  { from: 'renderer/b.ts', to: 'preload/contract.ts', rule: 'ui-contract-types-only' },
  { from: 'main/electron/a.ts', to: 'lab/sip.ts', rule: 'shell-not-lab-or-ui' },
  { from: 'main/harness/a.ts', to: 'main/electron/windows.ts', rule: 'harness-not-shell-or-ui' },
  { from: 'lab/a.ts', to: 'main/core/kw-core.ts', rule: 'lab-only-wire-and-sip-agent' },
  { from: 'lab/b.ts', to: 'preload/contract.ts', rule: 'lab-only-wire-and-sip-agent' },
  { from: 'router/a.ts', to: 'main/core/kw-core.ts', rule: 'router-only-wire-and-sip-agent' },
  { from: 'router/b.ts', to: 'lab/sip.ts', rule: 'router-only-wire-and-sip-agent' },
  { from: 'main/core/e.ts', to: 'router/engine.ts', rule: 'core-only-wire' },
  { from: 'dashboard/a.ts', to: 'router/engine.ts', rule: 'dashboard-only-wire' },
  { from: 'dashboard/b.ts', to: 'preload/contract.ts', rule: 'dashboard-only-wire' },
  { from: 'router/c.ts', to: 'dashboard/app.ts', rule: 'dashboard-imported-by-none' },
  { from: 'renderer/c.ts', to: 'dashboard/app.ts', rule: 'dashboard-imported-by-none' },
  { from: 'main/core/d.ts', to: './missing.js', rule: 'no-unresolvable' },
];

const allowed: Case[] = [
  { from: 'main/core/ok.ts', to: 'wire/control.ts' },
  { from: 'main/app/ok.ts', to: 'preload/contract.ts' },
  { from: 'main/electron/ok.ts', to: 'main/app/kw-app.ts' },
  { from: 'main/harness/ok.ts', to: 'lab/sip.ts' },
  { from: 'preload/ok.ts', to: 'wire/control.ts' },
  { from: 'renderer/ok.ts', to: 'preload/contract.ts', typeOnly: true },
  { from: 'renderer/dev/ok.ts', to: 'preload/contract.ts' },
  { from: 'lab/ok.ts', to: 'main/core/sip/agent.ts' },
  { from: 'lab/ok2.ts', to: 'main/core/log.ts' },
  { from: 'lab/ok3.ts', to: 'router/engine.ts' },
  { from: 'router/ok.ts', to: 'main/core/sip/agent.ts' },
  { from: 'router/ok2.ts', to: 'wire/control.ts' },
  { from: 'wire/ok.ts', to: 'valibot' },
  { from: 'dashboard/ok.ts', to: 'wire/dashboard.ts' },
  { from: 'dashboard/ok2.ts', to: 'valibot' },
];

let root: string;
let result: ICruiseResult;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function specifier(c: Case): string {
  if (!c.to.includes('/') || c.to.startsWith('node:') || c.to.startsWith('./')) return c.to;
  let up = '';
  for (let i = 0; i < c.from.split('/').length - 1; i++) up += '../';
  return up + c.to.replace(/\.ts$/, '.js');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kw-arch-'));
  for (const pkg of ['electron', 'valibot']) {
    write(`node_modules/${pkg}/package.json`, JSON.stringify({ name: pkg, main: 'index.js' }));
    write(`node_modules/${pkg}/index.js`, 'module.exports = {};\n');
  }
  const targets = new Set([...forbidden, ...allowed].map((c) => c.to).filter((t) => t.endsWith('.ts')));
  for (const target of targets) write(target, 'export const value = 1;\nexport type Value = number;\n');
  for (const c of [...forbidden, ...allowed]) {
    const line = c.typeOnly
      ? `import type { Value } from '${specifier(c)}';\nexport type Mine = Value;\n`
      : `import * as m from '${specifier(c)}';\nexport const mine = m;\n`;
    write(c.from, line);
  }
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const output = await cruise(['wire', 'main', 'preload', 'renderer', 'router', 'lab', 'dashboard'], {
      ...config.options,
      validate: true,
      ruleSet: { forbidden: config.forbidden },
      tsConfig: undefined,
      outputType: 'json',
    });
    result = typeof output.output === 'string' ? (JSON.parse(output.output) as ICruiseResult) : output.output;
  } finally {
    process.chdir(cwd);
  }
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function violationsFrom(from: string): string[] {
  return result.summary.violations.filter((v) => v.from === from).map((v) => v.rule.name);
}

describe('architecture rules', () => {
  it.each(forbidden)('$rule: $from → $to is refused', (c) => {
    expect(violationsFrom(c.from)).toEqual([c.rule]);
  });

  it.each(allowed)('$from → $to is allowed', (c) => {
    expect(violationsFrom(c.from)).toEqual([]);
  });

  it('every rule of the config is exercised by a forbidden case', () => {
    expect(new Set(forbidden.map((c) => c.rule))).toEqual(new Set(ruleNames));
  });

  it('docs/architecture.md lists exactly the rules the config enforces', () => {
    const doc = readFileSync(join(process.cwd(), 'docs/architecture.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `([a-z-]+)`\s*\|/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(ruleNames));
  });
});
