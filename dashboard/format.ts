/** Words and numbers for the dashboard: durations, times and labels, all as plain text. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A duration in the words a supervisor reads at a glance: "12 s", "3 min", "1 h 5 min". */
export function durationWords(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < MINUTE) return `${Math.floor(safe / SECOND)} s`;
  if (safe < HOUR) return `${Math.floor(safe / MINUTE)} min`;
  const hours = Math.floor(safe / HOUR);
  const minutes = Math.floor((safe % HOUR) / MINUTE);
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** A wait, finer under two minutes where seconds matter: "45 s", "1 min 20 s", "7 min". */
export function waitWords(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe >= MINUTE && safe < 2 * MINUTE) {
    const seconds = Math.floor((safe - MINUTE) / SECOND);
    return seconds === 0 ? '1 min' : `1 min ${seconds} s`;
  }
  return durationWords(safe);
}

/** Milliseconds since an ISO time, or null when the time is not one. */
export function elapsedMs(iso: string, nowMs: number): number | null {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : Math.max(0, nowMs - at);
}

/** "for 3 min" since the given time; '' when the time is not readable. */
export function forDuration(iso: string, nowMs: number): string {
  const ms = elapsedMs(iso, nowMs);
  return ms === null ? '' : `for ${durationWords(ms)}`;
}

/** A measured time (answer time, chat duration): "850 ms", "4.2 s", "3 min"; "–" when there was none. */
export function measuredTime(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${(ms / SECOND).toFixed(1)} s`;
  return durationWords(ms);
}

/** A bucket bound of the answer-time histogram: "1 s", "500 ms". */
export function boundWords(ms: number): string {
  if (ms < SECOND) return `${ms} ms`;
  if (ms < MINUTE) return `${Number((ms / SECOND).toFixed(1))} s`;
  return durationWords(ms);
}

/** Local wall-clock time "09:05" of an ISO time; '' when it is not one. */
export function clockTime(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const date = new Date(at);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** The routing state as people say it. */
export function stateLabel(state: 'Ready' | 'NotReady' | 'LoggedOut'): string {
  if (state === 'NotReady') return 'Not ready';
  if (state === 'LoggedOut') return 'Logged out';
  return 'Ready';
}

/** A decline or not-routed reason as given; the empty reason in words. */
export function reasonWords(reason: string): string {
  const trimmed = reason.trim();
  return trimmed === '' ? 'no reason given' : trimmed;
}

/** 1 → "1st", 2 → "2nd", 11 → "11th". */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** "1 KW", "3 KWs"-style counting. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
