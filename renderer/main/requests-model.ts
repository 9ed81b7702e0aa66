/** Pure helpers of the Requests section (no DOM, no Preact: tested in Node). */
import type { RequestEntryView } from '../../preload/contract.js';
import { daysBetween, formatListTime, formatTime } from '../shared/format.js';

const KIND: Record<RequestEntryView['kind'], string> = {
  chat: 'Chat request',
  'call-preview': 'Call request',
  call: 'Call',
};

export function requestKindLabel(kind: RequestEntryView['kind']): string {
  return KIND[kind];
}

/** How an entry is drawn: missed (the KW did not get to it), elsewhere (someone else / taken back), declined. */
export function requestTone(outcome: RequestEntryView['outcome']): 'missed' | 'elsewhere' | 'declined' {
  switch (outcome) {
    case 'declined':
      return 'declined';
    case 'taken':
    case 'withdrawn':
      return 'elsewhere';
    default:
      return 'missed';
  }
}

/** "3 missed requests" (for the live region and the button's accessible name). */
export function missedText(count: number): string {
  return `${count} missed request${count === 1 ? '' : 's'}`;
}

/**
 * The entries to show as new while the section is open: those unseen when they
 * appeared here. Opening the section marks them seen in main at once; the KW
 * should still see which ones are new during this visit.
 */
export function newDuringVisit(
  shown: ReadonlySet<string>,
  entries: readonly RequestEntryView[],
): ReadonlySet<string> {
  const unseen = entries.filter((e) => !e.seen && !shown.has(e.id));
  if (unseen.length === 0) return shown;
  return new Set([...shown, ...unseen.map((e) => e.id)]);
}

/** When it was offered: the time today, else "Yesterday 14:05" or "3 Dec 14:05". */
export function requestTime(iso: string, now: number, locale?: string): string {
  const time = formatTime(iso, locale);
  const t = Date.parse(iso);
  if (Number.isNaN(t) || daysBetween(t, now) <= 0) return time;
  return `${formatListTime(iso, now, locale)} ${time}`;
}
