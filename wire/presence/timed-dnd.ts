/**
 * Do not disturb for a while: the choices the KW Desktop offers (menu and
 * tray), the end time of "until HH:MM", and how an end time reads. Pure; the
 * renderer and the tray share it.
 */

/** "for 30 minutes", "for 1 hour", "for 2 hours". */
export const DND_DURATIONS = [
  { minutes: 30, label: 'for 30 minutes' },
  { minutes: 60, label: 'for 1 hour' },
  { minutes: 120, label: 'for 2 hours' },
] as const;

/** The next time the clock shows `hhmm` (today, or tomorrow when it has passed); undefined when not HH:MM. */
export function nextTimeOfDay(hhmm: string, now: Date): Date | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm.trim());
  if (!m) return undefined;
  const at = new Date(now);
  at.setHours(Number(m[1]), Number(m[2]), 0, 0);
  if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
  return at;
}

/** "until 15:30", "until tomorrow 09:00", "until Tue 09:00" (local time). */
export function untilText(until: Date, now: Date): string {
  const hhmm = `${String(until.getHours()).padStart(2, '0')}:${String(until.getMinutes()).padStart(2, '0')}`;
  const day = (d: Date): number => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(until) - day(now)) / 86_400_000);
  if (days <= 0) return `until ${hhmm}`;
  if (days === 1) return `until tomorrow ${hhmm}`;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][until.getDay()] ?? '';
  return `until ${weekday} ${hhmm}`;
}
