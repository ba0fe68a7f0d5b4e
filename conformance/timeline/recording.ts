// What a failure timeline is made of (timeline-page.ts draws it): the check's
// own steps and the watch events it saw, recorded in the test worker, and the
// harness's disruptions and the processes' log lines, kept in the main process.

import type { LogLine } from '../harness/managed-process.ts';

/** A step of the check (t.step), with the time it was taken. */
export interface TimedStep {
  time: number;
  text: string;
}

/** One watch event as it arrived: when, what kind of change, which object, and a one-line state. */
export interface WatchRecord {
  time: number;
  /** ADDED, MODIFIED, DELETED, ERROR, or a note of the recorder's own (RECONNECT, UNAVAILABLE). */
  type: string;
  kind: string;
  name: string;
  namespace?: string;
  summary: string;
}

/** What a check leaves for its timeline: sent to the reporter only when the check failed. */
export interface CheckRecording {
  startedAt: number;
  /** When the check ended (its cleanup began) or when it was reported failed, whichever came first. */
  endedAt: number;
  steps: TimedStep[];
  watchEvents: WatchRecord[];
  /** Watch events left out because the check saw more than the bound. */
  droppedWatchEvents: number;
  /** The cluster of the run the check was given (conformance/harness/cluster-pool.ts); 0, the main one, when absent. */
  cluster?: number;
}

/** A disruption the harness performed for a check, from request to completion. */
export interface DisruptionRecord {
  action: string;
  target: string;
  start: number;
  end?: number;
  error?: string;
}

declare module 'vitest' {
  interface TaskMeta {
    /** Set on a failed check only (conformance/lib/check.ts): the timeline's check-side half. */
    timeline?: CheckRecording;
  }
}

/** The main process's half: the harness fills it (vitest-setup.ts), the reporters read it. */
export interface HarnessRecord {
  logs(): LogLine[];
  disruptions(): DisruptionRecord[];
}

/**
 * Kept on globalThis: the harness (loaded by the test runner) and the reporters
 * (loaded by the CLI) may each have their own copy of this module in one process.
 */
const KEY = Symbol.for('kubelab.harness.timeline');
const globals = globalThis as unknown as Record<symbol, Record<number, HarnessRecord> | undefined>;

/** Each cluster of a run has its own record (its processes' logs, its disruptions), by its index in the pool. */
export function publishHarnessRecord(record: HarnessRecord, cluster = 0): void {
  globals[KEY] = { ...(globals[KEY] ?? {}), [cluster]: record };
}

export function harnessRecord(cluster = 0): HarnessRecord {
  return globals[KEY]?.[cluster] ?? { logs: () => [], disruptions: () => [] };
}

/** A ring of the latest items: the oldest go first once it holds `limit`. */
export class Ring<T> {
  private items: T[] = [];
  dropped = 0;

  constructor(private readonly limit: number) {}

  push(item: T): void {
    this.items.push(item);
    // Trimming in batches keeps push cheap (no shift of a long array per item).
    if (this.items.length > this.limit * 1.25) {
      const extra = this.items.length - this.limit;
      this.items.splice(0, extra);
      this.dropped += extra;
    }
  }

  toArray(): T[] {
    const extra = Math.max(0, this.items.length - this.limit);
    return this.items.slice(extra);
  }

  get droppedTotal(): number {
    return this.dropped + Math.max(0, this.items.length - this.limit);
  }
}
