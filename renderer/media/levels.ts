/**
 * Sound levels of a peer connection from `getStats()`: the microphone from
 * the `media-source` entries (what the senders take in), the far end from the
 * `inbound-rtp` ones (what plays). Each is the mean level over the last
 * interval, from the growth of `totalAudioEnergy` (level² × seconds) over
 * `totalSamplesDuration`, so an interval without new audio reads 0;
 * `audioLevel` (the last instant, possibly stale) only stands in where a
 * browser gives no totals. Pure (no DOM types).
 */
import type { SoundLevels } from '../../wire/media-host.js';

type Entry = Readonly<Record<string, unknown>>;

/** Running totals of one direction: energy (level² × seconds) and seconds of audio. */
export interface EnergyTotals {
  readonly energy: number;
  readonly seconds: number;
}

export interface LevelTotals {
  readonly input: EnergyTotals | undefined;
  readonly output: EnergyTotals | undefined;
}

export interface LevelReading {
  readonly levels: SoundLevels;
  /** Keep for the next reading. */
  readonly totals: LevelTotals;
}

const NO_TOTALS: LevelTotals = { input: undefined, output: undefined };

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null;
}

function num(entry: Entry, key: string): number | undefined {
  const value = entry[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Sums of one direction's entries; `instant` is the loudest `audioLevel`. */
interface Direction {
  energy: number;
  seconds: number;
  hasTotals: boolean;
  instant: number;
}

function add(d: Direction, e: Entry): void {
  const energy = num(e, 'totalAudioEnergy');
  const seconds = num(e, 'totalSamplesDuration');
  if (energy !== undefined && seconds !== undefined) {
    d.energy += energy;
    d.seconds += seconds;
    d.hasTotals = true;
  }
  d.instant = Math.max(d.instant, num(e, 'audioLevel') ?? 0);
}

/** The level since `before`: mean level of the new audio, 0 when none came; the instant level without totals. */
function levelOf(d: Direction, before: EnergyTotals | undefined): number {
  if (!d.hasTotals) return clamp(d.instant);
  // A first reading, or totals that went back (a sender was replaced): the instant level for now.
  if (!before || d.seconds < before.seconds || d.energy < before.energy) return clamp(d.instant);
  const seconds = d.seconds - before.seconds;
  return seconds > 0 ? clamp(Math.sqrt((d.energy - before.energy) / seconds)) : 0;
}

function clamp(level: number): number {
  return Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0;
}

function totalsOf(d: Direction): EnergyTotals | undefined {
  return d.hasTotals ? { energy: d.energy, seconds: d.seconds } : undefined;
}

/** Levels from a stats report's entries, given the totals of the reading before (none at first). */
export function readLevels(entries: Iterable<unknown>, before: LevelTotals = NO_TOTALS): LevelReading {
  const input: Direction = { energy: 0, seconds: 0, hasTotals: false, instant: 0 };
  const output: Direction = { energy: 0, seconds: 0, hasTotals: false, instant: 0 };
  for (const e of entries) {
    if (!isEntry(e) || e.kind !== 'audio') continue;
    if (e.type === 'media-source') add(input, e);
    else if (e.type === 'inbound-rtp') add(output, e);
  }
  return {
    levels: { input: levelOf(input, before.input), output: levelOf(output, before.output) },
    totals: { input: totalsOf(input), output: totalsOf(output) },
  };
}
