// Defining a conformance check: a behaviour with a stable id, a title a student
// understands, the lab it grades, its points, what it needs from the driver, and
// the Kubernetes source it follows. The body talks to the cluster only through
// the Kubernetes API, so the same check runs against any implementation and
// against Kubernetes itself.

import { test, inject } from 'vitest';
import type { Capability } from '../harness/cluster.ts';
import { takeCluster } from '../harness/lease-server.ts';
import { CheckContext } from './context.ts';
import { isExclusive } from './exclusive.ts';
import { repeatCount, scaledWait } from './run-settings.ts';

export interface CheckMeta {
  /** Stable id, e.g. `api.crud.create-get`; grades and reports refer to it. */
  id: string;
  /** One sentence a student understands. */
  title: string;
  /** The lab it grades (`api`, `pods`, …). */
  lab: string;
  points: number;
  /** Disruptions the check causes; without them it is skipped with the reason. */
  needs?: Capability[];
  /** Where Kubernetes defines the behaviour (a file or page). */
  cites?: string;
  /** How long it may take (default 30 s), counted from when it was given its cluster. */
  timeoutMs?: number;
  /**
   * Checks run side by side: each in a namespace of its own, they share the
   * cluster (conformance/README.md, "Checks side by side"). `false` keeps a
   * check from running at the same time as the other checks of its file (it
   * still runs beside other files' checks).
   */
  concurrent?: boolean;
  /**
   * The check changes what every other check sees (a node's labels, taints or
   * cordon, the set of nodes), so it needs a cluster to itself. A check whose
   * `needs` disrupt the cluster gets one anyway (see `exclusiveNeeds`).
   */
  exclusive?: boolean;
}

/** Every check defined in the files loaded so far (the catalogue the grader and site read). */
export const CATALOGUE: CheckMeta[] = [];

/**
 * How long a check may wait for its cluster before vitest gives up on it: a
 * check that needs a cluster to itself may wait for others to finish. The
 * wait is not part of the check's own time (its `timeoutMs` and its duration).
 */
const LEASE_WAIT_MS = 15 * 60_000;
/** After its timeout, how long a check that is still running keeps its cluster (it may still be putting a node back). */
const LATE_CLEANUP_MS = 60_000;

/** What the reporters read of a check's own run (check.ts fills it; conformance/report/ reads it). */
export interface CheckRun {
  /** The cluster of the pool it was given (0: the main one), and that cluster's kubeconfig. */
  cluster: number;
  kubeconfig: string;
  /** When its first run got its cluster. */
  startedAt: number;
  /** Its own time, all runs together: from getting its cluster to the end of its cleanup. */
  durationMs: number;
}

declare module 'vitest' {
  interface TaskMeta {
    check?: CheckMeta;
    run?: CheckRun;
  }
}

function timedOut(ms: number): Error {
  return new Error(`Test timed out in ${ms}ms (the check's own timeoutMs; its wait for a cluster is not counted).`);
}

/** Settles like `work`, or rejects after ms. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function check(meta: CheckMeta, body: (t: CheckContext) => Promise<void>): void {
  CATALOGUE.push(meta);
  const define = meta.concurrent === false ? test : test.concurrent;
  const ownTimeout = scaledWait(meta.timeoutMs ?? 30_000);
  // --repeat N runs each check N times (vitest's `repeats` counts the runs after the first).
  define(`${meta.id}: ${meta.title}`, { timeout: LEASE_WAIT_MS + ownTimeout, repeats: repeatCount() - 1 }, async (ctx) => {
    ctx.task.meta.check = meta;
    const main = inject('cluster');
    const missing = (meta.needs ?? []).filter((n) => !main.provides.includes(n));
    if (missing.length) {
      ctx.skip(`needs ${missing.join(', ')}, which the ${main.driver} driver cannot do to this cluster`);
    }
    const lease = await takeCluster(inject('pool'), isExclusive(meta) ? 'exclusive' : 'shared');
    const t = new CheckContext(lease.cluster, lease.control, meta);
    t.skip = (reason) => ctx.skip(reason);
    // A failed check hands what it recorded to the reporter, which draws its timeline (conformance/timeline/).
    ctx.onTestFailed(() => { ctx.task.meta.timeline = { ...t.recording(), cluster: lease.index }; });
    const run = (async () => {
      try {
        await body(t);
      } finally {
        await t.cleanup();
      }
    })();
    try {
      await within(run, ownTimeout);
    } finally {
      const previous = ctx.task.meta.run;
      ctx.task.meta.run = {
        cluster: lease.index, kubeconfig: lease.cluster.kubeconfig,
        startedAt: previous?.startedAt ?? t.startedAt, durationMs: (previous?.durationMs ?? 0) + (Date.now() - t.startedAt),
      };
      // The cluster goes back once the check is really done, or a while after its timeout.
      void within(run, LATE_CLEANUP_MS).catch(() => undefined).finally(() => lease.release());
    }
  });
}
