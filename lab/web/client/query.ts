/** Page defaults from the query string (the lab CLI prints URLs that fill them in). */
const params = new URLSearchParams(location.search);

export function param(name: string, fallback = ''): string {
  return params.get(name) ?? fallback;
}

export function flag(name: string): boolean {
  const value = params.get(name);
  return value !== null && value !== '0' && value.toLowerCase() !== 'false';
}

/** A list such as `listen=440,660,880` as numbers; invalid entries are skipped. */
export function numbers(name: string, fallback: readonly number[]): number[] {
  const raw = params.get(name);
  if (raw === null) return [...fallback];
  return raw
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n > 0);
}
