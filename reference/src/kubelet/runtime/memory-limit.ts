// Enforcing a container's memory limit (resources.limits.memory).
//
// In Kubernetes the limit is not enforced by the kubelet: the container
// runtime writes it into the container's cgroup (memory.max), and the kernel's
// memory controller kills a process of the cgroup the moment the cgroup's
// memory (including its page cache) would go over it. The runtime then reports
// the container as exited with reason OOMKilled, and the kubelet shows exit
// code 137 (128 + SIGKILL)
// (https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run).
//
// A plain process has no cgroup of its own here, so the process runtime polls
// instead: every POLL_INTERVAL_MS it adds up the resident memory (VmRSS) of the
// container's process and its descendants, and SIGKILLs the container once the
// sum is over the limit. A short spike between two polls goes unnoticed, and
// the page cache does not count (see DEVIATIONS.md).

import { readFileSync } from 'node:fs';

/** How often a container's memory is measured. */
export const POLL_INTERVAL_MS = 250;

/** Resident memory of one process in bytes (`VmRSS:  45716 kB` in /proc/<pid>/status), 0 when it is gone. */
export function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0; // the process ended (or this is not Linux)
  }
}

/** The process's children (those its main thread started), from /proc/<pid>/task/<pid>/children. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// LAB(failures) begin: what a container uses, and when it is over its limit
/** Resident memory of a process and all its descendants: what a container's cgroup would hold. */
export function treeResidentBytes(pid: number): number {
  let total = 0;
  const pending = [pid];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    total += residentBytes(next);
    pending.push(...childrenOf(next));
  }
  return total;
}

/**
 * One measurement: whether the container goes over its limit now. Like the
 * kernel, there is no warning and no grace: once the usage is above the
 * limit, the container is killed (SIGKILL, not SIGTERM).
 */
export function overMemoryLimit(usageBytes: number, limitBytes: number): boolean {
  return usageBytes > limitBytes;
}
// LAB end

export interface MemoryWatch {
  /** Stops measuring (the container ended). */
  stop(): void;
}

/**
 * Measures the process tree of `pid` every intervalMs and calls onOverLimit
 * once, with the usage seen, when it goes over limitBytes; then it stops.
 */
export function watchMemory(pid: number, limitBytes: number, onOverLimit: (usageBytes: number) => void, intervalMs = POLL_INTERVAL_MS): MemoryWatch {
  const timer = setInterval(() => {
    let usage: number;
    try {
      usage = treeResidentBytes(pid);
      if (!overMemoryLimit(usage, limitBytes)) return;
    } catch (err) {
      // A measurement that fails (a lab's TODO in the starter kit) stops this watch, not the node agent.
      clearInterval(timer);
      console.error(`memory limit of process ${pid} not enforced: ${(err as Error).message}`);
      return;
    }
    clearInterval(timer);
    onOverLimit(usage);
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
