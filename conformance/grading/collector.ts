// A vitest reporter that keeps each check's result for grading, and shows a
// line per finished check on stderr so that a long run is visibly alive
// (stdout is kept for the summary at the end).

import type { TestModule } from 'vitest/node';
import { CollectingReporter, type CheckOutcome } from '../report/outcomes.ts';
import type { CheckResult } from './scoring.ts';

export class GradeCollector extends CollectingReporter {
  /** Errors outside any check (a cluster that did not start, a file that did not load). */
  readonly runErrors: string[] = [];

  constructor(private readonly progress: NodeJS.WritableStream | undefined = process.stderr) {
    super();
  }

  protected onOutcome(outcome: CheckOutcome): void {
    this.progress?.write(`  ${outcome.status.padEnd(7)} ${outcome.id}\n`);
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<{ message?: string }>): void {
    this.runErrors.push(...errors.map((e) => e.message ?? String(e)));
  }

  results(): CheckResult[] {
    return this.outcomes.map((o) => ({ id: o.id, status: o.status, message: o.message, durationMs: o.durationMs }));
  }
}
