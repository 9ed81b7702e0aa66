/** Pure formatting and countdown helpers for the renderer (no DOM, testable in Node). */

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let f = timeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    timeFormats.set(key, f);
  }
  return f;
}

/** "14:05" (in the user's locale). Empty for an unparsable time. */
export function formatTime(iso: string, locale?: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : fmt(locale, { hour: '2-digit', minute: '2-digit' }).format(t);
}

function startOfDay(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whole calendar days between two times (local time). */
export function daysBetween(earlier: number, later: number): number {
  return Math.round((startOfDay(later) - startOfDay(earlier)) / 86_400_000);
}

/** For the conversation list: the time today, "Yesterday", else a short date. */
export function formatListTime(iso: string, now: number, locale?: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const days = daysBetween(t, now);
  if (days <= 0) return formatTime(iso, locale);
  if (days === 1) return 'Yesterday';
  const sameYear = new Date(t).getFullYear() === new Date(now).getFullYear();
  return fmt(locale, sameYear ? { day: 'numeric', month: 'short' } : { dateStyle: 'medium' }).format(t);
}

/** For day separators in a chat: "Today", "Yesterday", or a full date. */
export function formatDay(iso: string, now: number, locale?: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const days = daysBetween(t, now);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return fmt(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(t);
}

/** Seconds left until an ISO deadline, rounded up, never negative. */
export function secondsLeft(expiresAt: string, now: number): number {
  const t = Date.parse(expiresAt);
  if (Number.isNaN(t)) return 0;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

/** The part of a preview's time still left, 1 → 0, for the countdown bar. */
export function remainingFraction(receivedAt: string, expiresAt: string, now: number): number {
  const start = Date.parse(receivedAt);
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return 0;
  const total = Number.isNaN(start) ? 0 : end - start;
  if (total <= 0) return now < end ? 1 : 0;
  return Math.min(1, Math.max(0, (end - now) / total));
}

export type Tone = 'ok' | 'busy' | 'warn' | 'off';

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Up to two initials for an avatar: the first letter or digit of the first and
 * last words (never a bidi control or a bracket in front of one; whole code points).
 */
export function initials(name: string): string {
  const letters = name
    .replace(/^sips?:/i, '')
    .split(/[\s@._-]+/)
    .map((w) => /[\p{L}\p{N}]/u.exec(w)?.[0])
    .filter((c): c is string => c !== undefined);
  const first = letters[0] ?? '?';
  const second = letters.length > 1 ? (letters[letters.length - 1] ?? '') : '';
  return (first + second).toUpperCase();
}

/** A single line of a longer text (first line, collapsed whitespace), for list previews. */
export function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A user-data key for people: "CustomerName" / "case_number" → "Customer Name" / "Case number". */
export function humanKey(key: string): string {
  const spaced = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/\s+/g, ' ')
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
