// Collecting check results from vitest, in one shape that every reporter uses.

import type { Reporter, TestCase } from 'vitest/node';
import type { CheckMeta } from '../lib/check.ts';
import { writeFailureTimeline } from '../timeline/write-timeline.ts';

export interface CheckOutcome {
  id: string;
  title: string;
  lab: string;
  points: number;
  cites?: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** When it got its cluster (ISO time), and which cluster of the run's pool it ran on (0: the main one). */
  startedAt?: string;
  cluster?: number;
  /** The failure message (expected, seen, objects), or why the check was skipped. */
  message?: string;
  file: string;
  /** A failed check's timeline page (conformance/timeline/write-timeline.ts). */
  timeline?: string;
  /** With --repeat N: how many times the check ran, how many of those passed, and the pass rate (0 to 1). */
  runs?: number;
  passedRuns?: number;
  passRate?: number;
}

/** A check that passed some of its runs and failed others: the implementation is flaky, not broken. */
export function isFlaky(o: CheckOutcome): boolean {
  return o.runs !== undefined && o.passedRuns !== undefined && o.passedRuns > 0 && o.passedRuns < o.runs;
}

/**
 * With vitest's `repeats` a test runs again after each run, failed or not, and
 * reports once at the end: failed if any run failed, with one error per failed
 * run. So the failed runs are its errors (a check fails with one error).
 */
function repetitions(test: TestCase): Pick<CheckOutcome, 'runs' | 'passedRuns' | 'passRate'> {
  const runs = (test.options.repeats ?? 0) + 1;
  const result = test.result();
  if (runs === 1 || result.state === 'skipped' || result.state === 'pending') return {};
  const failedRuns = result.state === 'failed' ? Math.min(runs, Math.max(1, result.errors.length)) : 0;
  const passedRuns = runs - failedRuns;
  return { runs, passedRuns, passRate: Math.round((passedRuns / runs) * 1000) / 1000 };
}

/**
 * A check repeated with --repeat may fail the same way several times: each way
 * is told once, known by its first line (`expected: …`), since the rest may
 * differ in details such as times.
 */
function distinctFailures(messages: string[]): string {
  const byFirstLine = new Map<string, string>();
  for (const m of messages) if (!byFirstLine.has(m.split('\n')[0])) byFirstLine.set(m.split('\n')[0], m);
  return [...byFirstLine.values()].join('\n');
}

/** Turns a finished vitest test into an outcome; undefined for a check the selection left out. */
export function outcomeOf(test: TestCase): CheckOutcome | undefined {
  const result = test.result();
  // A check left out by --check/--lab is skipped without a note: it was not selected, so it is not reported.
  if (result.state === 'skipped' && !result.note && test.options.mode === 'skip') return undefined;
  const meta = test.meta().check as CheckMeta | undefined;
  const [id, ...rest] = test.name.split(': ');
  return {
    id: meta?.id ?? id,
    title: meta?.title ?? rest.join(': '),
    lab: meta?.lab ?? id.split('.')[0],
    points: meta?.points ?? 0,
    cites: meta?.cites,
    status: result.state === 'failed' ? 'failed' : result.state === 'passed' ? 'passed' : 'skipped',
    // The check's own time (check.ts): its wait for a cluster is not part of it.
    durationMs: Math.round(test.meta().run?.durationMs ?? test.diagnostic()?.duration ?? 0),
    ...(test.meta().run ? { startedAt: new Date(test.meta().run!.startedAt).toISOString(), cluster: test.meta().run!.cluster } : {}),
    message: result.state === 'failed' ? distinctFailures(result.errors.map((e) => e.message)) : result.state === 'skipped' ? result.note : undefined,
    file: test.module.moduleId,
    ...repetitions(test),
  };
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  points: number;
  maxPoints: number;
}

export function summarize(outcomes: CheckOutcome[]): Summary {
  const count = (s: CheckOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  return {
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    points: outcomes.reduce((sum, o) => sum + (o.status === 'passed' ? o.points : 0), 0),
    maxPoints: outcomes.reduce((sum, o) => sum + o.points, 0),
  };
}

/** A reporter that gathers outcomes; subclasses decide what to print and when. */
export abstract class CollectingReporter implements Reporter {
  protected outcomes: CheckOutcome[] = [];
  protected startedAt = Date.now();

  /** Where failed checks' timeline pages go (beside the report); default .kubelab/reports/. */
  timelineDir?: string;

  onTestCaseResult(test: TestCase): void {
    const outcome = outcomeOf(test);
    // Written now, while the cluster still runs and its logs cover the check.
    if (outcome?.status === 'failed') outcome.timeline = writeFailureTimeline(outcome, test.meta().timeline, this.timelineDir);
    if (outcome) {
      this.outcomes.push(outcome);
      this.onOutcome(outcome);
    }
  }

  protected onOutcome(_outcome: CheckOutcome): void {}

  /** The outcomes gathered so far (what `.kubelab/last-run.json` keeps). */
  get checkOutcomes(): readonly CheckOutcome[] {
    return this.outcomes;
  }

  /** How many checks ran or were skipped with a reason (those the selection left out do not count). */
  get reported(): number {
    return this.outcomes.length;
  }
}
