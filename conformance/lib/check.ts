// Defining a conformance check: a behaviour with a stable id, a title a student
// understands, the lab it grades, its points, what it needs from the driver, and
// the Kubernetes source it follows. The body talks to the cluster only through
// the Kubernetes API, so the same check runs against any implementation and
// against Kubernetes itself.

import { test, inject } from 'vitest';
import type { Capability } from '../harness/cluster.ts';
import { CheckContext } from './context.ts';
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
  /** How long it may take (default 30 s). */
  timeoutMs?: number;
  /**
   * Runs at the same time as the file's other concurrent checks. Checks that
   * mostly wait for containers set it, so that their waits overlap; a check
   * that changes what others share (a node's labels or taints) does not.
   */
  concurrent?: boolean;
}

/** Every check defined in the files loaded so far (the catalogue the grader and site read). */
export const CATALOGUE: CheckMeta[] = [];

declare module 'vitest' {
  interface TaskMeta {
    check?: CheckMeta;
  }
}

export function check(meta: CheckMeta, body: (t: CheckContext) => Promise<void>): void {
  CATALOGUE.push(meta);
  const define = meta.concurrent ? test.concurrent : test;
  // --repeat N runs each check N times (vitest's `repeats` counts the runs after the first).
  define(`${meta.id}: ${meta.title}`, { timeout: scaledWait(meta.timeoutMs ?? 30_000), repeats: repeatCount() - 1 }, async (ctx) => {
    ctx.task.meta.check = meta;
    const cluster = inject('cluster');
    const missing = (meta.needs ?? []).filter((n) => !cluster.provides.includes(n));
    if (missing.length) {
      ctx.skip(`needs ${missing.join(', ')}, which the ${cluster.driver} driver cannot do to this cluster`);
    }
    const t = new CheckContext(cluster, inject('control'), meta);
    t.skip = (reason) => ctx.skip(reason);
    // A failed check hands what it recorded to the reporter, which draws its timeline (conformance/timeline/).
    ctx.onTestFailed(() => { ctx.task.meta.timeline = t.recording(); });
    try {
      await body(t);
    } finally {
      await t.cleanup();
    }
  });
}
