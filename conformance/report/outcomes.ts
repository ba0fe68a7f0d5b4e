// Collecting check results from vitest, in one shape that every reporter uses.

import type { Reporter, TestCase } from 'vitest/node';
import type { CheckMeta } from '../lib/check.ts';

export interface CheckOutcome {
  id: string;
  title: string;
  lab: string;
  points: number;
  cites?: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** The failure message (expected, seen, objects), or why the check was skipped. */
  message?: string;
  file: string;
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
    durationMs: Math.round(test.diagnostic()?.duration ?? 0),
    message: result.state === 'failed' ? result.errors.map((e) => e.message).join('\n') : result.state === 'skipped' ? result.note : undefined,
    file: test.module.moduleId,
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

  onTestCaseResult(test: TestCase): void {
    const outcome = outcomeOf(test);
    if (outcome) {
      this.outcomes.push(outcome);
      this.onOutcome(outcome);
    }
  }

  protected onOutcome(_outcome: CheckOutcome): void {}

  /** How many checks ran or were skipped with a reason (those the selection left out do not count). */
  get reported(): number {
    return this.outcomes.length;
  }
}
