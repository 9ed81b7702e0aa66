/**
 * The protocol's timestamps: ISO 8601 as `Date.prototype.toISOString` writes them
 * (a `T`, optional fraction, `Z` or `±hh:mm`), on a day the calendar has.
 * `Date.parse` alone is not enough: it rolls `2027-02-30` over to 2 March.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether `text` is an ISO timestamp of a real instant (no 30 February, no hour 24, no second 60). */
export function isIsoTime(text: string): boolean {
  const m = ISO_TIME.exec(text);
  if (!m) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetH = 0, offsetM = 0] = m
    .slice(1)
    .map((part) => Number(part ?? 0));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59 || offsetH > 23 || offsetM > 59) return false;
  return Number.isFinite(Date.parse(text));
}
