/**
 * axe-core in a page of the KW Desktop (or a lab page): one run, its findings
 * counted by impact, and its critical and serious ones as "rule: target — summary"
 * lines. The one axe helper of the e2e tests.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

export const IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;
export type Impact = (typeof IMPACTS)[number];

export interface AxeReport {
  /** Failing elements per impact of their rule (an element failing two rules counts twice). */
  readonly counts: Readonly<Record<Impact, number>>;
  /** The critical and serious findings, one line per failing element. */
  readonly serious: readonly string[];
}

interface Finding {
  readonly impact: Impact | null;
  readonly line: string;
}

let axeSource: string | undefined;

function source(): string {
  if (axeSource !== undefined) return axeSource;
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve('axe-core/axe.min.js');
  } catch {
    throw new Error('axe-core is not installed: it is a devDependency of the e2e tests (npm ci)');
  }
  axeSource = readFileSync(path, 'utf8');
  return axeSource;
}

/** Runs axe-core on the whole page as it is now (colour scheme and viewport included). */
export async function axeReport(page: Page): Promise<AxeReport> {
  // Evaluated, not a <script> tag: the windows' CSP (script-src 'self') would block one.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(source());
  const findings = (await page.evaluate(`(async () => {
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.flatMap((v) =>
      v.nodes.map((n) => ({
        impact: v.impact,
        line: v.id + ': ' + n.target.join(' ') + ' — ' + n.failureSummary,
      })),
    );
  })()`)) as Finding[];
  const counts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const f of findings) if (f.impact) counts[f.impact]++;
  const serious = findings
    .filter((f) => f.impact === 'critical' || f.impact === 'serious')
    .map((f) => f.line);
  return { counts, serious };
}

/** axe-core's critical and serious findings on the page, as "rule: target — summary" lines. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  return [...(await axeReport(page)).serious];
}
