/**
 * `npm run router -- --dry-run CONFIG SCENARIO.json`: the dry run in a
 * terminal. The scenario is a DryRunRequest (wire/dashboard.ts) as JSON.
 * Prints a table and exits 0; a bad config or scenario prints its problems
 * and exits 2.
 */
import { readFile } from 'node:fs/promises';
import type { DryRunResult } from '../../wire/dashboard.js';
import { loadRouterConfig, RouterConfigError } from '../config.js';
import type { DryRunArgs } from '../cli-args.js';
import { dryRun, parseDryRunRequest } from './dry-run.js';

export interface DryRunIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

export async function runDryRunCommand(args: DryRunArgs, io: DryRunIo): Promise<number> {
  const fail = (problems: readonly string[]): number => {
    io.stderr.write(`router: the dry run cannot run:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
    return 2;
  };
  let config;
  try {
    config = await loadRouterConfig(args.config);
  } catch (error) {
    if (error instanceof RouterConfigError) return fail(error.problems.map((p) => `${error.source}: ${p}`));
    throw error;
  }
  let text: string;
  try {
    text = await readFile(args.scenario, 'utf8');
  } catch (error) {
    return fail([`cannot read the scenario ${args.scenario}: ${(error as Error).message}`]);
  }
  const parsed = parseDryRunRequest(text);
  if (!parsed.ok) return fail(parsed.problems.map((p) => `scenario ${args.scenario}: ${p}`));
  const result = dryRun(config, parsed.request);
  if (!result.ok) return fail(result.problems);
  io.stdout.write(formatDryRun(result));
  return 0;
}

export function formatDryRun(result: Extract<DryRunResult, { ok: true }>): string {
  const rows = result.members.map((m) => [
    m.kw,
    m.presence,
    m.reason === '' ? m.routingState : `${m.routingState} (${m.reason})`,
  ]);
  const table = columns([['member', 'presence as read', 'routing state'], ...rows]);
  const order =
    result.order.length === 0 ? '  nobody\n' : result.order.map((kw, i) => `  ${i + 1}. ${kw}\n`).join('');
  const skipped =
    result.skipped.length === 0
      ? '  nobody\n'
      : columns(
          result.skipped.map((s) => [s.kw, s.reason]),
          '  ',
        );
  return (
    `Routing point ${result.routingPoint}, strategy ${result.strategy}\n\n${table}\n` +
    `Offer order (the first gets the next offer):\n${order}\nSkipped:\n${skipped}`
  );
}

function columns(rows: ReadonlyArray<readonly string[]>, indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}\n`,
    )
    .join('');
}
