/**
 * The app's logger: every record to a file in userData/logs (kw-desktop.log,
 * rotated once to .1 beyond 5 MB at start) and to the console (stderr).
 * Fields are redacted by createLogger; secrets are never passed in anyway.
 */
import { createWriteStream, mkdirSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import {
  consoleSink,
  createLogger,
  formatLine,
  type Logger,
  type LogLevel,
  type LogSink,
} from '../core/log.js';

export const LOG_FILE_NAME = 'kw-desktop.log';
const MAX_BYTES = 5 * 1024 * 1024;

export interface AppLogging {
  readonly logger: Logger;
  readonly file: string;
  close(): Promise<void>;
}

export function createAppLogging(options: {
  readonly logDir: string;
  readonly level?: LogLevel;
  readonly console?: { write(s: string): unknown };
}): AppLogging {
  mkdirSync(options.logDir, { recursive: true });
  const file = join(options.logDir, LOG_FILE_NAME);
  try {
    if (statSync(file).size > MAX_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  const stream: WriteStream = createWriteStream(file, { flags: 'a', mode: 0o600 });
  let open = true;
  stream.on('error', () => {
    open = false;
  });
  const toConsole = options.console ? consoleSink(options.console) : undefined;
  const sink: LogSink = (record) => {
    if (open) stream.write(`${formatLine(record)}\n`);
    toConsole?.(record);
  };
  return {
    logger: createLogger(sink, options.level ?? 'info', 'kw'),
    file,
    close: () =>
      new Promise<void>((resolve) => {
        if (!open) return resolve();
        open = false;
        stream.end(() => resolve());
      }),
  };
}
