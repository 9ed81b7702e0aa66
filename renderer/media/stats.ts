/** What a call needs from `getStats()`: audio packets both ways, the received level, the round trip. Pure (no DOM types). */
import type { MediaStats } from '../../wire/media-host.js';

type Entry = Readonly<Record<string, unknown>>;

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null;
}

function num(entry: Entry, key: string): number | undefined {
  const value = entry[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Sums over every audio RTP stream (a re-INVITE may add one); the RTT of the pair in use. */
export function summarizeStats(entries: Iterable<unknown>): MediaStats {
  let packetsReceived = 0;
  let packetsSent = 0;
  let audioLevel = 0;
  let pairRtt: number | undefined;
  let remoteRtt: number | undefined;
  for (const e of entries) {
    if (!isEntry(e) || (e.kind !== undefined && e.kind !== 'audio')) continue;
    switch (e.type) {
      case 'inbound-rtp':
        packetsReceived += num(e, 'packetsReceived') ?? 0;
        audioLevel = Math.max(audioLevel, num(e, 'audioLevel') ?? 0);
        break;
      case 'outbound-rtp':
        packetsSent += num(e, 'packetsSent') ?? 0;
        break;
      case 'candidate-pair':
        if (e.nominated === true && e.state === 'succeeded')
          pairRtt = num(e, 'currentRoundTripTime') ?? pairRtt;
        break;
      case 'remote-inbound-rtp':
        remoteRtt = num(e, 'roundTripTime') ?? remoteRtt;
        break;
    }
  }
  const rtt = pairRtt ?? remoteRtt;
  return {
    packetsReceived,
    packetsSent,
    audioLevel: Math.min(1, audioLevel),
    ...(rtt !== undefined ? { roundTripTimeMs: Math.round(rtt * 10_000) / 10 } : {}),
  };
}
