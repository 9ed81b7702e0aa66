/**
 * CPU placement for the WebSocket load (taskset): the server on one core, the
 * generator's workers on the other, so that the latency measured is the
 * server's and not the two fighting for the same cores. Reported as the setup
 * of the row it applies to; the unpinned row is always measured too.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU lists as taskset takes them ("0", "1-3"). */
export interface Placement {
  readonly server: string;
  readonly generator: string;
}

/** Server on CPU 0, generator on the rest; undefined on a 1-CPU machine or without taskset. */
export function defaultPlacement(): Placement | undefined {
  const cpus = availableParallelism();
  if (cpus < 2) return undefined;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { server: '0', generator: cpus === 2 ? '1' : `1-${cpus - 1}` };
}

/** Pins every thread of `pid` to `cpus`. */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** The CPU list `pid` may run on now ("0,1", "0-3"). */
export function affinityOf(pid: number): string {
  const out = execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' });
  const list = /:\s*([0-9,-]+)\s*$/.exec(out.trim())?.[1];
  if (list === undefined) throw new Error(`taskset: cannot read the affinity of ${pid} (${out.trim()})`);
  return list;
}

/** Every process of the process groups led by a child of this process named `comm` (Kamailio's). */
export function childGroupPids(comm: string): number[] {
  const stats = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => ({ pid: Number(e), stat: statOf(Number(e)) }));
  const leaders = new Set(
    stats.filter((p) => p.stat?.comm === comm && p.stat.ppid === process.pid).map((p) => p.pid),
  );
  return stats.filter((p) => p.stat !== undefined && leaders.has(p.stat.pgrp)).map((p) => p.pid);
}

function statOf(pid: number): { comm: string; ppid: number; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const [, ppid, pgrp] = text.slice(close + 2).split(' ');
    return { comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return undefined; // gone meanwhile
  }
}
