/**
 * A small structured logger. Core code receives a Logger by injection; the
 * composition root decides where lines go (console, file, a test capture).
 * Secrets never reach it: callers log identifiers, not credentials, and
 * `redact()` strips the usual suspects from objects that are logged whole.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface LogRecord {
  readonly time: string;
  readonly level: LogLevel;
  readonly scope: string;
  readonly msg: string;
  readonly fields: LogFields;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

export type LogSink = (record: LogRecord) => void;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_KEYS = /pass(word)?|secret|token|authorization|credential/i;

/** Replaces the values of secret-looking keys, recursively (bounded depth). */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(sink: LogSink, minLevel: LogLevel = 'info', scope = 'kw'): Logger {
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[minLevel]) return;
    sink({ time: new Date().toISOString(), level, scope, msg, fields: redact(fields) as LogFields });
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (sub) => createLogger(sink, minLevel, `${scope}:${sub}`),
  };
}

/** One human-readable line per record, for terminals. */
export function formatLine(r: LogRecord): string {
  const extra = Object.keys(r.fields).length > 0 ? ` ${JSON.stringify(r.fields)}` : '';
  return `${r.time} ${r.level.toUpperCase().padEnd(5)} [${r.scope}] ${r.msg}${extra}`;
}

export function consoleSink(stream: { write(s: string): unknown }): LogSink {
  return (r) => {
    stream.write(`${formatLine(r)}\n`);
  };
}

/** A logger that keeps records in memory: for tests that assert what was logged. */
export function memoryLogger(minLevel: LogLevel = 'debug'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { logger: createLogger((r) => records.push(r), minLevel), records };
}

export const silentLogger: Logger = createLogger(() => undefined, 'error');
