// The processes a process started, found through /proc (Linux).
//
// Why: the harness starts each implementation process in a process group of its
// own and signals that group, but an implementation may start processes that
// leave the group. The reference's node agent does exactly that: each container
// leads its own group (spawned detached), as containerd's shims do. Killing a
// node's group therefore leaves its containers running, which is no power cut,
// and stopping a process whose children outlive it leaves orphans behind.
//
// So, without knowing anything of the implementation, the harness looks at the
// kernel's process table: every process whose chain of parents (field 4 of
// /proc/<pid>/stat) leads to the one it started is its descendant. The snapshot
// must be taken while that process still runs: once it is gone, its children
// are handed to init and the chain is broken.
//
// A pid is reused once its process has gone, so each entry keeps the process's
// start time (field 22) and is signalled only while that still matches.
// Where there is no /proc (macOS), the list is empty and only groups are signalled.

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  /** Field 5: the process group it belongs to. */
  pgid: number;
  /** Field 22: when it started, in clock ticks since boot; tells a reused pid apart. */
  startTicks: string;
}

interface Stat extends ProcessEntry {
  ppid: number;
  /** Field 3: R running, S sleeping, T stopped, Z zombie, … */
  state: string;
}

/** /proc/<pid>/stat, parsed; undefined when the process does not exist. */
export function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2, the command name, is in parentheses and may hold spaces: count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0], ppid: Number(fields[1]), pgid: Number(fields[2]), startTicks: fields[19] };
}

/** Every live process descended from pid (not pid itself), as it is now. */
export function descendants(pid: number): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, Stat[]>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat || stat.state === 'Z') continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  const found: ProcessEntry[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push({ pid: child.pid, pgid: child.pgid, startTicks: child.startTicks });
      visit(child.pid);
    }
  };
  visit(pid);
  return found;
}

/**
 * Every live process whose environment, as it was started, holds `name=value`
 * (/proc/<pid>/environ). Children inherit the environment, so this finds what a
 * process started even after that process died and its children went to init,
 * where the chain of parents no longer leads back to it.
 */
export function processesWithEnv(name: string, value: string): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const wanted = `${name}=${value}`;
  const found: ProcessEntry[] = [];
  for (const pid of names) {
    if (!/^\d+$/.test(pid)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone, or not ours to read
    }
    if (!environ.split('\0').includes(wanted)) continue;
    const stat = readStat(Number(pid));
    if (stat && stat.state !== 'Z') found.push({ pid: stat.pid, pgid: stat.pgid, startTicks: stat.startTicks });
  }
  return found;
}

/** Whether the process of this entry still runs (the same process: not a zombie, not a reused pid). */
export function stillRunning(entry: ProcessEntry): boolean {
  const now = readStat(entry.pid);
  return !!now && now.state !== 'Z' && now.startTicks === entry.startTicks;
}

/**
 * SIGKILL to each entry that still runs, and to the group it leads or belongs
 * to (so what it started in that group goes too). Never the harness's own group.
 */
export function killEntries(entries: ProcessEntry[]): void {
  const ownGroup = readStat(process.pid)?.pgid;
  for (const entry of entries) {
    if (!stillRunning(entry)) continue;
    if (entry.pgid > 1 && entry.pgid !== ownGroup) {
      try { process.kill(-entry.pgid, 'SIGKILL'); } catch { /* the group is gone */ }
    }
    try { process.kill(entry.pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
  }
}

/**
 * Resolves once none of the entries runs any more, or after timeoutMs (a process
 * stuck in the kernel) with those that still do. A SIGKILL takes effect when the
 * kernel next runs the process, which on a busy machine can be a while after
 * kill() returned.
 */
export async function untilGone(entries: ProcessEntry[], timeoutMs: number): Promise<ProcessEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = entries.filter(stillRunning);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 20));
  }
}
