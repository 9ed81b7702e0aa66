/**
 * A benchmark scenario as named stages: a failure says at which stage it
 * stopped and why, with the last lines of what the processes involved said
 * (the SIP server's warnings, the routers' output), so a result can carry it
 * instead of an exception ending the run.
 */
import { createLogger, formatLine, type Logger } from '../../main/core/log.js';

export class StageError extends Error {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs `fn`; whatever it throws becomes a StageError of `name` (unless it is one already). */
export async function stage<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StageError) throw error;
    throw new StageError(name, error instanceof Error ? error.message : String(error));
  }
}

/** A logger that keeps the last warnings (e.g. Kamailio's) to explain a failure. */
export function warningsLogger(): { logger: Logger; last: () => string[] } {
  const lines: string[] = [];
  const logger = createLogger(
    (r) => {
      lines.push(formatLine(r));
      if (lines.length > 20) lines.shift();
    },
    'warn',
    'bench',
  );
  return { logger, last: () => [...lines] };
}

export const firstLine = (s: string): string => s.split('\n')[0] ?? s;

/** `\n--- what (last lines) ---\n…` with the last 15 lines of `text`, or nothing when it is empty. */
export const tailOf = (what: string, text: string): string =>
  text.trim() === ''
    ? ''
    : `\n--- ${what} (last lines) ---\n${text.trim().split('\n').slice(-15).join('\n')}`;
