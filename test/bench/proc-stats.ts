/**
 * Memory and CPU of processes, read from Linux's /proc: a process's RSS, the
 * CPU time of given PIDs, of the Kamailio process groups this process
 * started, of this process, and of the whole machine (to tell how much other
 * work ran meanwhile). Reads only; signals nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { MemoryMb } from './router-scale-plan.js';

/** VmRSS and VmHWM of a process, MB (Linux). */
export function memoryOf(pid: number): MemoryMb {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Linux /proc/PID/stat: comm, ppid, process group and CPU time (utime + stime, seconds; USER_HZ = 100). */
export function procStat(
  pid: number,
): { comm: string; ppid: number; pgrp: number; cpuS: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, ppid: Number(f[1]), pgrp: Number(f[2]), cpuS: (Number(f[11]) + Number(f[12])) / 100 };
  } catch {
    return undefined;
  }
}

/** CPU seconds of the Kamailio process group(s) this process started (the launcher spawns them detached). */
function kamailioCpuS(): number | undefined {
  const all = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => ({ pid: Number(e), stat: procStat(Number(e)) }));
  const groups = new Set(
    all.filter((p) => p.stat?.comm === 'kamailio' && p.stat.ppid === process.pid).map((p) => p.pid),
  );
  if (groups.size === 0) return undefined;
  return all.reduce((sum, p) => (p.stat && groups.has(p.stat.pgrp) ? sum + p.stat.cpuS : sum), 0);
}

/** CPU seconds all cores spent busy (not idle, not waiting for I/O) since boot: /proc/stat, USER_HZ = 100. */
function machineBusyS(): number {
  const cpu =
    readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = cpu.reduce((a, b) => a + b, 0);
  return (total - (cpu[3] ?? 0) - (cpu[4] ?? 0)) / 100;
}

/** The processes whose CPU is told apart. */
export interface CpuPids {
  readonly routers: readonly number[];
  /** redis-server, when the store is Redis. */
  readonly redis?: number;
}

export interface CpuSample {
  readonly at: number;
  /** The router processes, summed. */
  readonly router: number;
  /** This process: the raw clients, and the lab server when it is in-process. */
  readonly bench: number;
  readonly kamailio: number | undefined;
  readonly redis: number | undefined;
  /** The whole machine, busy. */
  readonly machine: number;
}

/** CPU seconds used so far by the routers, this process, Kamailio, Redis and the machine. */
export function cpuNow(pids: CpuPids): CpuSample {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    router: pids.routers.reduce((sum, pid) => sum + (procStat(pid)?.cpuS ?? Number.NaN), 0),
    bench: (own.user + own.system) / 1e6,
    kamailio: kamailioCpuS(),
    redis: pids.redis === undefined ? undefined : procStat(pids.redis)?.cpuS,
    machine: machineBusyS(),
  };
}

/** CPU seconds of everything else on the machine. */
export const othersCpuS = (c: CpuSample): number =>
  c.machine - c.router - c.bench - (c.kamailio ?? 0) - (c.redis ?? 0);

/** % of one core between two samples (undefined when either side is unknown). */
export function cpuPercent(
  before: CpuSample,
  after: CpuSample,
  pick: (c: CpuSample) => number | undefined,
): number | undefined {
  const a = pick(before);
  const b = pick(after);
  if (a === undefined || b === undefined) return undefined;
  return Math.max(0, ((b - a) / ((after.at - before.at) / 1000)) * 100);
}
