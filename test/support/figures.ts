/** Measured figures from test runs (re-registration time, ...), kept as an artifact for the closing note. */
import { appendFileSync, mkdirSync } from 'node:fs';

export function recordFigure(
  name: string,
  value: number,
  unit: string,
  context: Record<string, unknown> = {},
): void {
  mkdirSync('test-results', { recursive: true });
  const line = { name, value, unit, ...context, at: new Date().toISOString() };
  appendFileSync('test-results/figures.jsonl', `${JSON.stringify(line)}\n`);
  console.log(`figure: ${name} = ${value} ${unit} ${JSON.stringify(context)}`);
}
