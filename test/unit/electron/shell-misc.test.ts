import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { setupPower, systemIdleSource } from '../../../main/electron/power.js';
import { ElectronLoginItems, START_HIDDEN_ARG } from '../../../main/electron/login-items.js';
import { createAppLogging, LOG_FILE_NAME } from '../../../main/electron/logging.js';
import { onStatus } from '../../../main/electron/status-feed.js';
import type { EventSink } from '../../../main/app/kw-app.js';
import { FakeApp, FakePowerMonitor } from './fake-electron.js';
import { status } from './fixtures.js';

describe('power', () => {
  it('lock/unlock set the locked input; undo removes the listeners', () => {
    const power = new FakePowerMonitor();
    const locked: boolean[] = [];
    const undo = setupPower(power, { setLocked: (l) => locked.push(l) }, memoryLogger().logger);
    power.emit('lock-screen');
    power.emit('unlock-screen');
    expect(locked).toEqual([true, false]);
    undo();
    power.emit('lock-screen');
    expect(locked).toEqual([true, false]);
    expect(power.listenerCount('lock-screen')).toBe(0);
  });

  it('the system idle time is the idle source', () => {
    const power = new FakePowerMonitor();
    power.idleSeconds = 601;
    expect(systemIdleSource(power).idleSeconds()).toBe(601);
  });
});

describe('login items', () => {
  it('registers a packaged app on macOS/Windows, with the start-hidden argument', () => {
    const app = new FakeApp();
    new ElectronLoginItems(app, 'win32', memoryLogger().logger).setStartAtLogin(true);
    expect(app.loginItemSettings).toEqual([{ openAtLogin: true, args: [START_HIDDEN_ARG] }]);
  });

  it('does nothing unpackaged or on Linux (logged)', () => {
    const app = new FakeApp();
    app.isPackaged = false;
    const { logger, records } = memoryLogger();
    new ElectronLoginItems(app, 'darwin', logger).setStartAtLogin(true);
    new ElectronLoginItems(new FakeApp(), 'linux', logger).setStartAtLogin(true);
    expect(app.loginItemSettings).toEqual([]);
    expect(records).toHaveLength(2);
  });
});

describe('logging', () => {
  it('writes every record to userData/logs and to the console, redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-log-'));
    const lines: string[] = [];
    const logging = createAppLogging({ logDir: join(dir, 'logs'), console: { write: (s) => lines.push(s) } });
    logging.logger.child('sip').warn('register failed', { password: 'hunter2', code: 403 });
    await logging.close();
    const text = readFileSync(join(dir, 'logs', LOG_FILE_NAME), 'utf8');
    expect(text).toContain('[kw:sip] register failed');
    expect(text).not.toContain('hunter2');
    expect(lines.join('')).toContain('register failed');
  });
});

describe('status feed', () => {
  it('passes only status events', () => {
    let sink: EventSink | undefined;
    const seen: string[] = [];
    onStatus(
      {
        onEvent: (s) => {
          sink = s;
          return () => undefined;
        },
      },
      (st) => seen.push(st.presence.manual),
    );
    sink?.('typing', { interactionId: 'a', active: true });
    sink?.('status', status('away'));
    expect(seen).toEqual(['away']);
  });
});
