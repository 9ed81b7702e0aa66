/**
 * Every LEVELS_INTERVAL_MS, the sound levels of each connected peer
 * connection go to main as a `levels` message (main shows them as the call's
 * meters). One round at a time: a slow getStats skips a beat rather than
 * piling up.
 */
import { LEVELS_INTERVAL_MS, type FromHost } from '../../wire/media-host.js';
import type { HostHoldings, PcEntry } from './host-holdings.js';
import { readLevels, type LevelTotals } from './levels.js';

export interface LevelReports {
  stop(): void;
}

/** Whether the connection sends a live, enabled track: a muted or held call sends silence. */
function sendsSound(pc: RTCPeerConnection): boolean {
  return pc
    .getSenders()
    .some((s) => s.track?.kind === 'audio' && s.track.enabled && s.track.readyState === 'live');
}

export function startLevelReports(holdings: HostHoldings, send: (message: FromHost) => void): LevelReports {
  const totals = new WeakMap<PcEntry, LevelTotals>();
  let busy = false;

  const measure = async (entry: PcEntry): Promise<void> => {
    const report = await entry.pc.getStats();
    const entries: unknown[] = [];
    report.forEach((value: unknown) => entries.push(value));
    const reading = readLevels(entries, totals.get(entry));
    totals.set(entry, reading.totals);
    // Closed or replaced while getStats ran: main no longer wants to hear about it.
    if (holdings.pcs.get(entry.id) !== entry) return;
    const input = sendsSound(entry.pc) ? reading.levels.input : 0;
    send({ kind: 'levels', pcId: entry.id, levels: { input, output: reading.levels.output } });
  };

  const round = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const connected = [...holdings.pcs.values()].filter((e) => e.pc.connectionState === 'connected');
      await Promise.all(
        connected.map((e) =>
          measure(e).catch((error: unknown) => console.warn('[media host] levels not measured', error)),
        ),
      );
    } finally {
      busy = false;
    }
  };

  const timer = setInterval(() => void round(), LEVELS_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}
