// The scheduling queue: the pods waiting for a node (kube-scheduler:
// pkg/scheduler/backend/queue/scheduling_queue.go, much reduced).
//
//   active         pods to try now: a WorkQueue of "namespace/name" keys, so a
//                  pod waits at most once and is never tried twice at a time;
//   unschedulable  pods that fit nowhere last time. Trying them again before
//                  the cluster changes would give the same answer, so they wait
//                  here until a node or a pod changes (moveAllToActive), or
//                  until the periodic flush;
//   back-off       a pod that failed waits 1 s, 2 s, 4 s ... up to 10 s before
//                  its next try, however often the cluster changes
//                  (podInitialBackoffSeconds, podMaxBackoffSeconds).

import { WorkQueue } from '../client/workqueue.ts';

const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 10_000;

export class SchedulingQueue {
  /** Keys to schedule now; API errors are retried through its own rate limiter. */
  readonly active = new WorkQueue(INITIAL_BACKOFF_MS, MAX_BACKOFF_MS);
  private readonly unschedulable = new Set<string>();
  /** Failed attempts per pod and when the last one failed, for the back-off. */
  private readonly failures = new Map<string, { attempts: number; at: number }>();
  /**
   * Counts moveAllToActive calls. A pod whose attempt started before the last
   * move may have missed the change that would let it fit: it goes to back-off,
   * not to unschedulable (kube-scheduler's moveRequestCycle).
   */
  private moveCycle = 0;
  private flushTimer?: NodeJS.Timeout;

  /**
   * @param flushIntervalMs how often unschedulable pods are retried even if
   *   nothing seems to have changed (kube-scheduler waits up to 5 minutes; a
   *   missed event here costs seconds, not minutes).
   */
  constructor(flushIntervalMs = 5000) {
    this.flushTimer = setInterval(() => this.moveAllToActive(), flushIntervalMs);
    this.flushTimer.unref();
  }

  /** A new (or changed) pending pod: try it now. */
  add(key: string): void {
    this.unschedulable.delete(key);
    this.active.add(key);
  }

  /** The pod is gone, bound, or no longer ours. */
  delete(key: string): void {
    this.unschedulable.delete(key);
    this.failures.delete(key);
  }

  /** Call when an attempt starts; pass the answer to addUnschedulable. */
  get currentCycle(): number {
    return this.moveCycle;
  }

  /** No node fitted the pod in the attempt that started at `cycle`. */
  addUnschedulable(key: string, cycle: number): void {
    const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
    this.failures.set(key, { attempts, at: Date.now() });
    if (cycle < this.moveCycle) this.active.addAfter(key, this.backoffLeft(key));
    else this.unschedulable.add(key);
  }

  /** Something changed that may let unschedulable pods fit: each goes back after its back-off. */
  moveAllToActive(): void {
    this.moveCycle++;
    for (const key of this.unschedulable) this.active.addAfter(key, this.backoffLeft(key));
    this.unschedulable.clear();
  }

  /** What is left of the pod's back-off, counted from its last failed attempt. */
  private backoffLeft(key: string): number {
    const failure = this.failures.get(key);
    if (!failure) return 0;
    const backoff = Math.min(INITIAL_BACKOFF_MS * 2 ** (failure.attempts - 1), MAX_BACKOFF_MS);
    return Math.max(0, failure.at + backoff - Date.now());
  }

  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  shutDown(): void {
    clearInterval(this.flushTimer);
    this.active.shutDown();
  }
}
