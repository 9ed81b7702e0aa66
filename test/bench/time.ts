/** Small helpers of the benchmarks: waiting, and durations as the reports print them. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `12.3 s`, or `?` when not measured. */
export const fmtS = (ms: number | undefined): string =>
  ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`;
