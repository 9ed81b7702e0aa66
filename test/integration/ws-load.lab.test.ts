import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../main/core/log.js';
import { labServer } from '../support/servers.js';
import { wsMessageLoad, wsLoadTable } from '../bench/ws-load.bench.js';

describe('WebSocket load generator (forked workers) on the lab server', () => {
  it('registers every pair in its worker, sends exactly the bound, merges the reports', async () => {
    const { logger } = memoryLogger('warn');
    const r = await wsMessageLoad(
      labServer,
      { pairs: 3, seconds: 20, maxMessages: 301, workers: 2, window: 2 },
      logger,
    );
    expect(r).toMatchObject({ server: 'lab', sent: 301, ok: 301, errors: 0, timeouts: 0 });
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    expect(r.throughput).toBeGreaterThan(0);
    const table = wsLoadTable([r]).split('\n');
    expect(table[0]).toMatch(/^\| server +\| load +\| sent +\| 2xx\/s +\| errors/);
    expect(table[2]).toMatch(/^\| lab +\| max \(2 in flight\/pair\) \| 301 +\|/);
  });
});
