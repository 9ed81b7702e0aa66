import { describe, expect, it } from 'vitest';
import { createLogger, formatLine, memoryLogger, redact } from '../../../main/core/log.js';

describe('logger', () => {
  it('redacts secrets at any depth', () => {
    expect(redact({ user: 'kw1', password: 'p', nested: { Authorization: 'Digest x', ok: 1 } })).toEqual({
      user: 'kw1',
      password: '[redacted]',
      nested: { Authorization: '[redacted]', ok: 1 },
    });
  });

  it('never lets a password reach the sink', () => {
    const { logger, records } = memoryLogger();
    logger.child('sip').info('account', { uri: 'sip:kw1@lab.local', password: 'hunter2' });
    expect(JSON.stringify(records)).not.toContain('hunter2');
    expect(records[0]?.scope).toBe('kw:sip');
  });

  it('drops records below the minimum level', () => {
    const seen: string[] = [];
    const logger = createLogger((r) => seen.push(formatLine(r)), 'warn');
    logger.info('quiet');
    logger.warn('loud', { n: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/WARN {2}\[kw\] loud \{"n":1\}$/);
  });
});
