import { describe, expect, it } from 'vitest';
import { DEFAULT_PKG_MB, DEFAULT_SHM_MB, memoryArgs } from '../../../lab/kamailio/launcher.js';

describe('Kamailio memory sizes (launcher -m / -M)', () => {
  it('passes the documented defaults when no size is given', () => {
    expect(memoryArgs({})).toEqual(['-m', String(DEFAULT_SHM_MB), '-M', String(DEFAULT_PKG_MB), '-x', 'fm']);
    expect(DEFAULT_SHM_MB).toBeGreaterThanOrEqual(1024);
  });

  it('passes the sizes given', () => {
    expect(memoryArgs({ shmMb: 4096, pkgMb: 32 })).toEqual(['-m', '4096', '-M', '32', '-x', 'fm']);
  });

  it.each([
    [{ shmMb: 0 }, /shmMb must be a whole number of MB from 64 to 65536 \(got 0\)/],
    [{ shmMb: 63 }, /shmMb .* \(got 63\)/],
    [{ shmMb: 512.5 }, /shmMb .* \(got 512\.5\)/],
    [{ shmMb: Number.NaN }, /shmMb .* \(got NaN\)/],
    [{ pkgMb: 2 }, /pkgMb must be a whole number of MB from 4 to 1024 \(got 2\)/],
    [{ pkgMb: 2048 }, /pkgMb .* \(got 2048\)/],
  ])('refuses %o with a clear error', (sizes, message) => {
    expect(() => memoryArgs(sizes)).toThrow(message);
  });
});
